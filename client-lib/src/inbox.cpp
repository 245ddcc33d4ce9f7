#include <algorithm>
#include <map>
#include <set>

#include <boost/json/array.hpp>

#include <draaischijf/client/inbox.hpp>
#include <draaischijf/protocol/envelope_batch.hpp>
#include <draaischijf/protocol/log_entry.hpp>

#include "attachment_transfer.hpp"
#include "directory_log.hpp"
#include "gossip.hpp"
#include "hub_json.hpp"
#include "verified_directory.hpp"

namespace draaischijf::client {
namespace {

using detail::SessionState;
using protocol::Id;
using protocol::Result;

// How far a sender's clock may run ahead of the hub's before a message whose signed creation
// time comes after the hub's receipt of it is flagged (created_after_receipt).
constexpr std::int64_t kAllowedClockSkewMs = 5 * 60 * 1000;

void add_flag(std::string& flags, std::string_view flag) {
  if (!flags.empty()) {
    flags += ' ';
  }
  flags += flag;
}

// What the hub's logs say about a message that opened: the sender's view of the logs against
// this device's (a split view is flagged and its evidence kept), and whether the directory log
// holds the device certificate that signed it. A hub that hides a device from the sender's
// organisation's monitor cannot have its messages read as if it had not: the message still
// opens (its signature chains to the pinned organisation key) but carries `sender_not_in_log`.
Result<std::string> log_flags(SessionState& s, const protocol::OpenedEnvelope& opened,
                              const Id& message_id) {
  auto flags = check_gossip(s, opened.checkpoints, message_id);
  if (!flags) {
    return flags.error();
  }
  const auto entry = protocol::device_certificate_entry(protocol::encode(opened.sender));
  if (auto logged = require_logged_entry(s, entry); !logged) {
    if (logged.error() != client_errc::not_in_log) {
      return logged.error();  // the hub or the log could not be asked: fetched again later
    }
    add_flag(*flags, "sender_not_in_log");
  }
  return flags;
}

// A stored message as the inbox lists it.
InboxEntry entry_of(const SessionState& s, const StoredMessage& m) {
  InboxEntry entry;
  entry.mailbox_id = m.mailbox_id;
  entry.sequence = m.sequence;
  entry.message_id = m.message_id;
  entry.received_at_ms = m.received_at_ms;
  entry.sender_org = m.sender_org;
  if (const auto* organisation = s.trust.find(m.sender_org)) {
    entry.sender_org_name = organisation->name;
  }
  entry.sender_device = m.sender_device;
  entry.sender_role = m.sender_role;
  entry.kind = m.kind;
  entry.categories =
      protocol::CategorySet::from_bits(m.categories).value_or(protocol::CategorySet{});
  std::string flag;
  for (const char c : m.flags + " ") {
    if (c == ' ') {
      if (!flag.empty()) {
        entry.flags.push_back(flag);
      }
      flag.clear();
    } else {
      flag += c;
    }
  }
  entry.problem = m.problem;
  entry.read = m.read_at_ms.has_value();
  return entry;
}

// Splits the opened content into what people read: the fragments, and the attachments with the
// category their reference fragment gives them.
void describe_contents(ReadMessage& message) {
  const auto& opened = message.opened;
  for (const auto& fragment : opened.fragments) {
    if (fragment.media_type != protocol::kAttachmentReferenceMediaType) {
      message.fragments.push_back(&fragment);
    }
  }
  for (std::size_t i = 0; i < opened.attachments.size(); ++i) {
    const auto& descriptor = opened.attachments[i];
    ReceivedAttachment attachment{i, protocol::DataCategory::verslag, descriptor.media_type,
                                  descriptor.file_name,
                                  protocol::attachment_plaintext_size(descriptor.ciphertext_size)};
    for (const auto& fragment : opened.fragments) {
      if (fragment.media_type == protocol::kAttachmentReferenceMediaType &&
          std::ranges::equal(fragment.body, descriptor.id)) {
        attachment.category = fragment.category;
      }
    }
    message.attachments.push_back(std::move(attachment));
  }
}

// A stored message with its content opened (again: only ciphertext is kept).
Result<std::pair<StoredMessage, protocol::OpenedEnvelope>> open_message(SessionState& s,
                                                                        const Id& mailbox_id,
                                                                        std::int64_t sequence) {
  auto stored = s.state.message(mailbox_id, sequence);
  if (!stored) {
    return stored.error();
  }
  auto opened = open_stored(s, *stored);
  if (!opened) {
    return opened.error();
  }
  return std::pair{std::move(*stored), std::move(*opened)};
}

// Parses and opens a fetched envelope into `m`; what does not parse or open is kept with its
// problem, never dropped. A mailbox rotated since its keys were walked is walked again once.
Result<void> open_received(SessionState& s, std::shared_ptr<MailboxKeys>& mailbox,
                           StoredMessage& m) {
  const auto parsed = protocol::parse_envelope(m.envelope);
  if (!parsed) {
    m.problem = parsed.error().message();
    return {};
  }
  m.message_id = parsed->outer.message_id;
  m.sender_org = parsed->outer.sender_org;
  m.kind = std::string(protocol::name_of(parsed->outer.kind));
  m.categories = parsed->outer.categories.bits();
  m.created_at_ms = static_cast<std::int64_t>(parsed->outer.created_at_ms);
  auto opened = protocol::open(m.envelope, mailbox->keyring, s.trust.store());
  if (!opened && opened.error() == protocol::errc::unknown_epoch) {
    // Sealed to an epoch newer than the keys this client walked: the mailbox was rotated
    // since. Walk again once rather than store the message as unreadable.
    s.keys.erase(m.mailbox_id);
    auto fresh = mailbox_keys(s, m.mailbox_id);
    if (!fresh) {
      return fresh.error();
    }
    mailbox = std::move(*fresh);
    opened = protocol::open(m.envelope, mailbox->keyring, s.trust.store());
  }
  if (!opened) {
    m.problem = opened.error().message();
    return {};
  }
  m.sender_device = opened->sender.device_id;
  m.sender_role = std::string(protocol::name_of(opened->sender.role));
  m.sender_sequence = static_cast<std::int64_t>(opened->sequence);
  auto flags =
      s.state.check_sender_sequence(opened->sender.device_id, opened->sequence, m.message_id);
  if (!flags) {
    return flags.error();
  }
  m.flags = *flags;
  // Signed before it was received: a later creation time means the sender's clock or the hub's
  // received time is wrong (a hub backdating what it delivers late).
  if (m.created_at_ms > m.received_at_ms + kAllowedClockSkewMs) {
    add_flag(m.flags, "created_after_receipt");
  }
  auto logged = log_flags(s, *opened, m.message_id);
  if (!logged) {
    return logged.error();
  }
  if (!logged->empty()) {
    add_flag(m.flags, *logged);
  }
  // A reply to an envelope this device never saw: the hub may have withheld it, or a colleague's
  // device sent it. Either way the reader is told the thread has a hole here.
  if (!protocol::is_zero(opened->previous_hash)) {
    auto known = s.state.knows_envelope(opened->previous_hash);
    if (!known) {
      return known.error();
    }
    if (!*known) {
      add_flag(m.flags, "thread_gap");
    }
  }
  return {};
}

// A listed entry whose envelope is to be fetched.
struct ListedEntry {
  std::int64_t sequence = 0;
  std::int64_t received_at_ms = 0;
};

// A kept envelope, told in the report once the hub has its acknowledgement.
struct Kept {
  bool is_new = false;
  StoredMessage message;  // its sequence is the queue's
};

std::string mailbox_path(const Id& mailbox_id) { return "/v1/mailboxes/" + hex(mailbox_id); }

// The page's envelopes in one request (docs/PROTOCOL.md 7.21), by sequence. A hub that does not
// serve batches (404) gives an empty map: each is then fetched alone. A malformed batch is the
// hub's lie and fails the sync.
Result<std::map<std::int64_t, std::vector<std::uint8_t>>> fetch_batch(SessionState& s,
                                                                      const Id& mailbox_id,
                                                                      std::int64_t after,
                                                                      std::size_t count) {
  std::map<std::int64_t, std::vector<std::uint8_t>> out;
  auto reply = s.expect_ok(s.hub->get(mailbox_path(mailbox_id) + "/envelopes?after=" +
                                      std::to_string(after) + "&limit=" + std::to_string(count)));
  if (!reply) {
    return reply.error() == client_errc::hub_refused && s.problem.status == 404
               ? Result<std::map<std::int64_t, std::vector<std::uint8_t>>>(std::move(out))
               : reply.error();
  }
  const auto frames = protocol::parse_envelope_batch(
      {reinterpret_cast<const std::uint8_t*>(reply->body.data()), reply->body.size()});
  if (!frames || frames->size() > count) {
    return invalid_answer();
  }
  for (const auto& frame : *frames) {
    out.emplace(frame.sequence,
                std::vector<std::uint8_t>(frame.envelope.begin(), frame.envelope.end()));
  }
  return out;
}

// Opens, verifies and stores one envelope (from the batch, or fetched alone when the batch did
// not carry it).
Result<Kept> keep(SessionState& s, const Id& mailbox_id, std::shared_ptr<MailboxKeys>& mailbox,
                  const ListedEntry& listed, std::vector<std::uint8_t>* batched) {
  StoredMessage m;
  m.mailbox_id = mailbox_id;
  m.sequence = listed.sequence;
  m.received_at_ms = listed.received_at_ms;
  if (batched != nullptr) {
    m.envelope = std::move(*batched);
  } else {
    auto reply = s.expect_ok(
        s.hub->get(mailbox_path(mailbox_id) + "/messages/" + std::to_string(listed.sequence)));
    if (!reply) {
      return reply.error();
    }
    m.envelope.assign(reply->body.begin(), reply->body.end());
  }
  if (auto opened = open_received(s, mailbox, m); !opened) {
    return opened.error();
  }
  if (m.message_id == Id{}) {
    m.message_id = protocol::random_id();  // unparseable: kept under an id of its own
  }
  auto stored = s.state.store(m);
  if (!stored) {
    return stored.error();
  }
  if (auto noted = s.state.note_envelope(protocol::envelope_hash(m.envelope)); !noted) {
    return noted.error();
  }
  return Kept{*stored, std::move(m)};
}

// Acknowledges the kept envelopes' delivery in one request, or one by one when the hub serves
// no batch (404). Any acknowledgement the hub refused fails the sync (the page is fetched again).
Result<void> acknowledge_kept(SessionState& s, const Id& mailbox_id,
                              const std::vector<Kept>& kept) {
  boost::json::array sequences;
  for (const Kept& k : kept) {
    sequences.push_back(k.message.sequence);
  }
  auto answer = s.post_json(mailbox_path(mailbox_id) + "/acks",
                            boost::json::object{{"sequences", std::move(sequences)}});
  if (!answer && answer.error() == client_errc::hub_refused && s.problem.status == 404) {
    for (const Kept& k : kept) {
      const auto target =
          mailbox_path(mailbox_id) + "/messages/" + std::to_string(k.message.sequence) + "/ack";
      if (auto acked = s.expect_ok(s.hub->post(target, {}, "application/json")); !acked) {
        return acked.error();
      }
    }
    return {};
  }
  if (!answer) {
    return answer.error();
  }
  const auto acknowledged = hub_json::objects(*answer, "acknowledged");
  const auto refused = hub_json::objects(*answer, "refused");
  if (!acknowledged || !refused) {
    return invalid_answer();
  }
  if (!refused->empty()) {
    s.problem = {};
    s.problem.status = static_cast<unsigned>(hub_json::count((*refused)[0], "status").value_or(0));
    s.problem.type = hub_json::text((*refused)[0], "type").value_or("");
    s.problem.title = "acknowledgement refused";
    return make_error_code(client_errc::hub_refused);
  }
  std::set<std::int64_t> told;
  for (const auto& item : *acknowledged) {
    if (const auto sequence = hub_json::count(item, "sequence")) {
      told.insert(static_cast<std::int64_t>(*sequence));
    }
  }
  const bool all = std::all_of(kept.begin(), kept.end(), [&told](const Kept& k) {
    return told.contains(k.message.sequence);
  });
  return all ? Result<void>() : Result<void>(invalid_answer());
}

// One page of a mailbox's listing: withdrawals reported, messages received (their envelopes in
// one batch, their delivery acknowledged in one request after every one is stored: delivered
// means durable on this device); `after` moves past each entry.
Result<void> receive_page(SessionState& s, const Id& mailbox_id,
                          std::shared_ptr<MailboxKeys>& mailbox,
                          const std::vector<boost::json::object>& entries, std::int64_t& after,
                          SyncReport& report) {
  const std::int64_t page_after = after;
  std::vector<ListedEntry> to_fetch;
  for (const auto& entry : entries) {
    const auto sequence = hub_json::count(entry, "sequence");
    const auto received = hub_json::count(entry, "received_at_ms");
    const auto entry_state = hub_json::text(entry, "state");
    if (!sequence || !received || !entry_state || static_cast<std::int64_t>(*sequence) <= after) {
      return invalid_answer();
    }
    after = static_cast<std::int64_t>(*sequence);
    if (*entry_state == "expired") {
      // Nobody fetched it within the hub's retention period: the hub no longer hands it out
      // (410) and its sender was told it did not arrive.
      continue;
    }
    if (*entry_state == "withdrawn") {
      // Taken back before it was fetched: nothing to open, but the reader is told.
      const auto message_id = hub_json::id(entry, "message_id");
      if (!message_id) {
        return invalid_answer();
      }
      report.withdrawn.push_back({mailbox_id, after, *message_id});
      continue;
    }
    to_fetch.push_back({after, static_cast<std::int64_t>(*received)});
  }
  if (to_fetch.empty()) {
    return {};
  }
  auto batch = fetch_batch(s, mailbox_id, page_after, to_fetch.size());
  if (!batch) {
    return batch.error();
  }
  std::vector<Kept> kept;
  for (const ListedEntry& listed : to_fetch) {
    const auto batched = batch->find(listed.sequence);
    auto one =
        keep(s, mailbox_id, mailbox, listed, batched == batch->end() ? nullptr : &batched->second);
    if (!one) {
      return one.error();
    }
    kept.push_back(std::move(*one));
  }
  if (auto acknowledged = acknowledge_kept(s, mailbox_id, kept); !acknowledged) {
    return acknowledged;
  }
  for (Kept& k : kept) {
    if (k.is_new) {
      ++report.new_messages;
      report.refused += k.message.problem.empty() ? 0U : 1U;
      const auto stored = s.state.message(mailbox_id, k.message.sequence);  // `conflict` set
      report.arrived.push_back(entry_of(s, stored ? *stored : k.message));
    }
  }
  return {};
}

Result<void> sync_mailbox(SessionState& s, const Id& mailbox_id, SyncReport& report) {
  auto mailbox = mailbox_keys(s, mailbox_id);
  if (!mailbox) {
    return mailbox.error();
  }
  auto after = s.state.cursor(mailbox_id);
  if (!after) {
    return after.error();
  }
  while (true) {
    auto page = s.get_json(mailbox_path(mailbox_id) + "/messages?after=" + std::to_string(*after));
    if (!page) {
      return page.error();
    }
    const auto entries = hub_json::objects(*page, "messages");
    if (!entries) {
      return invalid_answer();
    }
    if (auto received = receive_page(s, mailbox_id, *mailbox, *entries, *after, report);
        !received) {
      return received;
    }
    if (auto moved = s.state.set_cursor(mailbox_id, *after); !moved) {
      return moved.error();
    }
    const auto* next = page->if_contains("next_after");
    if (next == nullptr || next->is_null() || entries->empty()) {
      break;
    }
  }
  ++report.mailboxes;
  return {};
}

}  // namespace

Result<SyncReport> Inbox::sync() {
  auto& s = *state_;
  auto mailboxes = verified_mailboxes(s, s.secrets.org_id);
  if (!mailboxes) {
    return mailboxes.error();
  }
  SyncReport report;
  for (const auto& mailbox : *mailboxes) {
    auto synced = sync_mailbox(s, mailbox.mailbox_id, report);
    if (!synced && synced.error() != client_errc::not_a_member) {
      return synced.error();  // (a mailbox of the organisation this device is not in is skipped)
    }
  }
  return report;
}

Result<std::vector<InboxEntry>> Inbox::list(bool unread_only) {
  auto stored = state_->state.listed_messages(unread_only);
  if (!stored) {
    return stored.error();
  }
  std::vector<InboxEntry> out;
  for (const auto& m : *stored) {
    out.push_back(entry_of(*state_, m));
  }
  return out;
}

Result<InboxEntry> Inbox::find(std::int64_t sequence) {
  auto stored = state_->state.messages_with_sequence(sequence);
  if (!stored) {
    return stored.error();
  }
  if (stored->size() != 1) {
    return make_error_code(client_errc::not_found);
  }
  return entry_of(*state_, stored->front());
}

Result<ReadMessage> Inbox::read(const Id& mailbox_id, std::int64_t sequence) {
  auto& s = *state_;
  auto message = open_message(s, mailbox_id, sequence);
  if (!message) {
    return message.error();
  }
  auto& [stored, opened] = *message;
  if (auto marked = s.state.mark_read(mailbox_id, sequence, s.clock.now_ms()); !marked) {
    return marked.error();
  }
  if (s.profile.settings().read_receipts && !stored.read_at_ms) {
    if (auto told = acknowledge(mailbox_id, sequence); !told) {
      return told.error();
    }
  }
  stored.read_at_ms = s.clock.now_ms();
  ReadMessage read{entry_of(s, stored), std::move(opened), {}, {}, std::move(stored.envelope)};
  describe_contents(read);
  return read;
}

Result<MessageTopic> Inbox::topic(const Id& mailbox_id, std::int64_t sequence) {
  auto message = open_message(*state_, mailbox_id, sequence);
  if (!message) {
    return message.error();
  }
  const auto& opened = message->second;
  MessageTopic out{opened.thread_id, opened.outer.pupil_pseudonym, {}};
  if (opened.pupil) {
    out.pupil_reference = opened.pupil->reference;
  }
  return out;
}

Result<std::uint64_t> Inbox::save_attachment(const Id& mailbox_id, std::int64_t sequence,
                                             std::size_t index, const std::filesystem::path& target,
                                             bool replace_existing) {
  auto& s = *state_;
  auto message = open_message(s, mailbox_id, sequence);
  if (!message) {
    return message.error();
  }
  const auto& attachments = message->second.attachments;
  if (index >= attachments.size()) {
    return make_error_code(client_errc::not_found);
  }
  const auto& descriptor = attachments[index];
  auto sink = OpeningFileSink::create(target, descriptor, s.progress, replace_existing);
  if (!sink) {
    return sink.error();
  }
  auto reply = s.expect_ok(s.hub->get_into("/v1/blobs/" + hex(descriptor.id), **sink));
  if (!reply) {
    return reply.error();
  }
  return (*sink)->finish();
}

Result<void> Inbox::acknowledge(const Id& mailbox_id, std::int64_t sequence) {
  auto& s = *state_;
  auto reply = s.expect_ok(s.hub->post(
      "/v1/mailboxes/" + hex(mailbox_id) + "/messages/" + std::to_string(sequence) + "/read", {},
      "application/json"));
  if (!reply) {
    return reply.error();
  }
  return s.state.mark_read(mailbox_id, sequence, s.clock.now_ms());
}

Result<std::vector<DeliveryState>> Inbox::status(const Id& message_id) {
  const auto items = state_->get_list("/v1/envelopes/" + hex(message_id) + "/status", "recipients");
  if (!items) {
    return items.error();
  }
  std::vector<DeliveryState> out;
  for (const auto& item : *items) {
    const auto mailbox = hub_json::id(item, "mailbox_id");
    const auto state = hub_json::text(item, "state");
    if (!mailbox || !state) {
      return invalid_answer();
    }
    out.push_back({*mailbox, *state});
  }
  return out;
}

Result<std::vector<SentEntry>> Inbox::sent(std::size_t limit) {
  auto& s = *state_;
  auto own = s.state.sent();
  if (!own) {
    return own.error();
  }
  std::vector<SentEntry> out;
  for (const SentMessage& m : *own) {
    out.push_back({m.message_id, m.kind, m.received_at_ms, Id{}, true, {}});
  }
  // The copies in the team's Sent folder: what this organisation sent, verified like any
  // message (a refused one is no evidence of a send), each once.
  auto stored = s.state.listed_messages(false);
  if (!stored) {
    return stored.error();
  }
  for (const StoredMessage& m : *stored) {
    const bool known = std::any_of(
        out.begin(), out.end(), [&](const SentEntry& e) { return e.message_id == m.message_id; });
    if (m.sender_org == s.secrets.org_id && m.problem.empty() && !known) {
      out.push_back({m.message_id, m.kind, m.received_at_ms, m.sender_device, false, {}});
    }
  }
  std::sort(out.begin(), out.end(), [](const SentEntry& a, const SentEntry& b) {
    return a.received_at_ms > b.received_at_ms;
  });
  if (out.size() > limit) {
    out.resize(limit);
  }
  for (SentEntry& entry : out) {
    auto states = status(entry.message_id);
    if (!states) {
      return states.error();
    }
    entry.recipients = std::move(*states);
  }
  return out;
}

boost::json::object inbox_entry_json(const InboxEntry& e) {
  boost::json::array flags;
  for (const auto& flag : e.flags) {
    flags.emplace_back(flag);
  }
  return {{"mailbox_id", hex(e.mailbox_id)},
          {"sequence", e.sequence},
          {"message_id", hex(e.message_id)},
          {"received_at_ms", e.received_at_ms},
          {"sender_org", hex(e.sender_org)},
          {"sender_org_name", e.sender_org_name},
          {"sender_device", hex(e.sender_device)},
          {"sender_role", e.sender_role},
          {"kind", e.kind},
          {"categories", categories_text(e.categories)},
          {"flags", std::move(flags)},
          {"verified", e.problem.empty()},
          {"problem", e.problem},
          {"read", e.read}};
}

}  // namespace draaischijf::client
