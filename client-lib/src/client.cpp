#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <draaischijf/client/client.hpp>
#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "attachment_transfer.hpp"
#include "hub_json.hpp"
#include "hub_session.hpp"
#include "local_state.hpp"
#include "policy_client.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using protocol::Id;
using protocol::Result;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t now_seconds() { return static_cast<std::uint64_t>(now_ms() / 1000); }

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

boost::system::error_code tampered() { return make_error_code(client_errc::directory_tampered); }
boost::system::error_code invalid_answer() {
  return make_error_code(client_errc::hub_answer_invalid);
}

constexpr std::uint64_t kDeviceCertificateDays = 365;
constexpr std::uint64_t kClockSkewSeconds = 300;

// What a device learns about a mailbox by walking its epochs.
struct MailboxKeys {
  protocol::MailboxEpochCertificate current;
  std::vector<Id> members;                  // of the current epoch, checked against its hash
  std::optional<protocol::EpochSeed> seed;  // of the current epoch, when this device has it
  protocol::MailboxKeyring keyring;
};

// The fragment that binds an attachment to its data category inside the signed part.
protocol::Fragment attachment_reference(protocol::DataCategory category, const Id& attachment_id) {
  protocol::Fragment fragment;
  fragment.category = category;
  fragment.media_type = std::string(protocol::kAttachmentReferenceMediaType);
  fragment.body = protocol::SecretBytes::copy_of(attachment_id);
  return fragment;
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

}  // namespace

std::string categories_text(protocol::CategorySet categories) {
  std::string out;
  for (const auto& entry : protocol::data_categories()) {
    if (categories.contains(entry.value)) {
      out += (out.empty() ? "" : ",") + std::string(entry.name);
    }
  }
  return out;
}

struct Client::Impl : HubSession {
  Impl(Profile profile_, DeviceSecrets secrets_, TrustFile trust_,
       std::unique_ptr<HubTransport> hub_, LocalState state_)
      : HubSession{std::move(hub_), {}},
        profile(std::move(profile_)),
        secrets(std::move(secrets_)),
        trust(std::move(trust_)),
        state(std::move(state_)),
        policies(*this) {}

  Profile profile;
  DeviceSecrets secrets;
  TrustFile trust;
  LocalState state;
  PolicyCheck policy;
  PolicyClient policies;
  ProgressCallback progress;
  std::map<Id, std::shared_ptr<MailboxKeys>> keys;
  std::map<Id, RecipientFacts> recipient_facts_seen;  // for the pre-check, per mailbox
  std::optional<protocol::DeviceCertificate> own;     // this device's, once verified

  Result<protocol::DeviceCertificate> own_certificate() {
    if (!own) {
      auto certificate = device_certificate(secrets.device_id);
      if (!certificate) {
        return certificate.error();
      }
      own = *certificate;
    }
    return *own;
  }

  // --- the verified directory ------------------------------------------------------------------

  Result<protocol::SigningPublicKey> pinned_key(const Id& org_id) {
    const auto* organisation = trust.find(org_id);
    if (organisation == nullptr) {
      return make_error_code(client_errc::untrusted_organisation);
    }
    return organisation->key;
  }

  Result<protocol::DeviceCertificate> device_certificate(const Id& device_id) {
    auto body = get_json("/v1/devices/" + hex(device_id));
    if (!body) {
      return body.error();
    }
    const auto bytes = hub_json::base64(*body, "certificate");
    if (!bytes) {
      return tampered();  // an unsigned device is never used
    }
    auto certificate = protocol::parse_device_certificate(*bytes);
    if (!certificate) {
      return tampered();
    }
    auto key = pinned_key(certificate->org_id);
    if (!key) {
      return key.error();
    }
    // The JSON around the certificate must say what the certificate says.
    const bool consistent =
        certificate->device_id == device_id &&
        hub_json::id(*body, "org_id") == certificate->org_id &&
        hub_json::fixed<32>(hub_json::base64(*body, "signing_key")) == certificate->signing_key &&
        hub_json::fixed<32>(hub_json::base64(*body, "encryption_key")) ==
            certificate->encryption_key;
    if (!consistent || !protocol::verify(*certificate, *key, now_seconds())) {
      return tampered();
    }
    return certificate;
  }

  // Parses and verifies one epoch certificate of `mailbox_id` against the pinned key.
  Result<protocol::MailboxEpochCertificate> verified_epoch(std::span<const std::uint8_t> bytes,
                                                           const Id& mailbox_id,
                                                           std::uint32_t epoch) {
    auto certificate = protocol::parse_epoch_certificate(bytes);
    if (!certificate) {
      return tampered();
    }
    auto key = pinned_key(certificate->org_id);
    if (!key) {
      return key.error();
    }
    if (certificate->mailbox_id != mailbox_id || certificate->epoch != epoch ||
        !protocol::verify(*certificate, *key)) {
      return tampered();
    }
    return certificate;
  }

  Result<std::pair<protocol::MailboxEpochCertificate, bool>> mailbox_certificate(
      const Id& mailbox_id) {
    auto body = get_json("/v1/mailboxes/" + hex(mailbox_id));
    if (!body) {
      if (body.error() == client_errc::hub_refused && problem.status == 404) {
        return make_error_code(client_errc::unknown_mailbox);
      }
      return body.error();
    }
    const auto epoch = hub_json::count(*body, "epoch");
    const auto bytes = hub_json::base64(*body, "certificate");
    const auto accepting = hub_json::flag(*body, "accepting");
    if (!epoch || !bytes || !accepting || *epoch > UINT32_MAX) {
      return invalid_answer();
    }
    auto certificate = verified_epoch(*bytes, mailbox_id, static_cast<std::uint32_t>(*epoch));
    if (!certificate) {
      return certificate.error();
    }
    if (hub_json::id(*body, "org_id") != certificate->org_id) {
      return tampered();
    }
    auto fresh = state.observe_epoch(mailbox_id, certificate->epoch);
    if (!fresh) {
      return fresh.error();
    }
    if (!*fresh) {
      return tampered();  // the hub rolled the mailbox back to an older epoch
    }
    return std::pair{std::move(*certificate), *accepting};
  }

  // Walks the mailbox's epochs from the current one back to the first, verifying every
  // certificate and link, opening this device's seed box where it has one and the previous-seed
  // chain from there (docs/PROTOCOL.md 6).
  Result<std::shared_ptr<MailboxKeys>> mailbox_keys(const Id& mailbox_id) {
    if (const auto cached = keys.find(mailbox_id); cached != keys.end()) {
      return cached->second;
    }
    auto current = mailbox_certificate(mailbox_id);
    if (!current) {
      return current.error();
    }
    auto result = std::make_shared<MailboxKeys>();
    result->current = current->first;
    std::optional<protocol::EpochSeed> seed;  // of the epoch after the one being looked at
    std::optional<protocol::MailboxEpochCertificate> later;
    std::vector<std::uint8_t> later_previous_box;
    for (std::int64_t e = result->current.epoch; e >= 0; --e) {
      const auto epoch = static_cast<std::uint32_t>(e);
      auto body = get_json("/v1/mailboxes/" + hex(mailbox_id) + "/epochs/" + std::to_string(epoch));
      if (!body) {
        if (body.error() == client_errc::hub_refused && problem.status == 404 && !later) {
          return make_error_code(client_errc::not_a_member);
        }
        return body.error();
      }
      const auto bytes = hub_json::base64(*body, "certificate");
      const auto member_objects = body->if_contains("members");
      if (!bytes || member_objects == nullptr || !member_objects->is_array()) {
        return invalid_answer();
      }
      auto certificate = verified_epoch(*bytes, mailbox_id, epoch);
      if (!certificate) {
        return certificate.error();
      }
      if (later ? !protocol::verify_succession(*certificate, *later)
                : protocol::encode(*certificate) != protocol::encode(result->current)) {
        return tampered();
      }
      std::vector<Id> members;
      for (const auto& item : member_objects->as_array()) {
        const auto member = item.is_string() ? hub_json::parse_id(item.as_string()) : std::nullopt;
        if (!member) {
          return invalid_answer();
        }
        members.push_back(*member);
      }
      if (protocol::members_hash(members) != certificate->members_hash) {
        return tampered();  // the hub added or dropped a member
      }
      std::optional<protocol::EpochSeed> this_seed;
      if (seed) {
        auto previous =
            protocol::open_previous_seed(later_previous_box, *seed, *later, *certificate);
        if (!previous) {
          return tampered();
        }
        this_seed = std::move(*previous);
      } else if (const auto box = hub_json::base64(*body, "seed_box")) {
        auto opened = protocol::open_seed_box(*box, secrets.encryption, *certificate);
        if (!opened) {
          return tampered();
        }
        this_seed = std::move(*opened);
      }
      if (e == result->current.epoch) {
        result->members = members;
      }
      if (this_seed) {
        result->keyring.add(mailbox_id, epoch, protocol::mailbox_identity(*this_seed));
        if (e == result->current.epoch) {
          result->seed = protocol::EpochSeed::copy_of(this_seed->expose());
        }
      }
      seed = std::move(this_seed);
      later = std::move(*certificate);
      later_previous_box =
          hub_json::base64(*body, "previous_seed_box").value_or(std::vector<std::uint8_t>{});
    }
    if (!result->keyring.holds_mailbox(mailbox_id)) {
      return make_error_code(client_errc::not_a_member);
    }
    keys[mailbox_id] = result;
    return result;
  }

  Result<std::vector<DirectoryMailbox>> mailboxes(const Id& org_id) {
    const auto items = get_list("/v1/organisations/" + hex(org_id) + "/mailboxes", "mailboxes");
    if (!items) {
      return items.error();
    }
    std::vector<DirectoryMailbox> out;
    for (const auto& item : *items) {
      const auto id = hub_json::id(item, "mailbox_id");
      const auto name = hub_json::text(item, "name");
      const auto bytes = hub_json::base64(item, "certificate");
      const auto epoch = hub_json::count(item, "epoch");
      if (!id || !name || !bytes || !epoch || *epoch > UINT32_MAX) {
        return invalid_answer();
      }
      auto certificate = verified_epoch(*bytes, *id, static_cast<std::uint32_t>(*epoch));
      if (!certificate) {
        return certificate.error();
      }
      if (certificate->org_id != org_id) {
        return tampered();
      }
      out.push_back({*id, org_id, *name, certificate->epoch,
                     hub_json::flag(item, "accepting").value_or(false)});
    }
    return out;
  }

  // --- attachments -----------------------------------------------------------------------------

  // Encrypts and uploads one file as it is read; the hub's answer must name the bytes we sent.
  Result<protocol::AttachmentDescriptor> upload_attachment(const AttachmentFile& file,
                                                           const std::vector<Id>& recipients) {
    protocol::AttachmentDescriptor descriptor;
    descriptor.id = protocol::random_id();
    descriptor.media_type = file.media_type;
    descriptor.file_name = file.file_name.empty() ? file.path.filename().string() : file.file_name;
    auto source = SealingFileSource::open(file.path, descriptor.file_name, progress);
    if (!source) {
      return source.error();
    }
    std::string target = "/v1/blobs/" + hex(descriptor.id);
    for (std::size_t i = 0; i < recipients.size(); ++i) {
      target += (i == 0 ? "?mailbox=" : "&mailbox=") + hex(recipients[i]);
    }
    auto reply = expect_ok(hub->put(target, **source, "application/octet-stream"));
    if (!reply) {
      return reply.error();
    }
    const auto answer = hub_json::object_of(reply->body);
    descriptor.ciphertext_size = (*source)->size();
    descriptor.ciphertext_hash = (*source)->hash();
    if (!answer || hub_json::count(*answer, "size") != descriptor.ciphertext_size ||
        hub_json::text(*answer, "hash") != hex(descriptor.ciphertext_hash)) {
      return invalid_answer();  // the hub kept other bytes than we sent
    }
    descriptor.key = protocol::SecretKey<32>::copy_of((*source)->sealer().key().expose());
    descriptor.stream_header = (*source)->sealer().header();
    return descriptor;
  }

  // --- messages --------------------------------------------------------------------------------

  Result<InboxEntry> entry_of(const StoredMessage& m) {
    InboxEntry entry;
    entry.mailbox_id = m.mailbox_id;
    entry.sequence = m.sequence;
    entry.message_id = m.message_id;
    entry.received_at_ms = m.received_at_ms;
    entry.sender_org = m.sender_org;
    if (const auto* organisation = trust.find(m.sender_org)) {
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

  Result<protocol::OpenedEnvelope> open_stored(const StoredMessage& m) {
    auto mailbox = mailbox_keys(m.mailbox_id);
    if (!mailbox) {
      return mailbox.error();
    }
    return protocol::open(m.envelope, (*mailbox)->keyring, trust.store());
  }

  // A stored message with its content opened (again: only ciphertext is kept).
  Result<std::pair<StoredMessage, protocol::OpenedEnvelope>> open_message(const Id& mailbox_id,
                                                                          std::int64_t sequence) {
    auto stored = state.message(mailbox_id, sequence);
    if (!stored) {
      return stored.error();
    }
    auto opened = open_stored(*stored);
    if (!opened) {
      return opened.error();
    }
    return std::pair{std::move(*stored), std::move(*opened)};
  }

  // Fetches, verifies and stores one queued envelope, counting it in `report` when it is new.
  Result<void> receive(const Id& mailbox_id, std::shared_ptr<MailboxKeys>& mailbox,
                       std::int64_t sequence, std::int64_t received_at_ms, SyncReport& report) {
    const std::string target =
        "/v1/mailboxes/" + hex(mailbox_id) + "/messages/" + std::to_string(sequence);
    auto reply = expect_ok(hub->get(target));
    if (!reply) {
      return reply.error();
    }
    StoredMessage m;
    m.mailbox_id = mailbox_id;
    m.sequence = sequence;
    m.received_at_ms = received_at_ms;
    m.envelope.assign(reply->body.begin(), reply->body.end());
    const auto parsed = protocol::parse_envelope(m.envelope);
    if (!parsed) {
      m.problem = parsed.error().message();
    } else {
      m.message_id = parsed->outer.message_id;
      m.sender_org = parsed->outer.sender_org;
      m.kind = std::string(protocol::name_of(parsed->outer.kind));
      m.categories = parsed->outer.categories.bits();
      m.created_at_ms = static_cast<std::int64_t>(parsed->outer.created_at_ms);
      auto opened = protocol::open(m.envelope, mailbox->keyring, trust.store());
      if (!opened && opened.error() == protocol::errc::unknown_epoch) {
        // Sealed to an epoch newer than the keys this client walked: the mailbox was rotated
        // since. Walk again once rather than store the message as unreadable.
        keys.erase(mailbox_id);
        auto fresh = mailbox_keys(mailbox_id);
        if (!fresh) {
          return fresh.error();
        }
        mailbox = std::move(*fresh);
        opened = protocol::open(m.envelope, mailbox->keyring, trust.store());
      }
      if (!opened) {
        m.problem = opened.error().message();
      } else {
        m.sender_device = opened->sender.device_id;
        m.sender_role = std::string(protocol::name_of(opened->sender.role));
        m.sender_sequence = static_cast<std::int64_t>(opened->sequence);
        auto flags =
            state.check_sender_sequence(opened->sender.device_id, opened->sequence, m.message_id);
        if (!flags) {
          return flags.error();
        }
        m.flags = *flags;
      }
    }
    if (m.message_id == Id{}) {
      m.message_id = protocol::random_id();  // unparseable: kept under an id of its own
    }
    auto stored = state.store(m);
    if (!stored) {
      return stored.error();
    }
    // Delivered means durable on this device: the acknowledgement follows the COMMIT.
    if (auto acked = expect_ok(hub->post(target + "/ack", {}, "application/json")); !acked) {
      return acked.error();
    }
    if (*stored) {
      ++report.new_messages;
      report.refused += m.problem.empty() ? 0U : 1U;
      auto entry = entry_of(m);
      if (!entry) {
        return entry.error();
      }
      report.arrived.push_back(std::move(*entry));
    }
    return {};
  }

  Result<void> sync_mailbox(const Id& mailbox_id, SyncReport& report) {
    auto mailbox = mailbox_keys(mailbox_id);
    if (!mailbox) {
      return mailbox.error();
    }
    auto after = state.cursor(mailbox_id);
    if (!after) {
      return after.error();
    }
    while (true) {
      auto page = get_json("/v1/mailboxes/" + hex(mailbox_id) +
                           "/messages?after=" + std::to_string(*after));
      if (!page) {
        return page.error();
      }
      const auto entries = hub_json::objects(*page, "messages");
      if (!entries) {
        return invalid_answer();
      }
      for (const auto& entry : *entries) {
        const auto sequence = hub_json::count(entry, "sequence");
        const auto received = hub_json::count(entry, "received_at_ms");
        const auto entry_state = hub_json::text(entry, "state");
        if (!sequence || !received || !entry_state ||
            static_cast<std::int64_t>(*sequence) <= *after) {
          return invalid_answer();
        }
        *after = static_cast<std::int64_t>(*sequence);
        if (*entry_state == "withdrawn") {
          // Taken back before it was fetched: nothing to open, but the reader is told.
          const auto message_id = hub_json::id(entry, "message_id");
          if (!message_id) {
            return invalid_answer();
          }
          report.withdrawn.push_back({mailbox_id, *after, *message_id});
          continue;
        }
        auto received_one =
            receive(mailbox_id, *mailbox, *after, static_cast<std::int64_t>(*received), report);
        if (!received_one) {
          return received_one;
        }
      }
      if (auto moved = state.set_cursor(mailbox_id, *after); !moved) {
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

  // Seals, submits and checks the receipt; stale epochs are fetched again once.
  Result<SendResult> submit(const protocol::Draft& draft, const std::vector<Id>& recipients,
                            bool retried = false) {
    std::vector<protocol::MailboxEpochCertificate> certificates;
    for (const Id& recipient : recipients) {
      auto certificate = mailbox_certificate(recipient);
      if (!certificate) {
        return certificate.error();
      }
      if (!certificate->second) {
        return make_error_code(client_errc::mailbox_held);
      }
      certificates.push_back(std::move(certificate->first));
    }
    auto certificate = own_certificate();
    if (!certificate) {
      return certificate.error();
    }
    auto sequence = state.take_sequence();
    if (!sequence) {
      return sequence.error();
    }
    auto envelope = protocol::seal(draft, {*certificate, secrets.signing, *sequence}, certificates,
                                   static_cast<std::uint64_t>(now_ms()));
    if (!envelope) {
      return envelope.error();
    }
    auto reply = hub->post("/v1/envelopes", *envelope, "application/octet-stream");
    if (!reply) {
      return reply.error();
    }
    const bool replay = reply->status == 409 && reply->content_type == "application/json";
    if (!reply->ok() && !replay) {
      const auto error = refused(*reply);
      if (problem.type == "urn:draaischijf:problem:stale-epoch" && !retried) {
        keys.clear();
        return submit(draft, recipients, true);  // the same message id: PROTOCOL.md 7.12
      }
      if (problem.policy) {
        problem.policy->message_id = draft.message_id;
        problem.policy->thread_id = draft.thread_id;
      }
      return error;
    }
    auto body = hub_json::object_of(reply->body);
    if (!body) {
      return invalid_answer();
    }
    const auto parsed = protocol::parse_envelope(*envelope);
    auto receipt_bytes = hub_json::base64(*body, "receipt");
    auto receipt = receipt_bytes ? protocol::parse_receipt(*receipt_bytes)
                                 : Result<protocol::Receipt>(invalid_answer());
    if (!parsed || !receipt || !trust.hub_key() || !protocol::verify(*receipt, *trust.hub_key()) ||
        receipt->message_id != parsed->outer.message_id ||
        receipt->envelope_hash != protocol::envelope_hash(*envelope)) {
      return make_error_code(client_errc::receipt_invalid);
    }
    SendResult result{receipt->message_id, static_cast<std::int64_t>(receipt->sequence),
                      static_cast<std::int64_t>(receipt->received_at_ms), replay};
    std::string names;
    for (const Id& recipient : recipients) {
      names += (names.empty() ? "" : " ") + hex(recipient);
    }
    if (auto recorded =
            state.record_sent({result.message_id, std::string(protocol::name_of(draft.kind)),
                               result.hub_sequence, result.received_at_ms, names});
        !recorded) {
      return recorded.error();
    }
    return result;
  }

  // --- the policy pre-check and second approvals --------------------------------------------

  // The draft's fixed parts. The message id is fixed here, so a refusal can name it for the
  // approval; a reply takes its thread and the previous envelope's hash from the message it
  // answers, a new message a random thread unless an approval named one.
  Result<protocol::Draft> draft_of(const Composition& c) {
    protocol::Draft draft;
    draft.message_id = c.message_id == Id{} ? protocol::random_id() : c.message_id;
    draft.kind = c.kind;
    draft.purpose = c.purpose;
    draft.attestations = static_cast<std::uint32_t>(c.attestations.bits());
    draft.consent_reference = c.consent_reference;
    draft.pupil_pseudonym = c.pupil_pseudonym;
    draft.approvals = c.approvals;
    draft.thread_id = c.thread_id == Id{} ? protocol::random_id() : c.thread_id;
    if (c.reply_to) {
      auto original = state.message(c.reply_to->first, c.reply_to->second);
      if (!original) {
        return original.error();
      }
      auto opened = open_stored(*original);
      if (!opened) {
        return opened.error();
      }
      draft.thread_id = opened->thread_id;
      draft.previous_hash = protocol::envelope_hash(original->envelope);
    }
    return draft;
  }

  // The sender as the hub sees it: from this device's certificate.
  Result<SenderFacts> sender_facts() {
    auto certificate = own_certificate();
    if (!certificate) {
      return certificate.error();
    }
    return SenderFacts{certificate->org_type, certificate->org_id, certificate->role,
                       certificate->staff_id};
  }

  // The recipient as the hub's directory describes it: the organisation of the mailbox's
  // verified epoch certificate, that organisation's type, and the role of a mailbox named
  // after one.
  Result<RecipientFacts> recipient_facts(const Id& mailbox_id) {
    if (const auto seen = recipient_facts_seen.find(mailbox_id);
        seen != recipient_facts_seen.end()) {
      return seen->second;
    }
    auto certificate = mailbox_certificate(mailbox_id);
    if (!certificate) {
      return certificate.error();
    }
    const Id org = certificate->first.org_id;
    auto organisation = get_json("/v1/organisations/" + hex(org));
    if (!organisation) {
      return organisation.error();
    }
    auto listed = mailboxes(org);
    if (!listed) {
      return listed.error();
    }
    const auto type = protocol::parse_name<protocol::OrgType>(
        hub_json::text(*organisation, "org_type").value_or(""));
    const auto mailbox = std::find_if(listed->begin(), listed->end(),
                                      [&](const auto& m) { return m.mailbox_id == mailbox_id; });
    if (!type || mailbox == listed->end()) {
      return invalid_answer();
    }
    RecipientFacts facts{mailbox_id, org, *type,
                         protocol::parse_name<protocol::StaffRole>(mailbox->name)};
    recipient_facts_seen.emplace(mailbox_id, facts);
    return facts;
  }

  // The engine with the hub's rule set, when the operator's policy key is pinned.
  Result<PolicyVerdict> engine_verdict(const protocol::OuterHeader& labels) {
    auto status = policies.status(trust.policy_key());
    if (!status) {
      return status.error();
    }
    if (!status->enabled) {
      return PolicyVerdict{true, {}, std::nullopt};
    }
    auto sender = sender_facts();
    if (!sender) {
      return sender.error();
    }
    std::vector<RecipientFacts> recipients;
    for (const auto& recipient : labels.recipients) {
      auto facts = recipient_facts(recipient.mailbox_id);
      if (!facts) {
        return facts.error();
      }
      recipients.push_back(*facts);
    }
    return policies.judge(labels, *sender, recipients);
  }

  // The checks before anything is encrypted: the caller's own, then the engine's.
  Result<void> pre_check(const protocol::Draft& draft, const Composition& composition) {
    const auto labels = labels_of(draft, composition, secrets.org_id);
    PolicyVerdict verdict{true, {}, std::nullopt};
    if (policy) {
      verdict = policy(labels, composition);
    }
    if (verdict.allowed) {
      auto judged = engine_verdict(labels);
      if (!judged) {
        return judged.error();
      }
      verdict = std::move(*judged);
    }
    if (verdict.allowed) {
      return {};
    }
    problem = pre_check_problem(std::move(verdict), draft);
    return make_error_code(client_errc::policy_refused);
  }

  Result<void> require_admin() const {
    if (!secrets.organisation) {
      return make_error_code(client_errc::not_an_admin);
    }
    return {};
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Result<Client> Client::open(const Profile& profile, const Unlock& unlock, RetryPolicy retry) {
  auto secrets = open_key_store(profile.key_store(), unlock);
  if (!secrets) {
    return secrets.error();
  }
  auto connection = HubConnection::open(profile.settings().hub, profile.tls(), retry);
  if (!connection) {
    return connection.error();
  }
  return open_with(profile, std::move(*secrets),
                   std::make_unique<HubConnection>(std::move(*connection)));
}

Result<Client> Client::open_with(const Profile& profile, DeviceSecrets secrets,
                                 std::unique_ptr<HubTransport> hub) {
  const auto text = read_small_file(profile.trust_file());
  if (!text) {
    return make_error_code(client_errc::profile_invalid);
  }
  auto trust = TrustFile::parse(*text);
  if (!trust) {
    return make_error_code(client_errc::profile_invalid);
  }
  auto state = LocalState::open(profile.state_file());
  if (!state) {
    return state.error();
  }
  return Client(std::make_unique<Impl>(profile, std::move(secrets), std::move(*trust),
                                       std::move(hub), std::move(*state)));
}

const DeviceSecrets& Client::device() const noexcept { return impl_->secrets; }
const TrustFile& Client::trust() const noexcept { return impl_->trust; }
const HubProblem& Client::last_problem() const noexcept { return impl_->problem; }
void Client::set_policy_check(PolicyCheck check) { impl_->policy = std::move(check); }
void Client::set_progress(ProgressCallback progress) { impl_->progress = std::move(progress); }
Result<PolicyCheckStatus> Client::policy_check_status() {
  return impl_->policies.status(impl_->trust.policy_key());
}

Result<Id> Client::register_consent(const policies::ConsentEntry& entry) {
  return impl_->policies.register_consent(entry);
}
Result<std::vector<Consent>> Client::consents(const protocol::Hash256& pupil) {
  return impl_->policies.consents(pupil);
}
Result<Consent> Client::consent(const Id& consent_id) {
  return impl_->policies.consent(consent_id);
}
Result<std::vector<Withdrawal>> Client::revoke_consent(const Id& consent_id) {
  return impl_->policies.revoke(consent_id);
}
Result<std::vector<Disclosure>> Client::disclosures(const protocol::Hash256& pupil) {
  return impl_->policies.disclosures(pupil);
}

Result<std::vector<DirectoryOrganisation>> Client::organisations() {
  const auto items = impl_->get_list("/v1/organisations", "organisations");
  if (!items) {
    return items.error();
  }
  std::vector<DirectoryOrganisation> out;
  for (const auto& item : *items) {
    const auto id = hub_json::id(item, "org_id");
    const auto key = hub_json::fixed<32>(hub_json::base64(item, "signing_key"));
    if (!id || !key) {
      return invalid_answer();
    }
    const auto* pinned = impl_->trust.find(*id);
    out.push_back({*id, hub_json::text(item, "org_type").value_or(""),
                   hub_json::text(item, "name").value_or(""),
                   pinned != nullptr && pinned->key == *key, fingerprint(*key)});
  }
  return out;
}

Result<std::vector<DirectoryMailbox>> Client::mailboxes(const Id& org) {
  return impl_->mailboxes(org);
}

Result<protocol::DeviceCertificate> Client::device_certificate(const Id& device_id) {
  return impl_->device_certificate(device_id);
}

Result<protocol::MailboxEpochCertificate> Client::mailbox_certificate(const Id& mailbox_id) {
  auto certificate = impl_->mailbox_certificate(mailbox_id);
  if (!certificate) {
    return certificate.error();
  }
  return std::move(certificate->first);
}

Result<void> Client::pin_organisation(const Id& org_id, std::string_view expected_fingerprint) {
  auto body = impl_->get_json("/v1/organisations/" + hex(org_id));
  if (!body) {
    return body.error();
  }
  const auto key = hub_json::fixed<32>(hub_json::base64(*body, "signing_key"));
  if (!key || hub_json::id(*body, "org_id") != org_id) {
    return invalid_answer();
  }
  if (!same_fingerprint(fingerprint(*key), expected_fingerprint)) {
    return make_error_code(client_errc::fingerprint_mismatch);
  }
  impl_->trust.pin({org_id, *key, hub_json::text(*body, "name").value_or("")});
  return write_file_atomically(impl_->profile.trust_file(), impl_->trust.to_text());
}

Result<void> Client::pin_policy_key(const protocol::SigningPublicKey& key) {
  impl_->trust.set_policy_key(key);
  impl_->policies.forget();  // loaded again, under the new key
  return write_file_atomically(impl_->profile.trust_file(), impl_->trust.to_text());
}

Result<SendResult> Client::send(Composition composition) {
  auto& impl = *impl_;
  auto draft = impl.draft_of(composition);
  if (!draft) {
    return draft.error();
  }
  if (auto allowed = impl.pre_check(*draft, composition); !allowed) {
    return allowed.error();
  }
  draft->fragments = std::move(composition.fragments);
  for (const auto& file : composition.attachments) {
    auto uploaded = impl.upload_attachment(file, composition.recipients);
    if (!uploaded) {
      return uploaded.error();
    }
    draft->fragments.push_back(attachment_reference(file.category, uploaded->id));
    draft->attachments.push_back(std::move(*uploaded));
  }
  return impl.submit(*draft, composition.recipients);
}

Result<GivenApproval> Client::approve(Composition composition) {
  auto& impl = *impl_;
  if (!composition.attachments.empty()) {
    return make_error_code(client_errc::approval_unsupported);
  }
  auto draft = impl.draft_of(composition);
  if (!draft) {
    return draft.error();
  }
  draft->fragments = std::move(composition.fragments);
  auto certificate = impl.own_certificate();
  if (!certificate) {
    return certificate.error();
  }
  const auto statement = protocol::approval_statement(
      *draft, impl.secrets.org_id, composition.recipients, static_cast<std::uint64_t>(now_ms()));
  auto signed_approval = protocol::sign_approval(statement, *certificate, impl.secrets.signing);
  if (!signed_approval) {
    return signed_approval.error();
  }
  auto role =
      impl.policies.upload_approval(*signed_approval, statement.approval_id, draft->message_id);
  if (!role) {
    return role.error();
  }
  return GivenApproval{statement.approval_id, draft->message_id,     draft->thread_id, *role,
                       statement.categories,  statement.content_hash};
}

Result<SyncReport> Client::sync() {
  auto& impl = *impl_;
  auto mailboxes = impl.mailboxes(impl.secrets.org_id);
  if (!mailboxes) {
    return mailboxes.error();
  }
  SyncReport report;
  for (const auto& mailbox : *mailboxes) {
    auto synced = impl.sync_mailbox(mailbox.mailbox_id, report);
    if (!synced && synced.error() != client_errc::not_a_member) {
      return synced.error();  // (a mailbox of the organisation this device is not in is skipped)
    }
  }
  return report;
}

namespace {

// Errors that another try may mend: the hub away or restarting, or too busy for now.
bool passing(const boost::system::error_code& error, const HubProblem& problem) {
  return error.category() == connection_category() ||
         (error == client_errc::hub_refused && (problem.status >= 500 || problem.status == 429));
}

// Waits `delay` in short steps, so a stop is heard at once.
void pause(std::chrono::milliseconds delay, const FollowOptions& options) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until && options.keep_going()) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50), std::chrono::duration_cast<std::chrono::milliseconds>(
                                           until - std::chrono::steady_clock::now())));
  }
}

// What a stream frame announces: a message to fetch, a withdrawal, or nothing to act on (the
// greeting, or a frame type this client does not know yet).
struct Frame {
  bool message = false;
  std::optional<Withdrawal> withdrawn;
};

Frame frame_of(std::string_view text) {
  const auto body = hub_json::object_of(text);
  const auto type = body ? hub_json::text(*body, "type") : std::nullopt;
  if (type == "message") {
    return {true, std::nullopt};
  }
  if (type == "withdrawn") {
    return {false, withdrawal_of(*body)};
  }
  return {};
}

}  // namespace

Result<void> Client::follow(const std::function<void(const SyncReport&)>& on_sync,
                            const FollowOptions& options) {
  auto delay = options.first_delay;
  // A withdrawal may come both on the stream and in a catch-up's listing: told once.
  std::set<std::pair<Id, std::int64_t>> told;
  const auto tell = [&](const Withdrawal& w) {
    if (told.insert({w.mailbox_id, w.sequence}).second) {
      options.on_withdrawn(w);
    }
  };
  const auto catch_up = [&]() -> Result<void> {
    auto report = sync();
    if (!report) {
      return report.error();
    }
    if (report->new_messages > 0) {
      on_sync(*report);
    }
    for (const auto& w : report->withdrawn) {
      tell(w);
    }
    return {};
  };
  while (options.keep_going()) {
    // Subscribed first, caught up second: a message stored in between is in the catch-up or
    // announced on the stream, never in neither.
    auto stream = impl_->hub->listen();
    std::optional<Result<std::string>> hello;
    while (stream && options.keep_going() && (!hello || (*hello && (*hello)->empty()))) {
      hello = (*stream)->next(options.wait);
    }
    const bool listening = stream && hello && *hello;
    if (auto caught_up = catch_up(); !caught_up) {
      if (!passing(caught_up.error(), impl_->problem)) {
        return caught_up.error();
      }
    } else if (listening) {
      delay = options.first_delay;
      while (options.keep_going()) {
        auto text = (*stream)->next(options.wait);
        if (!text) {
          break;  // the stream ended: listen again and catch up
        }
        const Frame frame = frame_of(*text);
        if (frame.withdrawn) {
          tell(*frame.withdrawn);
        }
        if (!frame.message) {
          continue;
        }
        if (auto synced = catch_up(); !synced) {
          if (!passing(synced.error(), impl_->problem)) {
            return synced.error();
          }
          break;
        }
      }
    }
    pause(delay, options);
    delay = std::min(delay * 2, options.max_delay);
  }
  return {};
}

Result<std::vector<InboxEntry>> Client::inbox(bool unread_only) {
  auto stored = impl_->state.messages(unread_only);
  if (!stored) {
    return stored.error();
  }
  std::vector<InboxEntry> out;
  for (const auto& m : *stored) {
    auto entry = impl_->entry_of(m);
    if (!entry) {
      return entry.error();
    }
    out.push_back(std::move(*entry));
  }
  return out;
}

Result<InboxEntry> Client::find(std::int64_t sequence) {
  auto stored = impl_->state.messages_with_sequence(sequence);
  if (!stored) {
    return stored.error();
  }
  if (stored->size() != 1) {
    return make_error_code(client_errc::not_found);
  }
  return impl_->entry_of(stored->front());
}

Result<ReadMessage> Client::read(const Id& mailbox_id, std::int64_t sequence) {
  auto& impl = *impl_;
  auto message = impl.open_message(mailbox_id, sequence);
  if (!message) {
    return message.error();
  }
  auto& [stored, opened] = *message;
  if (auto marked = impl.state.mark_read(mailbox_id, sequence, now_ms()); !marked) {
    return marked.error();
  }
  if (impl.profile.settings().read_receipts && !stored.read_at_ms) {
    if (auto told = acknowledge(mailbox_id, sequence); !told) {
      return told.error();
    }
  }
  stored.read_at_ms = now_ms();
  auto entry = impl.entry_of(stored);
  if (!entry) {
    return entry.error();
  }
  ReadMessage read{std::move(*entry), std::move(opened), {}, {}, std::move(stored.envelope)};
  describe_contents(read);
  return read;
}

Result<std::uint64_t> Client::save_attachment(const Id& mailbox_id, std::int64_t sequence,
                                              std::size_t index,
                                              const std::filesystem::path& target) {
  auto& impl = *impl_;
  auto message = impl.open_message(mailbox_id, sequence);
  if (!message) {
    return message.error();
  }
  const auto& attachments = message->second.attachments;
  if (index >= attachments.size()) {
    return make_error_code(client_errc::not_found);
  }
  const auto& descriptor = attachments[index];
  auto sink = OpeningFileSink::create(target, descriptor, impl.progress);
  if (!sink) {
    return sink.error();
  }
  auto reply = impl.expect_ok(impl.hub->get_into("/v1/blobs/" + hex(descriptor.id), **sink));
  if (!reply) {
    return reply.error();
  }
  return (*sink)->finish();
}

Result<void> Client::acknowledge(const Id& mailbox_id, std::int64_t sequence) {
  auto reply = impl_->expect_ok(impl_->hub->post(
      "/v1/mailboxes/" + hex(mailbox_id) + "/messages/" + std::to_string(sequence) + "/read", {},
      "application/json"));
  if (!reply) {
    return reply.error();
  }
  return impl_->state.mark_read(mailbox_id, sequence, now_ms());
}

Result<std::vector<DeliveryState>> Client::status(const Id& message_id) {
  const auto items = impl_->get_list("/v1/envelopes/" + hex(message_id) + "/status", "recipients");
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

Result<void> Client::request_enrolment() {
  const auto& secrets = impl_->secrets;
  auto answer = impl_->post_json(
      "/v1/enrolments",
      json::object{{"signing_key", protocol::base64_encode(secrets.signing.public_key())},
                   {"encryption_key", protocol::base64_encode(secrets.encryption.public_key())},
                   {"staff_id", hex(secrets.staff_id)}});
  if (!answer) {
    return answer.error();
  }
  return {};
}

Result<std::vector<PendingDevice>> Client::pending_enrolments() {
  const auto items = impl_->get_list("/v1/enrolments", "enrolments");
  if (!items) {
    return items.error();
  }
  std::vector<PendingDevice> out;
  for (const auto& item : *items) {
    const auto device = hub_json::id(item, "device_id");
    const auto staff = hub_json::id(item, "staff_id");
    const auto signing = hub_json::fixed<32>(hub_json::base64(item, "signing_key"));
    const auto encryption = hub_json::fixed<32>(hub_json::base64(item, "encryption_key"));
    if (!device || !staff || !signing || !encryption) {
      return invalid_answer();
    }
    out.push_back({*device, *staff, hub_json::text(item, "role").value_or(""),
                   device_fingerprint(*signing, *encryption)});
  }
  return out;
}

Result<void> Client::approve(const Id& device_id, std::string_view expected_fingerprint,
                             const std::vector<Id>& mailboxes) {
  auto& impl = *impl_;
  if (auto admin = impl.require_admin(); !admin) {
    return admin;
  }
  auto body = impl.get_json("/v1/devices/" + hex(device_id));
  if (!body) {
    return body.error();
  }
  const auto signing = hub_json::fixed<32>(hub_json::base64(*body, "signing_key"));
  const auto encryption = hub_json::fixed<32>(hub_json::base64(*body, "encryption_key"));
  const auto staff = hub_json::id(*body, "staff_id");
  const auto role =
      protocol::parse_name<protocol::StaffRole>(hub_json::text(*body, "role").value_or(""));
  if (!signing || !encryption || !staff || !role ||
      hub_json::id(*body, "org_id") != impl.secrets.org_id) {
    return invalid_answer();
  }
  // The admin compares what the new device shows with what the hub relays: a swapped key
  // shows up as another fingerprint.
  if (!same_fingerprint(device_fingerprint(*signing, *encryption), expected_fingerprint)) {
    return make_error_code(client_errc::fingerprint_mismatch);
  }
  auto own = impl.own_certificate();
  if (!own) {
    return own.error();
  }
  protocol::DeviceCertificate certificate;
  certificate.org_id = impl.secrets.org_id;
  certificate.org_type = own->org_type;
  certificate.device_id = device_id;
  certificate.staff_id = *staff;
  certificate.role = *role;
  certificate.signing_key = *signing;
  certificate.encryption_key = *encryption;
  certificate.not_before = now_seconds() - kClockSkewSeconds;
  certificate.not_after = now_seconds() + kDeviceCertificateDays * 24 * 3600;
  certificate = protocol::issue(certificate, *impl.secrets.organisation);
  const auto bytes = protocol::encode(certificate);
  auto approved = impl.expect_ok(impl.hub->post("/v1/enrolments/" + hex(device_id) + "/approve",
                                                bytes, "application/octet-stream"));
  if (!approved) {
    return approved.error();
  }
  for (const Id& mailbox : mailboxes) {
    auto keys = impl.mailbox_keys(mailbox);
    if (!keys) {
      return keys.error();
    }
    auto members = (*keys)->members;
    if (std::find(members.begin(), members.end(), device_id) == members.end()) {
      members.push_back(device_id);
    }
    if (auto rotated = rotate(mailbox, members); !rotated) {
      return rotated.error();
    }
  }
  return {};
}

Result<std::vector<Id>> Client::remove_member(const Id& device_id) {
  auto& impl = *impl_;
  if (auto admin = impl.require_admin(); !admin) {
    return admin.error();
  }
  // Which mailboxes to rotate is read before the removal, while the device still counts.
  auto mailboxes = impl.mailboxes(impl.secrets.org_id);
  if (!mailboxes) {
    return mailboxes.error();
  }
  std::vector<std::pair<Id, std::vector<Id>>> rotations;
  for (const auto& mailbox : *mailboxes) {
    auto keys = impl.mailbox_keys(mailbox.mailbox_id);
    if (!keys) {
      if (keys.error() == client_errc::not_a_member) {
        continue;
      }
      return keys.error();
    }
    auto members = (*keys)->members;
    const auto it = std::find(members.begin(), members.end(), device_id);
    if (it != members.end()) {
      members.erase(it);
      rotations.emplace_back(mailbox.mailbox_id, std::move(members));
    }
  }
  auto removed = impl.expect_ok(
      impl.hub->post("/v1/devices/" + hex(device_id) + "/remove", {}, "application/json"));
  if (!removed) {
    return removed.error();
  }
  std::vector<Id> rotated;
  for (auto& [mailbox, members] : rotations) {
    if (auto done = rotate(mailbox, std::move(members)); !done) {
      return done.error();
    }
    rotated.push_back(mailbox);
  }
  return rotated;
}

Result<std::uint32_t> Client::rotate(const Id& mailbox_id, std::vector<Id> members) {
  auto& impl = *impl_;
  if (auto admin = impl.require_admin(); !admin) {
    return admin.error();
  }
  auto keys = impl.mailbox_keys(mailbox_id);
  if (!keys) {
    return keys.error();
  }
  const MailboxKeys& current = **keys;
  if (!current.seed) {
    return make_error_code(client_errc::not_a_member);
  }
  if (members.empty()) {
    members = current.members;
  }
  const auto seed = protocol::EpochSeed::random();
  protocol::MailboxEpochCertificate next;
  next.mailbox_id = mailbox_id;
  next.org_id = current.current.org_id;
  next.epoch = current.current.epoch + 1;
  next.mailbox_key = protocol::mailbox_identity(seed).public_key();
  next.members_hash = protocol::members_hash(members);
  next.previous_certificate = protocol::certificate_hash(current.current);
  next.created_at = now_seconds();
  next = protocol::issue(next, *impl.secrets.organisation);
  json::array boxes;
  for (const Id& member : members) {
    auto certificate = impl.device_certificate(member);
    if (!certificate) {
      return certificate.error();
    }
    auto box =
        protocol::seal_seed_to_device(seed, mailbox_id, next.epoch, certificate->encryption_key);
    if (!box) {
      return box.error();
    }
    boxes.push_back({{"device_id", hex(member)}, {"seed_box", protocol::base64_encode(*box)}});
  }
  const auto previous = protocol::seal_previous_seed(seed, mailbox_id, next.epoch, *current.seed);
  auto answer =
      impl.post_json("/v1/mailboxes/" + hex(mailbox_id) + "/epochs",
                     json::object{{"certificate", protocol::base64_encode(protocol::encode(next))},
                                  {"members", std::move(boxes)},
                                  {"previous_seed_box", protocol::base64_encode(previous)}});
  if (!answer) {
    return answer.error();
  }
  impl.keys.erase(mailbox_id);
  return next.epoch;
}

Result<protocol::age::X25519Identity> Client::export_mailbox_key(const Id& mailbox_id,
                                                                 std::uint32_t epoch) {
  auto keys = impl_->mailbox_keys(mailbox_id);
  if (!keys) {
    return keys.error();
  }
  const auto* identity = (*keys)->keyring.find(mailbox_id, epoch);
  if (identity == nullptr) {
    return make_error_code(client_errc::not_a_member);
  }
  return protocol::age::X25519Identity::from_secret(
      protocol::SecretKey<32>::copy_of(identity->secret().expose()));
}

}  // namespace draaischijf::client
