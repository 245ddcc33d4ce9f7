// draaischijf: the command-line client, built on the client library's public API only.

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>
#include <termios.h>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/dev_import.hpp>
#include <draaischijf/client/walkthrough.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "common.hpp"
#include "compose.hpp"
#include "consent_command.hpp"
#include "options.hpp"
#include "policy_command.hpp"
#include "progress.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using draaischijf::cli::Arguments;
using draaischijf::cli::Context;
using draaischijf::cli::fail;
using draaischijf::cli::hex;
using draaischijf::cli::parse_id;
using draaischijf::cli::print_json;
using draaischijf::cli::usage_error;
using draaischijf::cli::when;
using enum draaischijf::cli::Exit;
using namespace draaischijf::client;  // NOLINT(google-build-using-namespace): the CLI is its user
using draaischijf::protocol::Id;

constexpr std::string_view kHelp = R"(draaischijf - the Draaischijf client

Usage: draaischijf [--profile DIR] [--key-file FILE] [--json] COMMAND ...

Device profile (default folder: $DRAAISCHIJF_PROFILE, else ~/.draaischijf). The key store is
opened with --key-file, else the passphrase in $DRAAISCHIJF_PASSPHRASE, else one typed at the
terminal.

  init --from-dev DIR [--hub HOST:PORT]   Creates the profile from a development deployment's
                                          device folder (draaischijf-data/dev-pki/clb, .../admin);
                                          pins the policy key of dev-pki/policy-signing.pub
  enrol start --hub HOST:PORT --ca ROOT.pem --trust TRUST.txt --hub-key HUB.pub --org ORG
        --org-type TYPE --role ROLE [--policy-key POLICY.pub]
                                          Makes this device's keys and a certificate request
  enrol finish --certificate DEVICE.pem   Installs the issued certificate, asks to be enrolled
  whoami                                  This device: ids, role, fingerprint
  trust list | trust add ORG --fingerprint F | trust add --policy-key FILE|BASE64
                                          Pinned keys; pin an organisation after comparing, or
                                          the hub operator's policy key (for the pre-check)
  directory [ORG]                         Organisations, or one organisation's mailboxes
  send KIND --to MAILBOX [--to ...] [--purpose P] [--text CATEGORY=TEXT]...
       [--file CATEGORY=PATH[@MEDIA/TYPE]]... [--consent ID] [--pupil HEX] [--reply-to SEQ]
       [--flag NAME]... [--approval ID]... [--message-id HEX] [--thread-id HEX]
                                          --file sends an attachment, encrypted as it is
                                          read (any size up to the hub's limit)
                                          KIND: signaal, consultatie, doorverwijzing,
                                          terugkoppeling, statusantwoord, ...
                                          --flag attests a circumstance (docs/POLICY.md 3)
                                          The policy is checked first with the hub's signed
                                          rules (when the policy key is pinned), and again by
                                          the hub; a refusal prints the rules, the reasons in
                                          Dutch and English and what to do (exit 3)
  approve KIND --to MAILBOX ... --message-id HEX [--thread-id HEX]
                                          Second approval by a colleague (the CLB-arts, the
                                          director): the same arguments as the send it
                                          approves, with the ids the refusal printed; signs
                                          with this device's key and prints the approval id
  consent register --pupil HEX --giver ouders|leerling|beiden [--capacity TEXT]
       [--basis TEXT] (--born YYYY-MM-DD | --age N) [--competency vermoed|bekwaam|onbekwaam]
       (--to-type caw,... | --to ORG)... [--to-kind ouders|leerling] --categories a,b
       --purposes a,b --from DATE [--until DATE] [--channel schriftelijk|digitaal|mondeling]
                                          Registers a consent (CLB); prints its id. The hub
                                          refuses the wrong giver for the pupil's age (exit 3)
  consent list --pupil HEX                The pupil's consents
  consent revoke ID                       Revokes from now on; what still waits under it
                                          is withdrawn, and listed
  disclosures --pupil HEX                 What was disclosed about the pupil: to whom, which
                                          categories, when, on which basis
  inbox [--all]                           Fetches new messages, verifies them, lists unread
                                          (and messages withdrawn before they were fetched)
  inbox --follow                          Keeps listening: each message as it arrives, across
                                          disconnects and hub restarts, and each withdrawal
                                          (Ctrl-C stops)
  read SEQ [--save DIR] [--save-age FILE] Opens and verifies one message; marks it read.
                                          --save writes fragments and attachments (each
                                          checked against the sender's signature first)
                                          --save-age writes its age body (for archives)
  ack SEQ                                 Acknowledges reading without opening
  status [MESSAGE_ID]                     Delivery and read status of what this device sent
                                          (queued, delivered, read, withdrawn)
  admin pending                           Devices waiting for approval
  admin approve DEVICE --fingerprint F [--mailbox M]...
  admin remove DEVICE                     Removes a device and rotates its mailboxes
  admin rotate MAILBOX
  admin export-key MAILBOX [--epoch N]    The mailbox's age key, for opening archives with age
  demo                                    The protocol walkthrough, offline
  policy test CASES [--rules RULES] [--signature SIG --key KEY] [--no-coverage]
                                          Runs the policy case table against the rules
                                          (no profile, no hub): PASS/FAIL per case and
                                          what differs, then the rules still lacking a case
  policy explain "REQUEST" [--rules RULES] [--signature SIG --key KEY]
                                          Decides one request (case entries separated by
                                          ';') and explains why; --json for the decision
                                          Rules: --rules, else $DRAAISCHIJF_RULES, else
                                          ./policies/rules/flemish-clb.rules; unsigned
                                          without --signature/--key (policy --help)
  --help | --version

Exit codes: 0 done; 1 the operation failed (the message says why; policy test: a case
fails or a rule lacks a case); 2 usage error; 3 refused by the policy (also a consent
record the hub refuses); 4 a security check failed (untrusted, tampered, fingerprint, an
attachment that does not match its signed hash, a rule set whose signature does not verify
against the pinned key); 5 the hub cannot be reached.
)";

std::string read_passphrase() {
  if (const char* env = std::getenv("DRAAISCHIJF_PASSPHRASE")) {
    return env;
  }
  std::cerr << "passphrase: " << std::flush;
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

// For a key store about to be made: a --key-file that does not exist yet is created first.
draaischijf::protocol::Result<Unlock> unlock_new_store(const Context& context) {
  if (context.key_file && !fs::exists(*context.key_file)) {
    if (auto created = create_key_file(*context.key_file); !created) {
      return created.error();
    }
  }
  return unlock_for(context);
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
    return std::nullopt;
  }
  return std::move(*client);
}

// --- commands -----------------------------------------------------------------------------------

int cmd_init(const Context& context, const Arguments& args) {
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

int cmd_enrol(const Context& context, const Arguments& args) {
  const auto& words = args.positional();
  const std::string sub = words.size() == 2 ? words[1] : "";

  if (sub == "start") {
    if (auto bad = args.unknown(
            {"hub", "ca", "trust", "hub-key", "org", "org-type", "role", "policy-key"});
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
  if (sub == "finish") {
    if (auto bad = args.unknown({"certificate"}); !bad.empty()) {
      return usage_error(bad);
    }
    const auto certificate = args.value("certificate");
    if (!certificate) {
      return usage_error("enrol finish needs --certificate DEVICE.pem");
    }
    auto profile = Profile::open(context.profile_dir);
    if (!profile) {
      return fail(profile.error());
    }
    auto key = unlock_for(context);
    if (!key) {
      return fail(key.error());
    }
    auto print = finish_enrolment(*profile, *certificate, *key);
    if (!print) {
      return fail(print.error());
    }
    if (context.json_output) {
      print_json({{"fingerprint", *print}});
    } else {
      std::cout << "enrolment requested. Your organisation admin approves it after comparing "
                   "this fingerprint:\n  "
                << *print << "\n";
    }
    return kOk;
  }
  return usage_error("enrol start ... | enrol finish --certificate FILE");
}

int cmd_whoami(Client& client, const Context& context) {
  const auto& device = client.device();
  const std::string print =
      device_fingerprint(device.signing.public_key(), device.encryption.public_key());
  if (context.json_output) {
    print_json({{"device_id", hex(device.device_id)},
                {"org_id", hex(device.org_id)},
                {"staff_id", hex(device.staff_id)},
                {"role", device.role},
                {"fingerprint", print},
                {"organisation_admin", device.organisation.has_value()}});
    return kOk;
  }
  std::cout << "device        " << hex(device.device_id) << "\norganisation  " << hex(device.org_id)
            << "\nrole          " << device.role << "\nfingerprint   " << print << "\n";
  if (device.organisation) {
    std::cout << "holds the organisation signing key (admin)\n";
  }
  return kOk;
}

int cmd_trust(Client& client, const Context& context, const Arguments& args) {
  const auto& words = args.positional();
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
  if (words.size() == 2 && words[1] == "add" && args.value("policy-key")) {
    const auto key = draaischijf::cli::operator_key(*args.value("policy-key"));
    if (!key) {
      return usage_error(
          "--policy-key takes the hub operator's policy-signing.pub file or its base64 line");
    }
    if (auto pinned = client.pin_policy_key(*key); !pinned) {
      return fail(pinned.error(), &client);
    }
    std::cout << "pinned the policy key " << fingerprint(*key)
              << "; compare it with the hub operator\n";
    return kOk;
  }
  if (words.size() == 3 && words[1] == "add") {
    const auto org = parse_id(words[2]);
    const auto print = args.value("fingerprint");
    if (!org || !print) {
      return usage_error("trust add ORG --fingerprint F (ORG is 32 hex digits)");
    }
    if (auto pinned = client.pin_organisation(*org, *print); !pinned) {
      return fail(pinned.error(), &client);
    }
    std::cout << "pinned " << words[2] << "\n";
    return kOk;
  }
  return usage_error(
      "trust list | trust add ORG --fingerprint F | trust add --policy-key FILE|BASE64");
}

int cmd_directory(Client& client, const Context& context, const Arguments& args) {
  if (args.positional().size() == 2) {
    const auto org = parse_id(args.positional()[1]);
    if (!org) {
      return usage_error("directory ORG: ORG is 32 hex digits");
    }
    auto mailboxes = client.mailboxes(*org);
    if (!mailboxes) {
      return fail(mailboxes.error(), &client);
    }
    json::array out;
    for (const auto& m : *mailboxes) {
      if (context.json_output) {
        out.push_back({{"mailbox_id", hex(m.mailbox_id)},
                       {"name", m.name},
                       {"epoch", m.epoch},
                       {"accepting", m.accepting}});
      } else {
        std::cout << hex(m.mailbox_id) << "  " << m.name << "  epoch " << m.epoch
                  << (m.accepting ? "" : "  (held until rotated)") << "\n";
      }
    }
    if (context.json_output) {
      print_json(out);
    }
    return kOk;
  }
  auto organisations = client.organisations();
  if (!organisations) {
    return fail(organisations.error(), &client);
  }
  json::array out;
  for (const auto& o : *organisations) {
    if (context.json_output) {
      out.push_back({{"org_id", hex(o.org_id)},
                     {"type", o.type},
                     {"name", o.name},
                     {"trusted", o.trusted},
                     {"fingerprint", o.fingerprint}});
    } else {
      std::cout << hex(o.org_id) << "  " << o.type << "  " << o.name
                << (o.trusted ? "" : "  (NOT pinned: compare " + o.fingerprint + ")") << "\n";
    }
  }
  if (context.json_output) {
    print_json(out);
  }
  return kOk;
}

json::object entry_json(const InboxEntry& e) {
  json::array flags;
  for (const auto& flag : e.flags) {
    flags.push_back(json::value(flag));
  }
  return {{"sequence", e.sequence},
          {"mailbox_id", hex(e.mailbox_id)},
          {"message_id", hex(e.message_id)},
          {"received_at_ms", e.received_at_ms},
          {"sender_org", hex(e.sender_org)},
          {"sender_org_name", e.sender_org_name},
          {"sender_device", hex(e.sender_device)},
          {"sender_role", e.sender_role},
          {"kind", e.kind},
          {"categories", categories_text(e.categories)},
          {"flags", std::move(flags)},
          {"problem", e.problem},
          {"read", e.read}};
}

volatile std::sig_atomic_t stop_requested = 0;

void print_entry(const InboxEntry& e) {
  std::cout << (e.read ? "  " : "* ") << e.sequence << "  " << when(e.received_at_ms) << "  "
            << e.kind << "  from "
            << (e.sender_org_name.empty() ? hex(e.sender_org) : e.sender_org_name)
            << (e.sender_role.empty() ? "" : " (" + e.sender_role + ")") << "  ["
            << categories_text(e.categories) << "]";
  for (const auto& flag : e.flags) {
    std::cout << "  !" << flag;
  }
  if (!e.problem.empty()) {
    std::cout << "  REFUSED: " << e.problem;
  }
  std::cout << "\n";
}

// inbox --follow: every message as it arrives, one line each (one JSON object per line with
// --json), until SIGINT or SIGTERM.
json::object withdrawal_json(const Withdrawal& w) {
  return {{"mailbox_id", hex(w.mailbox_id)},
          {"sequence", w.sequence},
          {"message_id", hex(w.message_id)}};
}

// A withdrawn message: one JSON object per line with --json ({"withdrawn": {...}}, so a script
// tells it from a message line).
void print_withdrawal(const Withdrawal& w, const Context& context) {
  if (context.json_output) {
    std::cout << json::serialize(json::object{{"withdrawn", withdrawal_json(w)}}) << "\n";
  } else {
    std::cout << "- " << w.sequence << "  WITHDRAWN  message " << hex(w.message_id)
              << " in mailbox " << hex(w.mailbox_id)
              << ": its consent was revoked before it was fetched\n";
  }
}

int follow_inbox(Client& client, const Context& context) {
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  if (!context.json_output) {
    std::cerr << "following the inbox; Ctrl-C to stop\n";
  }
  FollowOptions options;
  options.keep_going = [] { return stop_requested == 0; };
  options.on_withdrawn = [&context](const Withdrawal& w) {
    print_withdrawal(w, context);
    std::cout << std::flush;
  };
  auto followed = client.follow(
      [&context](const SyncReport& report) {
        for (const auto& e : report.arrived) {
          if (context.json_output) {
            std::cout << json::serialize(entry_json(e)) << "\n";
          } else {
            print_entry(e);
          }
        }
        std::cout << std::flush;
      },
      options);
  if (!followed) {
    return fail(followed.error(), &client);
  }
  return kOk;
}

int cmd_inbox(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"all", "follow"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (args.flag("follow")) {
    return follow_inbox(client, context);
  }
  auto report = client.sync();
  if (!report) {
    return fail(report.error(), &client);
  }
  auto entries = client.inbox(!args.flag("all"));
  if (!entries) {
    return fail(entries.error(), &client);
  }
  if (context.json_output) {
    json::array out;
    for (const auto& e : *entries) {
      out.push_back(entry_json(e));
    }
    json::array withdrawn;
    for (const auto& w : report->withdrawn) {
      withdrawn.push_back(withdrawal_json(w));
    }
    print_json({{"new", report->new_messages},
                {"messages", std::move(out)},
                {"withdrawn", std::move(withdrawn)}});
    return kOk;
  }
  std::cout << report->new_messages << " new; " << entries->size()
            << (args.flag("all") ? " in the inbox" : " unread") << "\n";
  for (const auto& e : *entries) {
    print_entry(e);
  }
  for (const auto& w : report->withdrawn) {
    print_withdrawal(w, context);
  }
  return kOk;
}

std::optional<InboxEntry> resolve(Client& client, const Arguments& args, int& exit_code) {
  if (args.positional().size() != 2) {
    exit_code = usage_error(args.positional()[0] + " SEQ (the number inbox shows)");
    return std::nullopt;
  }
  auto entry = client.find(std::strtoll(args.positional()[1].c_str(), nullptr, 10));
  if (!entry) {
    exit_code = fail(entry.error());
    return std::nullopt;
  }
  return *entry;
}

// A sender's file name as a name in the folder the reader chose: no path, no hidden file.
std::string safe_file_name(const std::string& name, std::size_t index) {
  const std::string base = fs::path(name).filename().string();
  const bool usable =
      !base.empty() && base.front() != '.' && std::none_of(base.begin(), base.end(), [](char c) {
        return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
      });
  return usable ? base : "attachment-" + std::to_string(index + 1);
}

int cmd_read(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"save", "save-age"}); !bad.empty()) {
    return usage_error(bad);
  }
  int code = kOk;
  const auto entry = resolve(client, args, code);
  if (!entry) {
    return code;
  }
  auto message = client.read(entry->mailbox_id, entry->sequence);
  if (!message) {
    return fail(message.error(), &client);
  }
  const auto& opened = message->opened;
  const auto& sender = opened.sender;
  if (const auto age_file = args.value("save-age")) {
    const auto parsed = draaischijf::protocol::parse_envelope(message->envelope);
    if (!parsed ||
        !write_file_atomically(
            *age_file, {reinterpret_cast<const char*>(parsed->body.data()), parsed->body.size()},
            0600)) {
      return usage_error("cannot write " + *age_file);
    }
  }
  json::array fragments;
  json::array attachments;
  std::ostringstream human;
  human << draaischijf::protocol::name_of(opened.outer.kind) << " ("
        << draaischijf::protocol::name_of(opened.outer.purpose) << ")\nfrom  "
        << (entry->sender_org_name.empty() ? hex(sender.org_id) : entry->sender_org_name)
        << ", device " << hex(sender.device_id) << ", role "
        << draaischijf::protocol::name_of(sender.role)
        << "\n      signature and device certificate verified against the organisation key\n"
        << "sent  " << when(static_cast<std::int64_t>(opened.outer.created_at_ms)) << "\n";
  for (const auto& flag : message->entry.flags) {
    human << "WARNING: " << flag << " in the sender's sequence numbers\n";
  }
  std::size_t index = 0;
  for (const auto* view : message->fragments) {
    const auto& fragment = *view;
    ++index;
    const std::string category(draaischijf::protocol::name_of(fragment.category));
    const bool text = fragment.media_type.rfind("text/", 0) == 0;
    std::string saved;
    if (const auto dir = args.value("save")) {
      fs::create_directories(*dir);
      saved = (fs::path(*dir) / ("fragment-" + std::to_string(index))).string();
      std::ofstream(saved, std::ios::binary)
          .write(reinterpret_cast<const char*>(fragment.body.data()),
                 static_cast<std::streamsize>(fragment.body.size()));
    }
    const std::string body(fragment.body.begin(), fragment.body.end());
    fragments.push_back({{"category", category},
                         {"media_type", fragment.media_type},
                         {"size", fragment.body.size()},
                         {"text", text ? body : ""},
                         {"saved", saved}});
    human << "\n[" << category << "] " << fragment.media_type << ", " << fragment.body.size()
          << " bytes" << (saved.empty() ? "" : ", saved to " + saved) << "\n";
    if (text) {
      human << body << "\n";
    }
  }
  for (const auto& attachment : message->attachments) {
    const std::string category(draaischijf::protocol::name_of(attachment.category));
    std::string saved;
    if (const auto dir = args.value("save")) {
      fs::create_directories(*dir);
      saved = (fs::path(*dir) / safe_file_name(attachment.file_name, attachment.index)).string();
      auto written =
          client.save_attachment(entry->mailbox_id, entry->sequence, attachment.index, saved);
      if (!written) {
        return fail(written.error(), &client);
      }
    }
    attachments.push_back({{"category", category},
                           {"media_type", attachment.media_type},
                           {"file_name", attachment.file_name},
                           {"size", attachment.size},
                           {"saved", saved}});
    human << "\n[" << category << "] attachment " << attachment.file_name << ", "
          << attachment.media_type << ", " << attachment.size << " bytes"
          << (saved.empty() ? " (save it with --save DIR)" : ", verified and saved to " + saved)
          << "\n";
  }
  if (context.json_output) {
    auto out = entry_json(message->entry);
    out["attachments"] = std::move(attachments);
    out["purpose"] = std::string(draaischijf::protocol::name_of(opened.outer.purpose));
    out["thread_id"] = hex(opened.thread_id);
    out["sender_sequence"] = opened.sequence;
    out["fragments"] = std::move(fragments);
    print_json(out);
  } else {
    std::cout << human.str();
  }
  return kOk;
}

int cmd_ack(Client& client, const Arguments& args) {
  int code = kOk;
  const auto entry = resolve(client, args, code);
  if (!entry) {
    return code;
  }
  if (auto done = client.acknowledge(entry->mailbox_id, entry->sequence); !done) {
    return fail(done.error(), &client);
  }
  std::cout << "acknowledged " << entry->sequence << " as read\n";
  return kOk;
}

int cmd_status(Client& client, const Context& context, const Arguments& args) {
  if (args.positional().size() != 2) {
    return usage_error("status MESSAGE_ID (as send printed it)");
  }
  const auto id = parse_id(args.positional()[1]);
  if (!id) {
    return usage_error("status MESSAGE_ID: 32 hex digits");
  }
  auto states = client.status(*id);
  if (!states) {
    return fail(states.error(), &client);
  }
  json::array out;
  for (const auto& s : *states) {
    if (context.json_output) {
      out.push_back({{"mailbox_id", hex(s.mailbox_id)}, {"state", s.state}});
    } else {
      std::cout << hex(s.mailbox_id) << "  " << s.state << "\n";
    }
  }
  if (context.json_output) {
    print_json({{"message_id", args.positional()[1]}, {"recipients", std::move(out)}});
  }
  return kOk;
}

int cmd_admin(Client& client, const Context& context, const Arguments& args) {
  const auto& words = args.positional();
  const std::string sub = words.size() >= 2 ? words[1] : "";
  if (sub == "pending") {
    auto pending = client.pending_enrolments();
    if (!pending) {
      return fail(pending.error(), &client);
    }
    json::array out;
    for (const auto& p : *pending) {
      if (context.json_output) {
        out.push_back({{"device_id", hex(p.device_id)},
                       {"role", p.role},
                       {"staff_id", hex(p.staff_id)},
                       {"fingerprint", p.fingerprint}});
      } else {
        std::cout << hex(p.device_id) << "  " << p.role << "  fingerprint " << p.fingerprint
                  << "\n";
      }
    }
    if (context.json_output) {
      print_json(out);
    }
    return kOk;
  }
  const auto target = words.size() == 3 ? parse_id(words[2]) : std::nullopt;
  if (sub == "approve" && target) {
    const auto print = args.value("fingerprint");
    if (!print) {
      return usage_error(
          "admin approve DEVICE --fingerprint F: compare the fingerprint the new "
          "device shows (draaischijf whoami) and type it here");
    }
    std::vector<Id> mailboxes;
    for (const auto& m : args.values("mailbox")) {
      const auto id = parse_id(m);
      if (!id) {
        return usage_error("--mailbox takes a mailbox id (32 hex digits)");
      }
      mailboxes.push_back(*id);
    }
    if (auto approved = client.approve(*target, *print, mailboxes); !approved) {
      return fail(approved.error(), &client);
    }
    std::cout << "approved " << words[2] << "; added to " << mailboxes.size() << " mailbox(es)\n";
    return kOk;
  }
  if (sub == "remove" && target) {
    auto rotated = client.remove_member(*target);
    if (!rotated) {
      return fail(rotated.error(), &client);
    }
    std::cout << "removed " << words[2] << "; rotated " << rotated->size() << " mailbox(es)\n";
    return kOk;
  }
  if (sub == "rotate" && target) {
    auto epoch = client.rotate(*target);
    if (!epoch) {
      return fail(epoch.error(), &client);
    }
    std::cout << "mailbox " << words[2] << " is now at epoch " << *epoch << "\n";
    return kOk;
  }
  if (sub == "export-key" && target) {
    auto certificate = client.mailbox_certificate(*target);
    if (!certificate) {
      return fail(certificate.error(), &client);
    }
    const auto epoch = args.value("epoch") ? std::strtoul(args.value("epoch")->c_str(), nullptr, 10)
                                           : certificate->epoch;
    auto identity = client.export_mailbox_key(*target, static_cast<std::uint32_t>(epoch));
    if (!identity) {
      return fail(identity.error(), &client);
    }
    // The secret goes to stdout only, because the user asked for it; nothing else is printed.
    std::cout << identity->expose_secret_string() << "\n";
    return kOk;
  }
  return usage_error(
      "admin pending | approve DEVICE --fingerprint F | remove DEVICE | rotate "
      "MAILBOX | export-key MAILBOX [--epoch N]");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> words(argv + 1, argv + argc);
  Context context;
  if (const char* env = std::getenv("DRAAISCHIJF_PROFILE")) {
    context.profile_dir = env;
  } else if (const char* home = std::getenv("HOME")) {
    context.profile_dir = fs::path(home) / ".draaischijf";
  }
  // Global options come before the command.
  while (!words.empty() && words.front().rfind("--", 0) == 0) {
    const auto option = words.front();
    if (option == "--help" || option == "-h") {
      std::cout << kHelp;
      return kOk;
    }
    if (option == "--version") {
      std::cout << "draaischijf 0.1.0\n";
      return kOk;
    }
    if (option == "--json") {
      context.json_output = true;
      words.erase(words.begin());
      continue;
    }
    if ((option == "--profile" || option == "--key-file") && words.size() >= 2) {
      (option == "--profile" ? context.profile_dir : context.key_file.emplace()) =
          fs::path(words[1]);
      words.erase(words.begin(), words.begin() + 2);
      continue;
    }
    return usage_error("unknown or incomplete option " + std::string(option));
  }
  if (words.empty()) {
    std::cout << kHelp;
    return kUsageError;
  }
  if (words.front() == "policy") {  // the rule set's tools: no profile, no hub
    return draaischijf::cli::policy_command(words, context.json_output, std::cout, std::cerr);
  }
  const Arguments args(words, {"all", "json", "follow"});
  const std::string command = args.positional().front();
  if (command == "demo") {
    return draaischijf::client::run_walkthrough(std::cout);
  }
  if (command == "init") {
    return cmd_init(context, args);
  }
  if (command == "enrol") {
    return cmd_enrol(context, args);
  }
  const std::set<std::string> commands = {"whoami", "trust",   "directory", "send",
                                          "inbox",  "read",    "ack",       "status",
                                          "admin",  "approve", "consent",   "disclosures"};
  if (commands.count(command) == 0) {
    return usage_error("unknown command '" + command + "'");
  }
  int code = kOk;
  auto client = open_client(context, code);
  if (!client) {
    return code;
  }
  if (draaischijf::cli::progress_wanted(context.json_output)) {
    client->set_progress(draaischijf::cli::progress_bar());
  }
  if (command == "whoami") {
    return cmd_whoami(*client, context);
  }
  if (command == "trust") {
    return cmd_trust(*client, context, args);
  }
  if (command == "directory") {
    return cmd_directory(*client, context, args);
  }
  if (command == "send") {
    return draaischijf::cli::send_command(*client, context, args);
  }
  if (command == "approve") {
    return draaischijf::cli::approve_command(*client, context, args);
  }
  if (command == "consent") {
    return draaischijf::cli::consent_command(*client, context, args);
  }
  if (command == "disclosures") {
    return draaischijf::cli::disclosures_command(*client, context, args);
  }
  if (command == "inbox") {
    return cmd_inbox(*client, context, args);
  }
  if (command == "read") {
    return cmd_read(*client, context, args);
  }
  if (command == "ack") {
    return cmd_ack(*client, args);
  }
  if (command == "status") {
    return cmd_status(*client, context, args);
  }
  return cmd_admin(*client, context, args);
}
