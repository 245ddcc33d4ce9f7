// draaischijf directory, inbox, read, ack, status, sent: what the device sees and receives.

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <draaischijf/client/client.hpp>
#include <draaischijf/policies/vocabulary.hpp>
#include <draaischijf/protocol/directory_vocabulary.hpp>
#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace draaischijf::cli {
namespace {

using client::categories_text;
using client::Client;
using client::FollowOptions;
using client::InboxEntry;
using client::ReadMessage;
using client::SyncReport;
using client::Withdrawal;
using client::write_file_atomically;
using enum Exit;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// Why a mailbox takes nothing now, in words its sender can act on; empty when it is open.
std::string held_note(const client::DirectoryMailbox& m, std::int64_t now_ms) {
  if (m.accepting) {
    return {};
  }
  const auto until_ms = static_cast<std::int64_t>(m.valid_until) * 1000;
  if (until_ms < now_ms) {
    return "  (held: its key expired on " + when(until_ms) +
           "; its organisation's admin renews it with draaischijf admin renew)";
  }
  return "  (held until rotated)";
}

}  // namespace

// One option that takes a vocabulary name, checked here so a typo is a usage error that
// lists the names rather than an empty answer.
template <class Enum>
std::optional<std::string> vocabulary_option(const Arguments& args, const std::string& option,
                                             std::string& out) {
  const auto value = args.value(option);
  if (!value) {
    return std::nullopt;
  }
  if (!protocol::parse_name<Enum>(*value)) {
    return "--" + option + " takes one of: " + protocol::joined_names<Enum>();
  }
  out = *value;
  return std::nullopt;
}

std::optional<std::string> directory_filter(const Arguments& args, client::DirectoryFilter& f) {
  if (auto bad = args.unknown({"type", "region", "municipality", "offer"}); !bad.empty()) {
    return bad;
  }
  for (auto problem : {vocabulary_option<protocol::OrgType>(args, "type", f.type),
                       vocabulary_option<protocol::Province>(args, "region", f.province),
                       vocabulary_option<protocol::Offer>(args, "offer", f.offer)}) {
    if (problem) {
      return problem;
    }
  }
  f.municipality = args.value("municipality").value_or("");
  if (args.value("municipality") && !protocol::is_valid_municipality(f.municipality)) {
    return "--municipality takes a municipality's name (1 to 100 bytes, no control characters)";
  }
  return std::nullopt;
}

bool filter_given(const client::DirectoryFilter& f) {
  return !f.type.empty() || !f.province.empty() || !f.municipality.empty() || !f.offer.empty();
}

// "  [oost_vlaanderen, Gent; caw_intake, caw_jac]", or nothing when none is recorded.
std::string region_note(const client::DirectoryOrganisation& o) {
  std::string region = o.province;
  if (!o.municipality.empty()) {
    region += (region.empty() ? "" : ", ") + o.municipality;
  }
  std::string offers;
  for (const auto& offer : o.offers) {
    offers += (offers.empty() ? "" : ", ") + offer;
  }
  if (region.empty() && offers.empty()) {
    return {};
  }
  return "  [" + region + (region.empty() || offers.empty() ? "" : "; ") + offers + "]";
}

int cmd_directory(Client& client, const Context& context, const Arguments& args) {
  if (args.positional().size() == 2) {
    const auto org = parse_id(args.positional()[1]);
    if (!org) {
      return usage_error("directory ORG: ORG is 32 hex digits");
    }
    auto mailboxes = client.directory().mailboxes(*org);
    if (!mailboxes) {
      return fail(mailboxes.error(), &client);
    }
    json::array out;
    for (const auto& m : *mailboxes) {
      if (context.json_output) {
        out.push_back({{"mailbox_id", hex(m.mailbox_id)},
                       {"name", m.name},
                       {"epoch", m.epoch},
                       {"accepting", m.accepting},
                       {"valid_until_ms", m.valid_until * 1000}});
      } else {
        std::cout << hex(m.mailbox_id) << "  " << m.name << "  epoch " << m.epoch
                  << held_note(m, protocol::system_clock().now_ms()) << "\n";
      }
    }
    if (context.json_output) {
      print_json(out);
    }
    return kOk;
  }
  client::DirectoryFilter filter;
  if (auto problem = directory_filter(args, filter)) {
    return usage_error(*problem);
  }
  auto organisations = client.directory().organisations(filter);
  if (!organisations) {
    return fail(organisations.error(), &client);
  }
  json::array out;
  for (const auto& o : *organisations) {
    if (context.json_output) {
      json::object entry{{"org_id", hex(o.org_id)},
                         {"type", o.type},
                         {"name", o.name},
                         {"trusted", o.trusted},
                         {"fingerprint", o.fingerprint},
                         {"province", o.province},
                         {"municipality", o.municipality},
                         {"offers", json::value_from(o.offers)},
                         {"region_signed", o.region_signed}};
      if (o.clb) {
        entry["clb_org_id"] = hex(*o.clb);
      }
      out.push_back(std::move(entry));
    } else {
      // Names, municipality and offers are the hub's text: the terminal filter spells out
      // anything that could drive the terminal.
      std::cout << hex(o.org_id) << "  " << o.type << "  " << o.name << region_note(o)
                << (o.trusted ? "" : "  (NOT pinned: compare " + o.fingerprint + ")") << "\n";
    }
  }
  if (!context.json_output && organisations->empty() && filter_given(filter)) {
    std::cerr << "no organisation matches; widen the search (drop --municipality or --offer)\n";
  }
  if (context.json_output) {
    print_json(out);
  }
  return kOk;
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
  auto followed = client.inbox().follow(
      [&context](const SyncReport& report) {
        for (const auto& e : report.arrived) {
          if (context.json_output) {
            std::cout << json::serialize(client::inbox_entry_json(e)) << "\n";
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
  auto report = client.inbox().sync();
  if (!report) {
    return fail(report.error(), &client);
  }
  auto entries = client.inbox().list(!args.flag("all"));
  if (!entries) {
    return fail(entries.error(), &client);
  }
  if (context.json_output) {
    json::array out;
    for (const auto& e : *entries) {
      out.push_back(client::inbox_entry_json(e));
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
  auto entry = client.inbox().find(std::strtoll(args.positional()[1].c_str(), nullptr, 10));
  if (!entry) {
    exit_code = fail(entry.error());
    return std::nullopt;
  }
  return *entry;
}

// A sender's file name as a name in the folder the reader chose: no path, no hidden file, no
// control or bidi character (a right-to-left override makes "fdp.exe" read "exe.pdf").
std::string safe_file_name(const std::string& name, std::size_t index) {
  const std::string base = fs::path(name).filename().string();
  const bool usable = !base.empty() && base.front() != '.' &&
                      draaischijf::protocol::is_display_safe(base) &&
                      std::none_of(base.begin(), base.end(), [](char c) {
                        return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
                      });
  return usable ? base : "attachment-" + std::to_string(index + 1);
}

// What a flag on a received message means, for the warning above its content.
std::string flag_warning(const std::string& flag) {
  if (flag == "conflict") {
    return "conflict: the hub delivered another, different copy of this message id to this "
           "mailbox; compare them (draaischijf inbox --all) and tell the hub operator";
  }
  if (flag == "created_after_receipt") {
    return "created_after_receipt: the sender signed this message more than 5 minutes after the "
           "hub says it received it; the sender's clock or the hub's times are wrong";
  }
  if (flag == "log_fork") {
    return "log_fork: the checkpoint the sender signed into this message shows another history "
           "of the hub's transparency log than this device was shown (a split view); both are "
           "kept as evidence. The content is the sender's. Tell the hub operator and your admin";
  }
  if (flag == "gossip_unverified") {
    return "gossip_unverified: the sender's message carries a log checkpoint this hub's key did "
           "not sign; it was ignored (the content is still the sender's)";
  }
  if (flag == "sender_not_in_log") {
    return "sender_not_in_log: the hub cannot prove that its directory log holds the device "
           "certificate that signed this message, so the sender's organisation's monitor may "
           "never have seen that device. The content is signed under the organisation's key; "
           "ask the sender's organisation whether it knows the device, and tell your admin";
  }
  if (flag == "thread_gap") {
    return "thread_gap: this answers a message this device never received or sent; the hub may "
           "have held it back, or a colleague's device sent it. Ask the sender or a colleague";
  }
  return flag + " in the sender's sequence numbers";
}

// The circumstances the sender attested (docs/POLICY.md 10), by name: its word, under its
// signature, so the reader knows what the route rested on and whose word it was.
std::vector<std::string> attested_flags(const draaischijf::protocol::OuterHeader& outer) {
  std::vector<std::string> out;
  for (const auto& flag : draaischijf::protocol::policy_flags()) {
    if ((outer.attestations >> static_cast<unsigned>(flag.value) & 1U) != 0) {
      out.emplace_back(flag.name);
    }
  }
  return out;
}

// The attested flags and who attested them, for --json.
json::object attestation_json(const ReadMessage& message) {
  const auto& sender = message.opened.sender;
  json::array flags;
  for (const auto& flag : attested_flags(message.opened.outer)) {
    flags.emplace_back(flag);
  }
  return {{"flags", std::move(flags)},
          {"role", draaischijf::protocol::name_of(sender.role)},
          {"person", hex(sender.staff_id)},
          {"approvals", message.opened.outer.approvals.size()}};
}

// The header people read above the content: kind, purpose, sender, what was verified, when,
// what the sender attested and the approvals it names, and the sequence warnings.
void describe_sender(const InboxEntry& entry, const ReadMessage& message, std::ostream& human) {
  const auto& opened = message.opened;
  const auto& sender = opened.sender;
  human << draaischijf::protocol::name_of(opened.outer.kind) << " ("
        << draaischijf::protocol::name_of(opened.outer.purpose) << ")\nfrom  "
        << (entry.sender_org_name.empty() ? hex(sender.org_id) : entry.sender_org_name)
        << ", device " << hex(sender.device_id) << ", role "
        << draaischijf::protocol::name_of(sender.role)
        << "\n      signature and device certificate verified against the organisation key\n"
        << "sent  " << when(static_cast<std::int64_t>(opened.outer.created_at_ms)) << "\n";
  if (const auto flags = attested_flags(opened.outer); !flags.empty()) {
    human << "attested by the sender (" << draaischijf::protocol::name_of(sender.role)
          << ", person " << hex(sender.staff_id) << "):";
    for (const auto& flag : flags) {
      human << " " << flag;
    }
    human << "\n";
  }
  if (!opened.outer.approvals.empty()) {
    human << "second approvals named: " << opened.outer.approvals.size()
          << " (checked by the hub: another person than the sender, in the role the rule asks)\n";
  }
  for (const auto& flag : message.entry.flags) {
    human << "WARNING: " << flag_warning(flag) << "\n";
  }
}

// A message's text as the CLI shows it: each line behind "  | ", so no line of the body can
// pass for one of the CLI's own ("signature ... verified", "WARNING: ...").
std::string quoted_body(std::string_view body) {
  std::string out = "  | ";
  for (const char c : body) {
    out += c;
    if (c == '\n') {
      out += "  | ";
    }
  }
  return out;
}

// A fragment saved with --save: a new file, 0600, never through a symbolic link; a file there
// already is replaced only with --force (the link itself, not what it points to). Empty when
// saved, else what to tell the reader.
std::string save_new_file(const std::string& path, std::span<const std::uint8_t> bytes,
                          bool force) {
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(path.c_str(), kFlags, 0600);
  if (fd < 0 && errno == EEXIST && force && ::unlink(path.c_str()) == 0) {
    fd = ::open(path.c_str(), kFlags, 0600);
  }
  if (fd < 0) {
    return errno == EEXIST ? path +
                                 " is there already and was left as it is; save to another folder, "
                                 "remove it, or add --force to replace it"
                           : "cannot write " + path;
  }
  ::fchmod(fd, 0600);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return "cannot write " + path;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::fsync(fd) == 0 && ::close(fd) == 0 ? std::string{} : "cannot write " + path;
}

// The fragments, for people and as JSON; with --save each is written to DIR/fragment-SEQ-N
// (SEQ as inbox shows it: messages saved into one folder do not collide).
json::array show_fragments(const ReadMessage& message, const Arguments& args, std::ostream& human,
                           std::string& failed) {
  json::array fragments;
  std::size_t index = 0;
  for (const auto* view : message.fragments) {
    const auto& fragment = *view;
    ++index;
    const std::string category(draaischijf::protocol::name_of(fragment.category));
    const bool text = fragment.media_type.rfind("text/", 0) == 0;
    std::string saved;
    if (const auto dir = args.value("save")) {
      fs::create_directories(*dir);
      saved = (fs::path(*dir) /
               ("fragment-" + std::to_string(message.entry.sequence) + "-" + std::to_string(index)))
                  .string();
      if (auto why = save_new_file(saved, fragment.body, args.flag("force")); !why.empty()) {
        failed = std::move(why);
        return fragments;
      }
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
      human << quoted_body(body) << "\n";
    }
  }
  return fragments;
}

// The attachments, for people and as JSON; with --save each is fetched, verified and saved.
// Fails (the exit code) when one cannot be saved.
std::optional<int> show_attachments(Client& client, const InboxEntry& entry,
                                    const ReadMessage& message, const Arguments& args,
                                    std::ostream& human, json::array& attachments) {
  for (const auto& attachment : message.attachments) {
    const std::string category(draaischijf::protocol::name_of(attachment.category));
    std::string saved;
    if (const auto dir = args.value("save")) {
      fs::create_directories(*dir);
      saved = (fs::path(*dir) / safe_file_name(attachment.file_name, attachment.index)).string();
      auto written = client.inbox().save_attachment(entry.mailbox_id, entry.sequence,
                                                    attachment.index, saved, args.flag("force"));
      if (!written) {
        std::cerr << "error: " << saved << ": not saved\n";
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
  return std::nullopt;
}

int cmd_read(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"save", "save-age", "force"}); !bad.empty()) {
    return usage_error(bad);
  }
  int code = kOk;
  const auto entry = resolve(client, args, code);
  if (!entry) {
    return code;
  }
  auto message = client.inbox().read(entry->mailbox_id, entry->sequence);
  if (!message) {
    return fail(message.error(), &client);
  }
  const auto& opened = message->opened;
  if (const auto age_file = args.value("save-age")) {
    const auto parsed = draaischijf::protocol::parse_envelope(message->envelope);
    if (!parsed ||
        !write_file_atomically(
            *age_file, {reinterpret_cast<const char*>(parsed->body.data()), parsed->body.size()},
            0600)) {
      return usage_error("cannot write " + *age_file);
    }
  }
  std::ostringstream human;
  describe_sender(*entry, *message, human);
  std::string not_saved;
  json::array fragments = show_fragments(*message, args, human, not_saved);
  if (!not_saved.empty()) {
    std::cerr << "error: " << not_saved << "\n";
    return kFailed;
  }
  json::array attachments;
  if (const auto failed = show_attachments(client, *entry, *message, args, human, attachments)) {
    return *failed;
  }
  if (context.json_output) {
    auto out = client::inbox_entry_json(message->entry);
    out["attachments"] = std::move(attachments);
    out["purpose"] = std::string(draaischijf::protocol::name_of(opened.outer.purpose));
    out["thread_id"] = hex(opened.thread_id);
    out["sender_sequence"] = opened.sequence;
    out["fragments"] = std::move(fragments);
    out["attested"] = attestation_json(*message);
    print_json(out);
  } else {
    std::cout << human.str();
  }
  // Shown in full (the message is authentic), then the exit code of the other log errors.
  const auto& flags = message->entry.flags;
  if (std::find(flags.begin(), flags.end(), "log_fork") != flags.end()) {
    return fail(make_error_code(client::client_errc::split_view));
  }
  return kOk;
}

int cmd_ack(Client& client, const Arguments& args) {
  int code = kOk;
  const auto entry = resolve(client, args, code);
  if (!entry) {
    return code;
  }
  if (auto done = client.inbox().acknowledge(entry->mailbox_id, entry->sequence); !done) {
    return fail(done.error(), &client);
  }
  std::cout << "acknowledged " << entry->sequence << " as read\n";
  return kOk;
}

// The team's recent sends with each recipient's state: `sent`, and `status` without an id.
int print_sent(Client& client, const Context& context, std::size_t limit) {
  // Colleagues' sends are known from their copies in the team's Sent folder: fetch them first.
  if (auto synced = client.inbox().sync(); !synced) {
    return fail(synced.error(), &client);
  }
  auto sent = client.inbox().sent(limit);
  if (!sent) {
    return fail(sent.error(), &client);
  }
  json::array out;
  for (const auto& e : *sent) {
    json::array recipients;
    std::string states;
    for (const auto& r : e.recipients) {
      recipients.push_back({{"mailbox_id", hex(r.mailbox_id)}, {"state", r.state}});
      states += "  " + hex(r.mailbox_id) + " " + r.state + "\n";
    }
    const std::string by = e.by_this_device ? "this device" : "device " + hex(e.sender_device);
    if (context.json_output) {
      out.push_back({{"message_id", hex(e.message_id)},
                     {"kind", e.kind},
                     {"received_at_ms", e.received_at_ms},
                     {"by_this_device", e.by_this_device},
                     {"sender_device", e.by_this_device ? "" : hex(e.sender_device)},
                     {"recipients", std::move(recipients)}});
    } else {
      std::cout << hex(e.message_id) << "  " << when(e.received_at_ms) << "  " << e.kind << "  by "
                << by << "\n"
                << states;
    }
  }
  if (context.json_output) {
    print_json({{"sent", std::move(out)}});
  } else if (sent->empty()) {
    std::cout << "nothing sent yet by this device or, as far as this device has received, by "
                 "its team\n";
  }
  return kOk;
}

constexpr std::size_t kRecentSends = 20;

int cmd_sent(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"limit", "json"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (args.positional().size() != 1) {
    return usage_error("sent [--limit N]");
  }
  std::size_t limit = kRecentSends;
  if (const auto given = args.value("limit")) {
    char* end = nullptr;
    const auto value = std::strtoul(given->c_str(), &end, 10);
    if (given->empty() || *end != '\0' || value == 0 || value > 1000) {
      return usage_error("sent --limit N: a number from 1 to 1000");
    }
    limit = value;
  }
  return print_sent(client, context, limit);
}

int cmd_status(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"json"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (args.positional().size() == 1) {
    return print_sent(client, context, kRecentSends);
  }
  if (args.positional().size() != 2) {
    return usage_error("status [MESSAGE_ID] (as send printed it; without it, the recent sends)");
  }
  const auto id = parse_id(args.positional()[1]);
  if (!id) {
    return usage_error("status MESSAGE_ID: 32 hex digits");
  }
  auto states = client.inbox().status(*id);
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

}  // namespace

int directory_command(const Invocation& call) {
  return cmd_directory(*call.client, call.context, call.args);
}
int inbox_command(const Invocation& call) {
  return cmd_inbox(*call.client, call.context, call.args);
}
int read_command(const Invocation& call) { return cmd_read(*call.client, call.context, call.args); }
int ack_command(const Invocation& call) { return cmd_ack(*call.client, call.args); }
int status_command(const Invocation& call) {
  return cmd_status(*call.client, call.context, call.args);
}
int sent_command(const Invocation& call) { return cmd_sent(*call.client, call.context, call.args); }

}  // namespace draaischijf::cli
