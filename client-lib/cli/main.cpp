// draaischijf: the command-line client, built on the client library's public API only.
//
// Every command is one row of kCommands: its words, what it needs (nothing, or an opened
// client), its handler, and its line in --help. The dispatch below and --help both read the
// table, so a command cannot be dispatched without being documented, or the other way round
// (the model is the hub's route table).

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/walkthrough.hpp>

#include "approval_command.hpp"
#include "case_commands.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "compose.hpp"
#include "consent_command.hpp"
#include "notice_command.hpp"
#include "options.hpp"
#include "policy_command.hpp"
#include "progress.hpp"
#include "referral_command.hpp"
#include "terminal_filter.hpp"

#ifndef DRAAISCHIJF_VERSION
#error "DRAAISCHIJF_VERSION comes from project(VERSION) in CMakeLists.txt"
#endif

namespace {

namespace fs = std::filesystem;
using draaischijf::cli::Context;
using draaischijf::cli::Invocation;
using draaischijf::cli::usage_error;
using enum draaischijf::cli::Exit;
namespace cli = draaischijf::cli;

/// What the dispatcher prepares before calling a handler.
enum class Needs {
  nothing,   // no profile (or the command makes it)
  client,    // the profile, the unlocked key store and a connection to the hub
  own_words  // parses its own words and subcommands (no profile, no hub)
};

struct Command {
  std::string_view name;
  std::string_view sub;  // empty: the command has no subcommands
  Needs needs;
  int (*handler)(const Invocation&);
  std::string_view usage;  // may span lines (continuations carry their own indentation)
  std::string_view help;   // may span lines; printed from column 42
};

// Adapters for the handlers that take (client, context, args).
template <int (*F)(draaischijf::client::Client&, const Context&, const cli::Arguments&)>
int with_client(const Invocation& call) {
  return F(*call.client, call.context, call.args);
}

int demo_command(const Invocation&) { return draaischijf::client::run_walkthrough(std::cout); }

int policy_command(const Invocation& call) {
  return cli::policy_command({call.words.begin(), call.words.end()}, call.context.json_output,
                             std::cout, std::cerr);
}

constexpr Needs kNothing = Needs::nothing;
constexpr Needs kClient = Needs::client;

// clang-format off
constexpr Command kCommands[] = {
  {"init", "", kNothing, cli::init_command,
   "init --from-dev DIR [--hub HOST:PORT]",
   "Creates the profile from a development deployment's\n"
   "device folder (draaischijf-data/dev-pki/clb, .../admin);\n"
   "pins the policy key of dev-pki/policy-signing.pub"},
  {"enrol", "start", kNothing, cli::enrol_start_command,
   "enrol start --hub HOST:PORT --ca ROOT.pem --trust TRUST.txt --hub-key HUB.pub --org ORG\n"
   "      --org-type TYPE --role ROLE [--policy-key POLICY.pub]",
   "Makes this device's keys and a certificate request"},
  {"enrol", "finish", kNothing, cli::enrol_finish_command,
   "enrol finish --certificate DEVICE.pem [--person STAFF_ID]",
   "Installs the issued certificate, asks to be enrolled;\n"
   "--person: your staff id (whoami on your other\n"
   "device), so the admin certifies the same person"},
  {"whoami", "", kClient, cli::whoami_command,
   "whoami",
   "This device: ids, role, fingerprint, person (the\n"
   "staff id certified for it, once enrolled)"},
  {"trust", "list", kClient, cli::trust_command,
   "trust list",
   "Pinned keys"},
  {"trust", "import", kClient, cli::trust_command,
   "trust import BUNDLE [--accept-changes]",
   "Pins every organisation of the hub operator's\n"
   "signed directory bundle (verified with the pinned\n"
   "policy key; an older bundle is refused); lists new,\n"
   "unchanged and CHANGED keys: a changed key is pinned\n"
   "only with --accept-changes, after comparing it;\n"
   "unpins the organisations it lists as REMOVED"},
  {"trust", "add", kClient, cli::trust_command,
   "trust add ORG --fingerprint F | trust add --policy-key FILE|BASE64",
   "Pins an organisation after comparing, or the hub\n"
   "operator's policy key (for the pre-check)"},
  {"trust", "replace", kClient, cli::trust_command,
   "trust replace ORG --fingerprint F | trust replace --policy-key FILE|BASE64",
   "A pinned key changes only this way; both\n"
   "fingerprints are shown"},
  {"directory", "", kClient, cli::directory_command,
   "directory [ORG] [--type TYPE] [--region PROVINCE] [--municipality M] [--offer X]",
   "Organisations (with region and offers), or one\n"
   "organisation's mailboxes; the options search:\n"
   "e.g. --type caw --region oost_vlaanderen --offer\n"
   "caw_intake (docs/PROTOCOL.md 4.3 lists the names)"},
  {"send", "", kClient, with_client<cli::send_command>,
   "send KIND [--to MAILBOX]... [--purpose P] [--text CATEGORY=TEXT]...\n"
   "     [--file CATEGORY=PATH[@MEDIA/TYPE]]... [--consent ID] [--pupil REF] [--reply-to SEQ]\n"
   "     [--flag NAME]... [--approval ID]... [--message-id HEX] [--thread-id HEX]",
   "A school's signaal without --to goes to the\n"
   "onthaal of its CLB (as the directory records it)\n"
   "--file sends an attachment, encrypted as it is\n"
   "read (any size up to the hub's limit)\n"
   "KIND: signaal, consultatie, doorverwijzing,\n"
   "terugkoppeling, statusantwoord, ...\n"
   "--flag attests a circumstance (docs/POLICY.md 3)\n"
   "The policy is checked first with the hub's signed\n"
   "rules (when the policy key is pinned), and again by\n"
   "the hub; a refusal prints the rules, the reasons in\n"
   "Dutch and English and what to do (exit 3)"},
  {"approve", "", kClient, with_client<cli::approve_command>,
   "approve KIND --to MAILBOX ... --message-id HEX [--thread-id HEX]",
   "Second approval by a colleague (the CLB-arts, the\n"
   "director): the same arguments as the send it\n"
   "approves, with the ids the refusal printed; signs\n"
   "with this device's key and prints the approval id"},
  {"approval", "request", kClient, with_client<cli::approval_request_command>,
   "approval request KIND --to MAILBOX ... [--approver ROLE]",
   "Asks the second approval the policy wants: the same\n"
   "arguments as the send; the draft itself goes,\n"
   "encrypted, to the mailbox of the approving role\n"
   "(the pre-check's role, or --approver ROLE);\n"
   "prints the ids to send with once approved"},
  {"approval", "list", kClient, with_client<cli::approval_list_command>,
   "approval list",
   "Requests waiting for your approval, each with\n"
   "exactly the content you approve, and the answers\n"
   "to your requests (approved with the approval id,\n"
   "or declined with the reason)"},
  {"approval", "approve", kClient, with_client<cli::approval_answer_command>,
   "approval approve SEQ",
   "Signs the approval of exactly that request's draft\n"
   "and tells the requester"},
  {"approval", "decline", kClient, with_client<cli::approval_answer_command>,
   "approval decline SEQ --reason TEXT",
   "Tells the requester it is not approved, and why"},
  {"consent", "register", kClient, with_client<cli::consent_register_command>,
   "consent register --pupil REF --giver ouders|leerling|beiden [--capacity TEXT]\n"
   "     [--basis TEXT] (--born YYYY-MM-DD | --age N) [--competency vermoed|bekwaam|onbekwaam]\n"
   "     (--to-type caw,... | --to ORG)... [--to-kind ouders|leerling] --categories a,b\n"
   "     --purposes a,b --from DATE [--until DATE] [--channel schriftelijk|digitaal|mondeling]",
   "Registers a consent (CLB); prints its id. The hub\n"
   "refuses the wrong giver for the pupil's age (exit 3)"},
  {"consent", "list", kClient, with_client<cli::consent_list_command>,
   "consent list --pupil REF",
   "The pupil's consents"},
  {"consent", "revoke", kClient, with_client<cli::consent_revoke_command>,
   "consent revoke ID",
   "Revokes from now on; what still waits under it\n"
   "is withdrawn, and listed"},
  {"transfer", "announce", kClient, with_client<cli::transfer_command>,
   "transfer announce --pupil REF --to ORG_ID --parents-told YYYY-MM-DD",
   "Announces the dossier transfer to the new CLB on a\n"
   "change of school, signed by this device; the hub\n"
   "dates it and computes the objection period (R14) on\n"
   "the CLB's calendar; only that CLB gets the dossier"},
  {"transfer", "object", kClient, with_client<cli::transfer_command>,
   "transfer object --pupil REF",
   "Registers the written objection: the rest of the\n"
   "dossier stays, the mandatory set goes (R13, R14)"},
  {"transfer", "show", kClient, with_client<cli::transfer_command>,
   "transfer show --pupil REF",
   "The announcement, when the period passes, any objection"},
  {"notices", "", kClient, with_client<cli::notices_command>,
   "notices [ack ID]",
   "The hub's signed notices (a message not fetched in\n"
   "time, a transfer's objection window closed), each\n"
   "verified against the pinned hub key (exit 4 if not);\n"
   "ack ID acknowledges one"},
  {"objection", "register", kClient, with_client<cli::objection_command>,
   "objection register --pupil REF",
   "Registers that the parents or the competent pupil\n"
   "object to advice going to the school: the hub then\n"
   "refuses it from every device of the CLB (R03)"},
  {"objection", "withdraw", kClient, with_client<cli::objection_command>,
   "objection withdraw --pupil REF",
   "Withdraws it (the history stays in the audit log)"},
  {"objection", "show", kClient, with_client<cli::objection_command>,
   "objection show --pupil REF",
   "Whether an objection to advice stands, since when"},
  {"disclosures", "", kClient, with_client<cli::disclosures_command>,
   "disclosures --pupil REF",
   "What was disclosed about the pupil: to whom, which\n"
   "categories, when, on which basis"},
  {"case", "assign", kClient, with_client<cli::case_command>,
   "case assign CASE --to STAFF_ID",
   "Takes a signaal's case on (CLB): signs the statement\n"
   "on this device; the staff id must be the CLB's"},
  {"case", "vraagverheldering", kClient, with_client<cli::case_command>,
   "case vraagverheldering CASE",
   "The assigned case goes into vraagverheldering"},
  {"case", "track", kClient, with_client<cli::case_command>,
   "case track CASE advice|diagnosis|diagnosis_formalised_advice|referral",
   "The case follows a track (its target applies)"},
  {"case", "close", kClient, with_client<cli::case_command>,
   "case close CASE --reason no_further_guidance|referred|moved_school|other",
   "Closes the case; the school sees afgerond"},
  {"case", "delay", kClient, with_client<cli::case_command>,
   "case delay CASE --reason leerbedreigd|partner_pace|waiting_list|other",
   "Why the case's target is exceeded"},
  {"case", "link", kClient, with_client<cli::case_command>,
   "case link CASE (--consent ID | --referral MESSAGE_ID)",
   "Links a consent or a referral to the case"},
  {"case", "show", kClient, with_client<cli::case_command>,
   "case show CASE",
   "The case with its statements, each verified"},
  {"cases", "", kClient, with_client<cli::cases_command>,
   "cases [--state S] [--assignee STAFF_ID] [--priority urgent|ordinary] [--overdue]",
   "The CLB's triage queue: urgent first, then by\n"
   "arrival; due dates on the CLB calendar"},
  {"signalen", "", kClient, with_client<cli::signalen_command>,
   "signalen",
   "What became of the school's signalen: ontvangen,\n"
   "in_behandeling or afgerond (roles of rule SIG01)"},
  {"report", "", kClient, with_client<cli::report_command>,
   "report [--csv]",
   "The CLB director's report on its cases, aggregates\n"
   "only; --csv writes RFC 4180 CSV"},
  {"referral", "status", kClient, with_client<cli::referral_status_command>,
   "referral status MESSAGE_ID received|accepted|started\n"
   "     | declined --reason outside_offer|capacity|client_refused|no_consent|other\n"
   "     | waitlisted --from DATE | intake_planned --on DATE\n"
   "     | closed --outcome completed|referred_on|client_stopped|no_show|other",
   "Moves a referral this organisation received (the\n"
   "partner): signs the status statement on this device;\n"
   "the hub refuses a step the lifecycle does not allow"},
  {"referral", "cancel", kClient, with_client<cli::referral_cancel_command>,
   "referral cancel MESSAGE_ID [--partner ORG]",
   "Cancels a referral this CLB sent (before it started)"},
  {"referrals", "", kClient, with_client<cli::referrals_command>,
   "referrals [--state S] [--partner ORG] [--overdue]",
   "The referrals this organisation sent (CLB) or\n"
   "received (partner): state, due dates, overdue;\n"
   "every signed statement checked here (exit 4 when\n"
   "the hub's history does not check out)"},
  {"inbox", "", kClient, cli::inbox_command,
   "inbox [--all | --follow]",
   "Fetches new messages, verifies them, lists unread\n"
   "(and messages withdrawn before they were fetched)\n"
   "--follow keeps listening: each message as it\n"
   "arrives, across disconnects and hub restarts, and\n"
   "each withdrawal (Ctrl-C stops)"},
  {"read", "", kClient, cli::read_command,
   "read SEQ [--save DIR [--force]] [--save-age FILE]",
   "Opens and verifies one message; marks it read.\n"
   "--save writes fragments and attachments (each\n"
   "checked against the sender's signature first),\n"
   "0600, never over a file there unless --force\n"
   "--save-age writes its age body (for archives)"},
  {"ack", "", kClient, cli::ack_command,
   "ack SEQ",
   "Acknowledges reading without opening"},
  {"status", "", kClient, cli::status_command,
   "status [MESSAGE_ID]",
   "Delivery and read status per recipient of one\n"
   "message (queued, delivered, read, withdrawn);\n"
   "without MESSAGE_ID, of the 20 most recent sends\n"
   "(as `sent`)"},
  {"sent", "", kClient, cli::sent_command,
   "sent [--limit N]",
   "The team's recent sends, newest first: this\n"
   "device's and those in the team's Sent folder (a\n"
   "copy of every send goes to the organisation's\n"
   "general mailbox), each recipient's state"},
  {"admin", "org init", kNothing, cli::admin_org_init_command,
   "admin org init --type TYPE --name NAME --backup-recipient AGE1... --backup FILE\n"
   "      --out REQUEST [--org-id HEX]   (with --org-keys FILE)",
   "The organisation key ceremony: makes the\n"
   "organisation signing key in its own key store\n"
   "(--org-keys), an age-encrypted backup to the\n"
   "offline recipient, and the signed registration\n"
   "request for the hub operator; prints the\n"
   "fingerprint to compare with the operator"},
  {"admin", "org restore-key", kNothing, cli::admin_org_restore_command,
   "admin org restore-key --backup FILE --identity AGE_KEY_FILE   (with --org-keys FILE)",
   "A new organisation key store from the backup,\n"
   "opened with the offline age identity"},
  {"admin", "org enrol-self", kClient, cli::admin_org_enrol_self_command,
   "admin org enrol-self --out FILE   (with --org-keys FILE)",
   "The organisation's first admin device: its own\n"
   "certificate, signed with the organisation key,\n"
   "for the operator's org enrol-admin"},
  {"admin", "pending", kClient, cli::admin_pending_command,
   "admin pending",
   "Devices waiting for approval, with the role each\n"
   "claims (its fingerprint covers keys and role) and\n"
   "the person it claims, against the organisation's\n"
   "certificates (one staff id and role per person)"},
  {"admin", "devices", kClient, cli::admin_devices_command,
   "admin devices",
   "Enrolled devices with their role and person (the\n"
   "staff id certified for them), to pick --person"},
  {"admin", "staff", kClient, cli::admin_staff_command,
   "admin staff",
   "The organisation's persons: each staff id with its\n"
   "role and its devices (four-eyes compares these)"},
  {"admin", "approve", kClient, cli::admin_approve_command,
   "admin approve DEVICE --fingerprint F (--person STAFF_ID | --new-person)\n"
   "      [--mailbox M]...",
   "Certifies the device for a person after comparing\n"
   "its fingerprint: --person for a further device of\n"
   "someone with a device (the same staff id: four-eyes\n"
   "compares persons), --new-person for someone new;\n"
   "adds it to the mailboxes"},
  {"admin", "remove", kClient, cli::admin_remove_command,
   "admin remove DEVICE",
   "Removes a device and rotates its mailboxes"},
  {"admin", "add-member", kClient, cli::admin_add_member_command,
   "admin add-member MAILBOX DEVICE",
   "Adds an enrolled device to a mailbox (a new epoch;\n"
   "it reads the whole history)"},
  {"admin", "remove-member", kClient, cli::admin_remove_member_command,
   "admin remove-member MAILBOX DEVICE",
   "Takes a device out of a mailbox (a new epoch; it\n"
   "opens nothing sent there afterwards); the device\n"
   "stays enrolled"},
  {"admin", "pupil-key", kClient, cli::admin_pupil_key_command,
   "admin pupil-key DEVICE",
   "Sends the organisation's pupil key to an enrolled device again"},
  {"admin", "create-mailbox", kClient, cli::admin_create_mailbox_command,
   "admin create-mailbox NAME --function ROLE|general [--member DEVICE]...",
   "A new mailbox serving one staff role (every member\n"
   "must have it) or general; the admin is a member"},
  {"admin", "rename-mailbox", kClient, cli::admin_rename_mailbox_command,
   "admin rename-mailbox MAILBOX --name NEW",
   "A mailbox's display name (1 to 200 bytes, no\n"
   "control or bidi characters); signed with the\n"
   "organisation key; the epoch and members stay"},
  {"admin", "rotate", kClient, cli::admin_rotate_command,
   "admin rotate MAILBOX",
   "The mailbox to a new epoch, with the same members"},
  {"admin", "renew", kClient, cli::admin_renew_command,
   "admin renew",
   "Rotates every mailbox whose key ends within 14 days\n"
   "(epochs are valid 90 days); run it weekly"},
  {"admin", "export-key", kClient, cli::admin_export_key_command,
   "admin export-key MAILBOX [--epoch N]",
   "The mailbox's age key, for opening archives with age"},
  {"admin", "monitor", kClient, cli::admin_monitor_command,
   "admin monitor [--acknowledge INDEX]...",
   "Replays the hub's directory log since the last run,\n"
   "each entry proved in a checkpoint; lists every entry\n"
   "about this organisation; exit 4 for a key or epoch\n"
   "its devices did not make (--acknowledge: reviewed)"},
  {"ui", "", kNothing, cli::ui_command,
   "ui [--port N] [--no-browser] [--lock-after SECONDS]",
   "The web inbox in your browser, on 127.0.0.1 only:\n"
   "prints (and opens) a one-time address; the keys\n"
   "stay in this program and lock after SECONDS\n"
   "without use (default 900); the page then asks\n"
   "for the passphrase (Ctrl-C stops)"},
  {"demo", "", kNothing, demo_command,
   "demo",
   "The protocol walkthrough, offline"},
  {"policy", "test", Needs::own_words, policy_command,
   "policy test [CASES] [--rules RULES] [--signature SIG --key KEY] [--no-coverage]",
   "Runs a policy case table (default: the built-in\n"
   "one) against the rules (no profile, no hub):\n"
   "PASS/FAIL per case and what differs, then the\n"
   "rules still lacking a case; --json: each decision"},
  {"policy", "explain", Needs::own_words, policy_command,
   "policy explain \"REQUEST\" [--rules RULES] [--signature SIG --key KEY]",
   "Decides one request (case entries separated by\n"
   "';') and explains why, and which consents on\n"
   "record do not count; --json for the decision\n"
   "Rules: --rules, else $DRAAISCHIJF_RULES, else\n"
   "the built-in rule set, from any folder; unsigned\n"
   "without --signature/--key (policy --help)"},
};
// clang-format on

constexpr std::string_view kIntro = R"(draaischijf - the Draaischijf client

Usage: draaischijf [--profile DIR] [--key-file FILE] [--org-keys FILE [--org-key-file FILE]]
                   [--json] COMMAND ...

Device profile (default folder: $DRAAISCHIJF_PROFILE, else ~/.draaischijf). The key store is
opened with --key-file, else the passphrase in $DRAAISCHIJF_PASSPHRASE, else one typed at the
terminal. An organisation admin's device keeps the organisation signing key in a key store of
its own (--org-keys, made by `admin org init`), opened with --org-key-file, else the
passphrase in $DRAAISCHIJF_ORG_PASSPHRASE, else one typed; the admin commands sign with it.

)";

constexpr std::string_view kExitCodes = R"(  --help | --version

Exit codes: 0 done; 1 the operation failed (the message says why; policy test: a case
fails or a rule lacks a case); 2 usage error; 3 refused by the policy (also a consent
record the hub refuses); 4 a security check failed (untrusted, tampered, fingerprint, an
attachment that does not match its signed hash, a rule set whose signature does not verify
against the pinned key); 5 the hub cannot be reached.
)";

constexpr std::size_t kHelpColumn = 42;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return lines;
}

// --help: the table, each usage at column 2 and its help from column 42 (beside the usage's
// last line when it leaves room, else below it).
void print_help(std::ostream& out) {
  out << kIntro;
  for (const auto& command : kCommands) {
    const auto usage = lines_of(command.usage);
    const auto help = lines_of(command.help);
    for (std::size_t i = 0; i + 1 < usage.size(); ++i) {
      out << "  " << usage[i] << "\n";
    }
    std::string line = "  " + std::string(usage.back());
    std::size_t next = 0;
    if (!help.empty() && line.size() + 2 <= kHelpColumn) {
      line.resize(kHelpColumn, ' ');
      line += help[next++];
    }
    out << line << "\n";
    for (; next < help.size(); ++next) {
      out << std::string(kHelpColumn, ' ') << help[next] << "\n";
    }
  }
  out << kExitCodes;
}

// The row for the command's words, or nullptr; `rows` are the command's rows, for the usage
// error that lists its subcommands.
const Command* find_command(const std::vector<std::string>& words,
                            std::vector<const Command*>& rows) {
  for (const auto& command : kCommands) {
    if (command.name != words.front()) {
      continue;
    }
    rows.push_back(&command);
    // A subcommand of two words ("org init") is matched against the next two.
    const std::string sub = words.size() >= 3 && command.sub.find(' ') != std::string_view::npos
                                ? words[1] + " " + words[2]
                                : (words.size() >= 2 ? words[1] : std::string());
    if (command.sub.empty() || command.needs == Needs::own_words || sub == command.sub) {
      return &command;
    }
  }
  return nullptr;
}

int dispatch(const Context& context, const std::vector<std::string_view>& words) {
  const cli::Arguments args(words, {"all", "json", "follow", "force", "new-person",
                                    "accept-changes", "no-browser", "csv", "overdue"});
  std::vector<const Command*> rows;
  const Command* command = find_command(args.positional(), rows);
  if (command == nullptr && rows.empty()) {
    return usage_error("unknown command '" + args.positional().front() + "'");
  }
  if (command == nullptr) {
    std::string subs;
    for (const auto* row : rows) {
      subs += (subs.empty() ? "" : " | ") + std::string(lines_of(row->usage).front());
    }
    return usage_error(subs);
  }
  if (command->needs != Needs::client) {
    return command->handler({context, args, words, nullptr});
  }
  int code = kOk;
  auto client = cli::open_client(context, code);
  if (!client) {
    return code;
  }
  if (cli::progress_wanted(context.json_output)) {
    client->set_progress(cli::progress_bar());
  }
  return command->handler({context, args, words, &*client});
}

}  // namespace

int main(int argc, char** argv) {
  // Every line printed for a person is filtered: text from the hub cannot drive the terminal.
  // stdout is taken off the filter again when --json asks for exact output.
  cli::FilteredOutput filtered;
  filtered.install(std::cout);
  filtered.install(std::cerr);
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
      print_help(std::cout);
      return kOk;
    }
    if (option == "--version") {
      std::cout << "draaischijf " << DRAAISCHIJF_VERSION << "\n";
      return kOk;
    }
    if (option == "--json") {
      context.json_output = true;
      filtered.remove(std::cout);
      words.erase(words.begin());
      continue;
    }
    if ((option == "--profile" || option == "--key-file" || option == "--org-keys" ||
         option == "--org-key-file") &&
        words.size() >= 2) {
      (option == "--profile"    ? context.profile_dir
       : option == "--key-file" ? context.key_file.emplace()
       : option == "--org-keys" ? context.org_keys.emplace()
                                : context.org_key_file.emplace()) = fs::path(words[1]);
      words.erase(words.begin(), words.begin() + 2);
      continue;
    }
    return usage_error("unknown or incomplete option " + std::string(option));
  }
  if (words.empty()) {
    print_help(std::cout);
    return kUsageError;
  }
  if (words.front() == "policy" && std::find(words.begin(), words.end(), "--json") != words.end()) {
    filtered.remove(std::cout);  // `policy explain ... --json` takes it after its own words
  }
  return dispatch(context, words);
}
