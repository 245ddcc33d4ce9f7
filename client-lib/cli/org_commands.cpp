// draaischijf admin org init|restore-key|enrol-self: the organisation key ceremony on the admin's
// device (client/organisation_keys.hpp). The hub operator's side is `draaischijf-hub org add`
// and `org enrol-admin` (docs/OPERATIONS.md, "A new organisation").

#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/organisation_keys.hpp>
#include <draaischijf/protocol/registration.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace draaischijf::cli {
namespace {

namespace fs = std::filesystem;
using enum Exit;

// A new file for the operator; refused when it is there already, so nothing is replaced.
int write_new_text(const fs::path& path, const std::string& text) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    std::cerr << "error: " << path.string() << " exists already; choose another file\n";
    return kFailed;
  }
  if (auto written = client::write_file_atomically(path, text, 0644); !written) {
    return fail(written.error());
  }
  return kOk;
}

std::optional<std::string> file_text(const fs::path& path) { return client::read_small_file(path); }

}  // namespace

// admin org init --type TYPE --name NAME --backup-recipient AGE1 --backup FILE --out REQUEST
// [--org-id HEX], with --org-keys naming the new store.
int admin_org_init_command(const Invocation& call) {
  const auto& args = call.args;
  if (auto bad = args.unknown({"type", "name", "backup-recipient", "backup", "out", "org-id"});
      !bad.empty()) {
    return usage_error(bad);
  }
  const auto type = protocol::parse_name<protocol::OrgType>(args.value("type").value_or(""));
  const auto recipient =
      protocol::age::X25519Recipient::parse(args.value("backup-recipient").value_or(""));
  const auto org_id = args.value("org-id") ? parse_id(*args.value("org-id"))
                                           : std::optional<protocol::Id>(protocol::Id{});
  if (!call.context.org_keys || !type || !args.value("name") || !recipient ||
      !args.value("backup") || !args.value("out") || !org_id) {
    return usage_error(
        "draaischijf --org-keys FILE admin org init --type TYPE --name NAME --backup-recipient "
        "AGE1... --backup FILE --out REQUEST [--org-id HEX]: TYPE an organisation type (clb, "
        "school, caw, ...), AGE1... the organisation's offline age key (age-keygen -y), HEX 32 "
        "hex digits (a fresh id when left out)");
  }
  auto unlock = unlock_organisation_store(call.context, true);
  if (!unlock) {
    return fail(unlock.error());
  }
  const client::NewOrganisation organisation{
      *org_id,   *type, *args.value("name"), *call.context.org_keys, *args.value("backup"),
      *recipient};
  const auto now = static_cast<std::uint64_t>(protocol::system_clock().now_ms() / 1000);
  auto request = client::create_organisation(organisation, *unlock, now);
  if (!request) {
    return fail(request.error());
  }
  if (auto written = write_new_text(*args.value("out"), protocol::registration_text(*request));
      written != kOk) {
    return written;
  }
  const std::string print = client::fingerprint(request->signing_key);
  if (call.context.json_output) {
    print_json({{"org_id", hex(request->org_id)},
                {"fingerprint", print},
                {"request", *args.value("out")},
                {"backup", *args.value("backup")}});
    return kOk;
  }
  std::cout << "organisation " << hex(request->org_id) << " (" << protocol::name_of(*type)
            << ")\nsigning key in " << call.context.org_keys->string() << ", backup (age, to "
            << recipient->to_string() << ") in " << *args.value("backup")
            << "\nregistration request: " << *args.value("out")
            << "\nfingerprint, to read out to the hub operator over another channel:\n  " << print
            << "\n";
  return kOk;
}

// admin org restore-key --backup FILE --identity AGE_KEY_FILE, with --org-keys naming the new
// store.
int admin_org_restore_command(const Invocation& call) {
  const auto& args = call.args;
  if (auto bad = args.unknown({"backup", "identity"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (!call.context.org_keys || !args.value("backup") || !args.value("identity")) {
    return usage_error(
        "draaischijf --org-keys NEW_FILE admin org restore-key --backup FILE --identity "
        "AGE_KEY_FILE (the offline key the backup was made for)");
  }
  const auto backup = file_text(*args.value("backup"));
  const auto identity_text = file_text(*args.value("identity"));
  if (!backup || !identity_text) {
    std::cerr << "error: cannot read the backup or the identity file; check the paths\n";
    return kUsageError;
  }
  // age-keygen writes comment lines before the key; the key is the line that parses.
  std::optional<protocol::age::X25519Identity> identity;
  std::istringstream lines(*identity_text);
  for (std::string line; !identity && std::getline(lines, line);) {
    if (auto parsed = protocol::age::X25519Identity::parse(line)) {
      identity.emplace(std::move(*parsed));
    }
  }
  if (!identity) {
    std::cerr << "error: " << *args.value("identity")
              << " holds no AGE-SECRET-KEY-1... line; give the offline key the backup was made "
                 "for\n";
    return kUsageError;
  }
  const auto bytes =
      std::span(reinterpret_cast<const std::uint8_t*>(backup->data()), backup->size());
  auto secrets = client::open_organisation_backup(bytes, *identity);
  if (!secrets) {
    return fail(secrets.error());
  }
  auto unlock = unlock_organisation_store(call.context, true);
  if (!unlock) {
    return fail(unlock.error());
  }
  if (auto saved = client::save_organisation_key_store(*call.context.org_keys, *secrets, *unlock);
      !saved) {
    return fail(saved.error());
  }
  std::cout << "organisation " << hex(secrets->org_id) << " restored into "
            << call.context.org_keys->string() << "\nfingerprint  "
            << client::fingerprint(secrets->key.public_key()) << "\n";
  return kOk;
}

// admin org enrol-self --out FILE: the first admin device's certificate, for the operator.
int admin_org_enrol_self_command(const Invocation& call) {
  const auto& args = call.args;
  if (auto bad = args.unknown({"out"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (!args.value("out") || !call.context.org_keys) {
    return usage_error("draaischijf --org-keys FILE admin org enrol-self --out FILE");
  }
  auto& client = *call.client;
  auto certificate = client::certify_self(client.session());
  if (!certificate) {
    return fail(certificate.error(), &client);
  }
  const std::string print =
      client::device_fingerprint(certificate->signing_key, certificate->encryption_key,
                                 std::string(protocol::name_of(certificate->role)));
  const std::string text = protocol::armour(
      "Draaischijf first admin device of organisation " + hex(certificate->org_id) + "\ndevice " +
          hex(certificate->device_id) + ", fingerprint " + print,
      protocol::encode(*certificate));
  if (auto written = write_new_text(*args.value("out"), text); written != kOk) {
    return written;
  }
  if (call.context.json_output) {
    print_json({{"device_id", hex(certificate->device_id)}, {"fingerprint", print}});
  } else {
    std::cout << "certificate for the hub operator: " << *args.value("out")
              << "\nread this fingerprint out to the operator (org enrol-admin --fingerprint):\n  "
              << print << "\n";
  }
  return kOk;
}

}  // namespace draaischijf::cli
