// draaischijf-hub org add | enrol-admin: the operator's side of an organisation's key ceremony
// (docs/OPERATIONS.md, "A new organisation"). Both work beside a running hub: the change goes
// through SQLite's locking like any other writer. `org set` is passed on to directory_command.cpp.

#include <optional>
#include <ostream>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/fingerprint.hpp>
#include <draaischijf/protocol/registration.hpp>
#include <draaischijf/server/admin/pki_command.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/operator_enrolment.hpp>

#include "admin/command_args.hpp"
#include "admin/directory_command.hpp"
#include "admin/hub_database.hpp"

namespace draaischijf::server {
namespace {

namespace fs = std::filesystem;
using namespace admin_args;  // NOLINT(google-build-using-namespace): the commands' own helpers

constexpr std::string_view kOrgUsage = R"(usage:
  draaischijf-hub org add --config FILE --request REQUEST --fingerprint F
      Registers the organisation of a registration request (made by `draaischijf admin org
      init` on the organisation admin's device) after checking its signature, once the
      fingerprint you typed, compared with the organisation out of band, matches its key.
  draaischijf-hub org enrol-admin --config FILE --certificate FILE --fingerprint F
      Enrols an organisation's first admin device (no enrolled admin can approve it): the
      end-to-end certificate it made with the organisation key (`draaischijf admin org
      enrol-self`), once the device fingerprint you typed, compared with its admin, matches.
  draaischijf-hub org set --config FILE --org-id HEX [--province P] [--municipality M]
                  [--offer X]... [--clb ORG_ID|none]
      Records where the organisation works, what a partner offers and a school's own CLB
      (run "draaischijf-hub --help" for the vocabularies).
  draaischijf-hub org remove ORG_ID --config FILE --reason REASON
      Removes the organisation for good: its devices are refused, its mailboxes take nothing
      and its id is never used again; the next directory bundle lists it as removed. REASON:
      ceased, merged, key-compromised, left-network or other.
)";

// The text of the file `option` names, when --config, it and --fingerprint are all given;
// nullopt after saying what is missing or unreadable (a usage error).
std::optional<std::string> given_file(const Args& args, std::string_view option,
                                      std::ostream& err) {
  if (!args.has("config") || !args.has(option) || !args.has("fingerprint")) {
    err << kOrgUsage;
    return std::nullopt;
  }
  auto text = certs::read_text_file(args.one(option));
  if (!text) {
    err << "error: cannot read " << args.one(option) << "; check the path\n";
    return std::nullopt;
  }
  return std::move(*text);
}

// The hub's storage, once the fingerprint typed matches `shown` (compared out of band); nullptr
// after saying why, with `code` the exit code (1 refused, 2 configuration).
std::shared_ptr<Storage> storage_once_compared(const Args& args, const std::string& shown,
                                               std::ostream& err, int& code) {
  if (!protocol::same_fingerprint(args.one("fingerprint"), shown)) {
    err << "refused: the fingerprint you typed is not this key's (" << shown
        << "). Nothing was changed. Compare it again with the organisation over another channel "
           "(phone, in person); if it still differs, the file is not theirs\n";
    code = 1;
    return nullptr;
  }
  code = 2;
  const auto config = command_config(args.one("config"), err);
  return config ? open_hub_database(*config, WhenNoDatabase::create, err) : nullptr;
}

int add(const Args& args, std::ostream& out, std::ostream& err, const protocol::Clock& clock) {
  if (args.has("org-id") || args.has("signing-key")) {
    err << "error: org add takes the organisation's signed registration request now, not a bare "
           "key: --request FILE --fingerprint F (docs/OPERATIONS.md)\n";
    return 2;
  }
  const auto text = given_file(args, "request", err);
  if (!text) {
    return 2;
  }
  auto request = protocol::parse_registration_text(*text);
  if (!request) {
    return failed(err, "reading the registration request", request.error(),
                  "ask the organisation for the file `draaischijf admin org init` wrote");
  }
  if (auto verified = protocol::verify_registration(*request); !verified) {
    return failed(err, "refused: the request's signature", verified.error(),
                  "it was altered or not made with the key it names; nothing was changed");
  }
  const std::string print = protocol::fingerprint(request->signing_key);
  out << "organisation " << protocol::to_hex(request->org_id) << " ("
      << protocol::name_of(request->org_type) << ") " << request->name << "\nfingerprint  " << print
      << "\n";
  int code = 0;
  auto storage = storage_once_compared(args, print, err, code);
  if (!storage) {
    return code;
  }
  SqliteDirectory directory(storage);
  const Organisation organisation{request->org_id, request->org_type, request->name,
                                  request->signing_key};
  const auto now_ms = clock.now_ms();
  auto added = directory.wait(
      [&](auto done) { return directory.add_organisation(organisation, now_ms, done); });
  if (!added) {
    return failed(err, "adding the organisation", added.error(),
                  "an organisation id is registered once; the organisation makes a new request "
                  "(admin org init --org-id) if this one was meant to be another");
  }
  out << "registered. Next: its certificate authority (draaischijf-hub pki org --dir PKI "
         "--org-id "
      << protocol::to_hex(request->org_id)
      << " --name NAME), then its first admin device (org enrol-admin)\n";
  return 0;
}

int enrol_admin(const Args& args, std::ostream& out, std::ostream& err,
                const protocol::Clock& clock) {
  const auto text = given_file(args, "certificate", err);
  if (!text) {
    return 2;
  }
  auto bytes = protocol::unarmour(*text);
  auto certificate = bytes ? protocol::parse_device_certificate(*bytes)
                           : protocol::Result<protocol::DeviceCertificate>(bytes.error());
  if (!certificate) {
    return failed(err, "reading the device certificate", certificate.error(),
                  "ask the admin for the file `draaischijf admin org enrol-self` wrote");
  }
  const std::string role(protocol::name_of(certificate->role));
  const std::string print =
      protocol::device_fingerprint(certificate->signing_key, certificate->encryption_key, role);
  out << "device       " << protocol::to_hex(certificate->device_id) << " (" << role
      << ")\norganisation " << protocol::to_hex(certificate->org_id) << "\nfingerprint  " << print
      << "\n";
  int code = 0;
  auto storage = storage_once_compared(args, print, err, code);
  if (!storage) {
    return code;
  }
  SqliteDirectory directory(storage);
  const auto now_ms = clock.now_ms();
  auto enrolled = directory.wait([&](auto done) {
    return enrol_admin_by_operator(*storage, std::move(*bytes), now_ms, done);
  });
  if (!enrolled) {
    return failed(err, "enrolling the admin device", enrolled.error(),
                  "the device must have asked to be enrolled (draaischijf enrol finish) with a "
                  "certificate of role organisation_admin, and its certificate must be signed by "
                  "the organisation key registered with org add and valid now");
  }
  out << "enrolled as an organisation_admin of " << protocol::to_hex(certificate->org_id)
      << "; it approves the organisation's further devices itself\n";
  return 0;
}

}  // namespace

int org_command(const std::vector<std::string_view>& args, std::ostream& out, std::ostream& err,
                const protocol::Clock& clock) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    out << kOrgUsage;
    return 0;
  }
  if (!args.empty() && args[0] == "set") {
    return org_set_command(args, out, err, clock);  // the directory's profile, not the ceremony
  }
  if (!args.empty() && args[0] == "remove") {
    return org_remove_command(args, out, err, clock);
  }
  Args parsed;
  const bool adding = !args.empty() && args[0] == "add";
  const bool enrolling = !args.empty() && args[0] == "enrol-admin";
  if ((!adding && !enrolling) || !parse(args, parsed, err)) {
    err << kOrgUsage;
    return 2;
  }
  const std::vector<std::string_view> known =
      adding ? std::vector<std::string_view>{"config", "request", "fingerprint",
                                             // the old form's, refused with a pointer to the new
                                             "org-id", "org-type", "name", "signing-key"}
             : std::vector<std::string_view>{"config", "certificate", "fingerprint"};
  if (!only_known(args[0], parsed, known, "draaischijf-hub org --help", err)) {
    return 2;
  }
  return adding ? add(parsed, out, err, clock) : enrol_admin(parsed, out, err, clock);
}

}  // namespace draaischijf::server
