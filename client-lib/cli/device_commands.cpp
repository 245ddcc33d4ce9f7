// draaischijf init, enrol, whoami, trust: the device's profile, keys and pinned trust; and how
// every other command opens the profile.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <termios.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/dev_import.hpp>
#include <draaischijf/client/organisation_keys.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "policy_command.hpp"

namespace draaischijf::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using enum Exit;
using namespace draaischijf::client;  // NOLINT(google-build-using-namespace): the CLI is its user

// The passphrase in `variable`, else one typed after `prompt` without echo.
std::string read_passphrase(const char* variable = "DRAAISCHIJF_PASSPHRASE",
                            std::string_view prompt = "passphrase") {
  if (const char* env = std::getenv(variable)) {
    return env;
  }
  std::cerr << prompt << ": " << std::flush;
  termios old{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  return line;
}

draaischijf::protocol::Result<Unlock> unlock_for(const Context& context) {
  if (context.key_file) {
    return Unlock::with_key_file(*context.key_file);
  }
  return Unlock::with_passphrase(read_passphrase());
}

// `key_file`, created first when `new_store` and it is not there yet.
draaischijf::protocol::Result<Unlock> key_file_unlock(const fs::path& key_file, bool new_store) {
  if (new_store && !fs::exists(key_file)) {
    if (auto created = create_key_file(key_file); !created) {
      return created.error();
    }
  }
  return Unlock::with_key_file(key_file);
}

// For a key store about to be made: a --key-file that does not exist yet is created first.
draaischijf::protocol::Result<Unlock> unlock_new_store(const Context& context) {
  if (context.key_file) {
    return key_file_unlock(*context.key_file, true);
  }
  return unlock_for(context);
}

// Which line of the trust file was refused and why (the line itself is never printed: it may
// hold anything).
void print_trust_file_problem(const std::filesystem::path& trust_file) {
  std::ifstream in(trust_file, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  client::TrustFileProblem problem;
  if (!client::TrustFile::parse(text, &problem)) {
    std::cerr << "  " << trust_file.string() << " line " << problem.line << ": " << problem.reason
              << "\n";
  }
}

int cmd_whoami(Client& client, const Context& context) {
  const auto& device = client.device();
  const std::string print =
      device_fingerprint(device.signing.public_key(), device.encryption.public_key(), device.role);
  // Not the staff id the key store drew for itself when it was made (nothing reads that).
  // The person is the one the organisation certified: known once this device is enrolled (a
  // further device of the same person names it with `enrol finish --person`).
  const auto certificate = client.device_certificate(device.device_id);
  if (context.json_output) {
    json::object out{{"device_id", hex(device.device_id)},
                     {"org_id", hex(device.org_id)},
                     {"role", device.role},
                     {"fingerprint", print},
                     {"organisation_admin", device.organisation.has_value()}};
    if (certificate) {
      out["person"] = hex(certificate->staff_id);
    }
    print_json(out);
    return kOk;
  }
  std::cout << "device        " << hex(device.device_id) << "\norganisation  " << hex(device.org_id)
            << "\nrole          " << device.role << "\nfingerprint   " << print << "\n";
  if (certificate) {
    std::cout << "person        " << hex(certificate->staff_id) << "\n";
  }
  if (device.organisation) {
    std::cout << "holds the organisation signing key (admin)\n";
  }
  return kOk;
}

// A replaced key is shown with both fingerprints, so the person sees exactly what changed.
void print_pinned(const std::string& what, const std::optional<std::string>& old,
                  const std::string& now) {
  if (old && *old != now) {
    std::cout << "replaced the key of " << what << "\n  old: " << *old << "\n  new: " << now
              << "\n";
  } else if (old) {
    std::cout << what << " was pinned with this key already: " << now << "\n";
  } else {
    std::cout << "pinned " << what << ": " << now << "; compare it with its owner\n";
  }
}

constexpr std::uintmax_t kMaxBundleBytes = 64U * 1024 * 1024;

std::string_view state_word(BundleEntryState state) {
  switch (state) {
    case BundleEntryState::added:
      return "new";
    case BundleEntryState::unchanged:
      return "unchanged";
    case BundleEntryState::changed:
      return "CHANGED";
  }
  return "?";
}

// What the import does, organisation by organisation. Names come from the bundle: they pass the
// terminal filter like everything printed, and were made display safe before pinning.
void print_plan(const BundlePlan& plan, bool accept_changes) {
  std::cout << "directory bundle " << plan.sequence << " of "
            << when(static_cast<std::int64_t>(plan.created_at_ms))
            << ", signed by the operator key pinned on this device\n";
  for (const auto& [state, entry] : plan.entries) {
    std::cout << "  "
              << std::string(state_word(state)) + std::string(11 - state_word(state).size(), ' ')
              << hex(entry.org_id) << "  " << entry.type << "  " << entry.name << "\n";
    if (state == BundleEntryState::changed) {
      std::cout << "             pinned now:    " << entry.pinned_fingerprint
                << "\n             in the bundle: " << entry.fingerprint << "\n";
    }
  }
  for (const auto& entry : plan.removals) {
    const auto& r = entry.removal;
    std::cout << "  REMOVED    " << hex(r.org_id) << "  "
              << (entry.pinned ? entry.name : "(not pinned on this device)") << "\n"
              << "             removed " << when(static_cast<std::int64_t>(r.removed_at_ms))
              << ", reason " << r.reason << "\n";
    if (entry.pinned) {
      std::cout << "             unpinned:      " << entry.fingerprint << "\n";
    }
  }
  const auto changed = plan.count(BundleEntryState::changed);
  if (changed != 0 && !accept_changes) {
    std::cerr << changed
              << " organisation key(s) CHANGED: a changed key is what an attacker would send. "
                 "Confirm each fingerprint above with the organisation out of band; only then "
                 "run the import again with --accept-changes\n";
  }
}

int cmd_trust_import(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"accept-changes"}); !bad.empty()) {
    return usage_error(bad);
  }
  const fs::path path = args.positional()[2];
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in || size > kMaxBundleBytes) {
    return usage_error("trust import BUNDLE: cannot read " + path.string() +
                       " (the file the hub operator published, at most 64 MiB)");
  }
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                        std::istreambuf_iterator<char>()};
  const bool accept = args.flag("accept-changes");
  auto plan = client.directory().check_bundle(bytes);
  if (!plan) {
    return fail(plan.error(), &client);
  }
  if (!context.json_output) {
    print_plan(*plan, accept);
  }
  auto imported = client.directory().import_bundle(*plan, accept);
  if (context.json_output) {
    json::array entries;
    for (const auto& [state, entry] : plan->entries) {
      entries.push_back({{"org_id", hex(entry.org_id)},
                         {"type", entry.type},
                         {"name", entry.name},
                         {"state", state_word(state)},
                         {"fingerprint", entry.fingerprint},
                         {"pinned_fingerprint", entry.pinned_fingerprint}});
    }
    json::array removals;
    for (const auto& entry : plan->removals) {
      removals.push_back({{"org_id", hex(entry.removal.org_id)},
                          {"removed_at_ms", entry.removal.removed_at_ms},
                          {"reason", entry.removal.reason},
                          {"pinned", entry.pinned},
                          {"name", entry.name},
                          {"fingerprint", entry.fingerprint}});
    }
    print_json({{"sequence", plan->sequence},
                {"created_at_ms", plan->created_at_ms},
                {"imported", imported.has_value()},
                {"organisations", std::move(entries)},
                {"removals", std::move(removals)}});
  }
  if (!imported) {
    return fail(imported.error(), &client);
  }
  if (!context.json_output) {
    std::cout << "pinned " << plan->count(BundleEntryState::added) << " new, "
              << plan->count(BundleEntryState::unchanged) << " unchanged, "
              << plan->count(BundleEntryState::changed) << " changed, "
              << std::count_if(plan->removals.begin(), plan->removals.end(),
                               [](const auto& r) { return r.pinned; })
              << " unpinned as removed; bundle " << plan->sequence
              << " recorded (an older one is refused from now on)\n";
  }
  return kOk;
}

int cmd_trust(Client& client, const Context& context, const Arguments& args) {
  const auto& words = args.positional();
  if (words.size() == 3 && words[1] == "import") {
    return cmd_trust_import(client, context, args);
  }
  if (words.size() == 2 && words[1] == "list") {
    json::array out;
    for (const auto& organisation : client.trust().organisations()) {
      if (context.json_output) {
        out.push_back({{"org_id", hex(organisation.org_id)},
                       {"name", organisation.name},
                       {"fingerprint", fingerprint(organisation.key)}});
      } else {
        std::cout << hex(organisation.org_id) << "  " << fingerprint(organisation.key) << "  "
                  << organisation.name << "\n";
      }
    }
    if (context.json_output) {
      print_json(out);
    } else if (const auto& key = client.trust().policy_key()) {
      std::cout << "policy key (hub operator)  " << fingerprint(*key) << "\n";
    }
    return kOk;
  }
  const bool replace = words.size() >= 2 && words[1] == "replace";
  const auto mode = replace ? client::PinMode::replace_existing : client::PinMode::only_new;
  if (words.size() == 2 && (words[1] == "add" || replace) && args.value("policy-key")) {
    const auto key = draaischijf::cli::operator_key(*args.value("policy-key"));
    if (!key) {
      return usage_error(
          "--policy-key takes the hub operator's policy-signing.pub file or its base64 line");
    }
    const auto old = client.trust().policy_key();
    if (auto pinned = client.pin_policy_key(*key, mode); !pinned) {
      return fail(pinned.error(), &client);
    }
    print_pinned("the policy key", old ? std::optional(fingerprint(*old)) : std::nullopt,
                 fingerprint(*key));
    return kOk;
  }
  if (words.size() == 3 && (words[1] == "add" || replace)) {
    const auto org = parse_id(words[2]);
    const auto print = args.value("fingerprint");
    if (!org || !print) {
      return usage_error("trust add|replace ORG --fingerprint F (ORG is 32 hex digits)");
    }
    const auto* before = client.trust().find(*org);
    const auto old = before != nullptr ? std::optional(fingerprint(before->key)) : std::nullopt;
    if (auto pinned = client.pin_organisation(*org, *print, mode); !pinned) {
      if (pinned.error() == client::client_errc::already_pinned && old) {
        std::cerr << "  pinned now: " << *old << "\n";
      }
      return fail(pinned.error(), &client);
    }
    print_pinned(words[2], old, fingerprint(client.trust().find(*org)->key));
    return kOk;
  }
  return usage_error(
      "trust list | trust import BUNDLE [--accept-changes] | trust add ORG --fingerprint F | "
      "trust add --policy-key FILE|BASE64 | "
      "trust replace ORG --fingerprint F | trust replace --policy-key FILE|BASE64");
}

}  // namespace

draaischijf::protocol::Result<Unlock> unlock_organisation_store(const Context& context,
                                                                bool new_store) {
  if (context.org_key_file) {
    return key_file_unlock(*context.org_key_file, new_store);
  }
  return Unlock::with_passphrase(
      read_passphrase("DRAAISCHIJF_ORG_PASSPHRASE", "organisation key passphrase"));
}

// Opens the profile, the key store and the connection; prints why not.
std::optional<Client> open_client(const Context& context, int& exit_code) {
  auto profile = Profile::open(context.profile_dir);
  if (!profile) {
    exit_code = fail(profile.error());
    std::cerr << "  profile folder: " << context.profile_dir.string() << "\n";
    return std::nullopt;
  }
  auto unlock = unlock_for(context);
  if (!unlock) {
    exit_code = fail(unlock.error());
    return std::nullopt;
  }
  auto client = Client::open(*profile, *unlock);
  if (!client) {
    exit_code = fail(client.error());
    if (client.error() == client::client_errc::trust_file_invalid) {
      print_trust_file_problem(profile->trust_file());
    }
    return std::nullopt;
  }
  // The organisation key comes from its own store, opened only when the admin names it.
  if (context.org_keys) {
    auto org_unlock = unlock_organisation_store(context, false);
    auto organisation =
        org_unlock ? open_organisation_key_store(*context.org_keys, *org_unlock)
                   : draaischijf::protocol::Result<OrganisationSecrets>(org_unlock.error());
    if (!organisation) {
      exit_code = fail(organisation.error());
      std::cerr << "  organisation key store: " << context.org_keys->string() << "\n";
      return std::nullopt;
    }
    if (auto used = use_organisation_key(client->session(), std::move(*organisation)); !used) {
      exit_code = fail(used.error(), &*client);
      return std::nullopt;
    }
  }
  return std::move(*client);
}

int init_command(const Invocation& call) {
  const auto& context = call.context;
  const auto& args = call.args;
  if (auto bad = args.unknown({"from-dev", "hub"}); !bad.empty()) {
    return usage_error(bad);
  }
  const auto from = args.value("from-dev");
  if (!from) {
    return usage_error("init needs --from-dev DIR (a device folder of the development deployment)");
  }
  ProfileSettings settings;
  if (const auto hub = args.value("hub")) {
    const auto address = parse_hub_address(*hub);
    if (!address) {
      return usage_error("--hub must be HOST or HOST:PORT");
    }
    settings.hub = *address;
  }
  auto unlock = unlock_new_store(context);
  if (!unlock) {
    return fail(unlock.error());
  }
  auto imported = import_dev_device(*from, context.profile_dir, settings, *unlock);
  if (!imported) {
    return fail(imported.error());
  }
  if (context.json_output) {
    print_json({{"profile", context.profile_dir.string()},
                {"device_id", hex(imported->device_id)},
                {"org_id", hex(imported->org_id)},
                {"role", imported->role}});
  } else {
    std::cout << "profile created in " << context.profile_dir.string() << "\n  device "
              << hex(imported->device_id) << " (" << imported->role << ")\n  organisation "
              << hex(imported->org_id) << "\n";
  }
  return kOk;
}

int enrol_start_command(const Invocation& call) {
  const auto& context = call.context;
  const auto& args = call.args;
  if (args.positional().size() != 2) {
    return usage_error("enrol start ... | enrol finish --certificate FILE");
  }
  if (auto bad =
          args.unknown({"hub", "ca", "trust", "hub-key", "org", "org-type", "role", "policy-key"});
      !bad.empty()) {
    return usage_error(bad);
  }
  EnrolmentRequest request;
  const auto hub = parse_hub_address(args.value("hub").value_or(""));
  const auto org = parse_id(args.value("org").value_or(""));
  if (!hub || !org || !args.value("ca") || !args.value("trust") || !args.value("hub-key") ||
      !args.value("role") || !args.value("org-type")) {
    return usage_error(
        "enrol start needs --hub, --ca, --trust, --hub-key, --org, --org-type "
        "and --role (ask the hub operator or your organisation admin)");
  }
  request.org_id = *org;
  request.org_type = *args.value("org-type");
  request.role = *args.value("role");
  request.hub_root = *args.value("ca");
  request.trust = *args.value("trust");
  request.hub_key = *args.value("hub-key");
  if (const auto policy_key = args.value("policy-key")) {
    request.policy_key = *policy_key;
  }
  request.settings.hub = *hub;
  auto key = unlock_new_store(context);
  if (!key) {
    return fail(key.error());
  }
  auto started = start_enrolment(context.profile_dir, request, *key);
  if (!started) {
    return fail(started.error());
  }
  const auto csr = (context.profile_dir / "tls" / "request.csr").string();
  if (context.json_output) {
    print_json({{"device_id", hex(started->device_id)}, {"certificate_request", csr}});
  } else {
    std::cout << "keys made on this device; device id " << hex(started->device_id) << "\nsend "
              << csr << " to your organisation's certificate authority, e.g.\n"
              << "  draaischijf-hub pki device --dir PKI --org-id " << hex(*org) << " --org-type "
              << request.org_type << " --role " << request.role << " --device-id "
              << hex(started->device_id) << " --csr " << csr
              << " --out FOLDER\nthen run: draaischijf enrol finish --certificate "
                 "FOLDER/device.pem\n";
  }
  return kOk;
}

int enrol_finish_command(const Invocation& call) {
  const auto& context = call.context;
  const auto& args = call.args;
  if (args.positional().size() != 2) {
    return usage_error("enrol start ... | enrol finish --certificate FILE [--person STAFF_ID]");
  }
  if (auto bad = args.unknown({"certificate", "person"}); !bad.empty()) {
    return usage_error(bad);
  }
  const auto certificate = args.value("certificate");
  if (!certificate) {
    return usage_error("enrol finish needs --certificate DEVICE.pem");
  }
  // The person this device belongs to, when they have a device already (its `whoami` prints
  // the staff id): the admin sees the claim and certifies this device for the same person.
  std::optional<protocol::Id> person;
  if (const auto word = args.value("person")) {
    person = parse_id(*word);
    if (!person) {
      return usage_error(
          "--person takes the staff id (32 hex digits) that `draaischijf whoami` "
          "prints on your other device");
    }
  }
  auto profile = Profile::open(context.profile_dir);
  if (!profile) {
    return fail(profile.error());
  }
  auto key = unlock_for(context);
  if (!key) {
    return fail(key.error());
  }
  auto print = finish_enrolment(*profile, *certificate, *key, person);
  if (!print) {
    return fail(print.error());
  }
  if (context.json_output) {
    json::object out{{"fingerprint", *print}};
    if (person) {
      out["claimed_person"] = hex(*person);
    }
    print_json(out);
  } else {
    std::cout << "enrolment requested. Your organisation admin approves it after comparing "
                 "this fingerprint:\n  "
              << *print << "\n";
    if (person) {
      std::cout << "and that you are person " << hex(*person) << " (read both out)\n";
    }
  }
  return kOk;
}

int whoami_command(const Invocation& call) { return cmd_whoami(*call.client, call.context); }

int trust_command(const Invocation& call) {
  return cmd_trust(*call.client, call.context, call.args);
}

}  // namespace draaischijf::cli
