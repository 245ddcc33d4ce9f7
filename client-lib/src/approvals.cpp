#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include <draaischijf/client/approvals.hpp>
#include <draaischijf/protocol/approval_request.hpp>
#include <draaischijf/protocol/attachment.hpp>

#include "outbox_steps.hpp"
#include "verified_directory.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using detail::SessionState;
using protocol::Id;
using protocol::Result;

// A message of the queue, opened: a request or an answer from a colleague of this device's
// organisation, verified like every message, with its one structured fragment.
struct Opened {
  StoredMessage stored;
  protocol::OpenedEnvelope envelope;
  const protocol::FragmentView* structured = nullptr;  // the labels or the answer
};

// Opens a stored message of `kind` again and finds its one fragment of `media_type`. Anything
// else (refused at sync, from another organisation, with no or two such fragments, an answer
// with files) is not part of the queue: not_found, so the caller's reference was to something
// else. A request carries the draft's files (7.19).
Result<Opened> open_queued(SessionState& s, const StoredMessage& stored, protocol::MessageKind kind,
                           std::string_view media_type) {
  if (stored.kind != protocol::name_of(kind) || !stored.problem.empty() ||
      stored.sender_org != s.secrets.org_id) {
    return make_error_code(client_errc::not_found);
  }
  auto envelope = open_stored(s, stored);
  if (!envelope) {
    return envelope.error();
  }
  Opened opened{stored, std::move(*envelope), nullptr};
  const bool files_allowed = kind == protocol::kApprovalRequestKind;
  if (opened.envelope.sender.org_id != s.secrets.org_id ||
      (!files_allowed && !opened.envelope.attachments.empty())) {
    return make_error_code(client_errc::not_found);
  }
  for (const auto& fragment : opened.envelope.fragments) {
    if (fragment.media_type == media_type) {
      if (opened.structured != nullptr) {
        return make_error_code(client_errc::not_found);
      }
      opened.structured = &fragment;
    }
  }
  if (opened.structured == nullptr) {
    return make_error_code(client_errc::not_found);
  }
  return opened;
}

// A request in the local inbox, opened, with the labels it carries.
struct HeldRequest {
  Opened request;
  protocol::ApprovalRequest labels;
};

Result<HeldRequest> open_request(SessionState& s, const Id& mailbox_id, std::int64_t sequence) {
  auto stored = s.state.message(mailbox_id, sequence);
  if (!stored) {
    return stored.error();
  }
  auto request =
      open_queued(s, *stored, protocol::kApprovalRequestKind, protocol::kApprovalRequestMediaType);
  if (!request) {
    return request.error();
  }
  auto labels = protocol::parse_approval_request(request->structured->body);
  if (!labels) {
    return labels.error();
  }
  return HeldRequest{std::move(*request), std::move(*labels)};
}

// The draft as the requester fixed it: the request's content fragments (with the fragments
// naming its files), its files, its pupil binding and the labels it carries. What the approver
// is shown is exactly what this returns. The files are the request's own blobs; the content
// hash covers each by category, plaintext hash, media type and name (7.12), not by its blob,
// so the send encrypts them again under keys of its own.
protocol::Draft draft_of(const Opened& request, const protocol::ApprovalRequest& labels) {
  protocol::Draft draft;
  draft.message_id = labels.message_id;
  draft.kind = labels.kind;
  draft.purpose = labels.purpose;
  draft.attestations = labels.attestations;
  draft.consent_reference = labels.consent_reference;
  draft.thread_id = labels.thread_id;
  draft.previous_hash = labels.previous_hash;
  draft.pupil = request.envelope.pupil;
  for (const auto& fragment : request.envelope.fragments) {
    if (&fragment != request.structured) {
      draft.fragments.push_back({fragment.category, fragment.domain, fragment.media_type,
                                 protocol::SecretBytes::copy_of(fragment.body)});
    }
  }
  for (const auto& file : request.envelope.attachments) {
    protocol::AttachmentDescriptor copy;
    copy.id = file.id;
    copy.plaintext_hash = file.plaintext_hash;
    copy.ciphertext_size = file.ciphertext_size;
    copy.media_type = file.media_type;
    copy.file_name = file.file_name;
    draft.attachments.push_back(std::move(copy));  // no key: the approver signs, never decrypts
  }
  return draft;
}

// The answer, in the request's thread, to the requester's mailbox and to the request's own
// mailbox, so that every approver reading that mailbox sees the request taken.
Result<void> answer(SessionState& s, const Opened& request, const protocol::ApprovalRequest& labels,
                    const protocol::ApprovalAnswer& decision) {
  auto body = protocol::encode_approval_answer(decision);
  if (!body) {
    return body.error();
  }
  protocol::Draft reply;
  reply.message_id = protocol::random_id();
  reply.kind = protocol::kApprovalAnswerKind;
  reply.purpose = request.envelope.outer.purpose;
  reply.thread_id = request.envelope.thread_id;
  reply.previous_hash = protocol::envelope_hash(request.stored.envelope);
  reply.pupil = request.envelope.pupil;
  // The request's first category: the answer is about that content, and needs no other.
  reply.fragments.push_back(
      {request.envelope.fragments.front().category, protocol::GuidanceDomain::none,
       std::string(protocol::kApprovalAnswerMediaType), protocol::SecretBytes::copy_of(*body)});
  std::vector<Id> recipients = {labels.answer_to};
  if (request.stored.mailbox_id != labels.answer_to) {
    recipients.push_back(request.stored.mailbox_id);
  }
  auto sent = detail::send_draft(s, reply, recipients);
  if (!sent) {
    return sent.error();
  }
  return {};
}

// The draft message ids some approver answered, from the answers in the local inbox.
Result<std::set<Id>> answered(SessionState& s, const std::vector<StoredMessage>& stored) {
  std::set<Id> out;
  for (const auto& m : stored) {
    auto opened =
        open_queued(s, m, protocol::kApprovalAnswerKind, protocol::kApprovalAnswerMediaType);
    if (!opened) {
      continue;  // not an answer of this organisation's queue
    }
    if (auto parsed = protocol::parse_approval_answer(opened->structured->body)) {
      out.insert(parsed->message_id);
    }
  }
  return out;
}

// The category of the fragment naming attachment `id` (7.11; opening checked there is one).
protocol::DataCategory attachment_category(const protocol::Draft& draft, const Id& id) {
  for (const auto& f : draft.fragments) {
    if (f.media_type == protocol::kAttachmentReferenceMediaType &&
        std::equal(f.body.expose().begin(), f.body.expose().end(), id.begin(), id.end())) {
      return f.category;
    }
  }
  return protocol::DataCategory::verslag;  // unreachable for an opened envelope
}

std::vector<std::string> flag_names(std::uint32_t bits) {
  std::vector<std::string> out;
  for (const auto& entry : protocol::vocabulary<policies::Flag>()) {
    if ((bits >> static_cast<unsigned>(entry.value)) & 1U) {
      out.emplace_back(entry.name);
    }
  }
  return out;
}

// The mailbox an answer to this device's request for a second approval goes to: one of its
// organisation's accepting mailboxes this device is a member of, the one serving its own role
// first (not the general one, which the whole team reads), the lowest id among equals.
Result<Id> answer_mailbox(SessionState& s) {
  auto mailboxes = verified_mailboxes(s, s.secrets.org_id);
  if (!mailboxes) {
    return mailboxes.error();
  }
  auto own = own_certificate(s);
  if (!own) {
    return own.error();
  }
  std::optional<std::pair<int, Id>> best;
  for (const DirectoryMailbox& m : *mailboxes) {
    if (!m.accepting) {
      continue;
    }
    auto keys = mailbox_keys(s, m.mailbox_id);
    if (!keys && keys.error() != client_errc::not_a_member) {
      return keys.error();
    }
    if (!keys || std::find((*keys)->members.begin(), (*keys)->members.end(), s.secrets.device_id) ==
                     (*keys)->members.end()) {
      continue;
    }
    const int rank = m.function == own->role ? 0 : (m.function ? 1 : 2);
    if (!best || std::pair{rank, m.mailbox_id} < *best) {
      best = std::pair{rank, m.mailbox_id};
    }
  }
  if (!best) {
    return make_error_code(client_errc::not_a_member);
  }
  return best->second;
}

// A request for a second approval as it will be sent, before its files: the draft (its ids
// fixed), the request message that carries it and the mailbox the answer comes to.
struct RequestDraft {
  protocol::Draft draft;
  protocol::Draft request;
  Id answer_to{};
};

Result<RequestDraft> request_draft(SessionState& s, Composition& composition) {
  if (composition.fragments.empty()) {
    return protocol::make_error_code(protocol::errc::field_out_of_range);
  }
  // The recipients as the send will name them, team copy included: the approval names them.
  auto draft = detail::fix_draft(s, composition);
  if (!draft) {
    return draft.error();
  }
  auto answer_to = answer_mailbox(s);
  if (!answer_to) {
    return answer_to.error();
  }
  auto labels = protocol::encode_approval_request(
      {draft->message_id, draft->thread_id, draft->previous_hash, draft->kind, draft->purpose,
       draft->attestations, draft->consent_reference, *answer_to, composition.recipients});
  if (!labels) {
    return labels.error();
  }
  // The request is a message of its own, in a thread of its own, about the same pupil. Its
  // outer labels name the draft's kind of content (categories, pupil, purpose) but no consent
  // and no attestations: it discloses nothing (R38) and must not borrow the draft's grounds.
  // The labels fragment takes the first fragment's category, so the request's categories are
  // exactly the draft's.
  protocol::Draft request;
  request.message_id = protocol::random_id();
  request.kind = protocol::kApprovalRequestKind;
  request.purpose = draft->purpose;
  request.thread_id = protocol::random_id();
  request.pupil = std::move(draft->pupil);
  request.fragments = std::move(composition.fragments);
  const auto category = request.fragments.front().category;
  request.fragments.push_back({category, protocol::GuidanceDomain::none,
                               std::string(protocol::kApprovalRequestMediaType),
                               protocol::SecretBytes::copy_of(*labels)});
  return RequestDraft{std::move(*draft), std::move(request), *answer_to};
}

// The categories of the draft's files, uploaded ones first (the order attach_files keeps).
std::vector<protocol::DataCategory> file_categories(
    const Composition& composition, const std::vector<UploadedAttachment>& uploaded) {
  std::vector<protocol::DataCategory> out;
  for (const auto& file : uploaded) {
    out.push_back(file.category);
  }
  for (const auto& file : composition.attachments) {
    out.push_back(file.category);
  }
  return out;
}

}  // namespace

Result<void> ApprovalQueue::check(Composition composition, const Id& approver_mailbox) {
  auto& s = *state_;
  auto built = request_draft(s, composition);
  if (!built) {
    return built.error();
  }
  return detail::check_draft(s, built->request, {approver_mailbox},
                             file_categories(composition, {}));
}

Result<ApprovalRequested> ApprovalQueue::request(Composition composition,
                                                 const Id& approver_mailbox,
                                                 std::vector<UploadedAttachment> uploaded) {
  auto& s = *state_;
  auto built = request_draft(s, composition);
  if (!built) {
    return built.error();
  }
  auto& request = built->request;
  // The pre-check before any file goes up, with each file counted under its category as the
  // fragment naming it will be (7.11): a request the policy refuses uploads nothing.
  if (auto allowed = detail::check_draft(s, request, {approver_mailbox},
                                         file_categories(composition, uploaded));
      !allowed) {
    return allowed.error();
  }
  // The draft's files go with it as ordinary attachments of the request (7.11), so the approver
  // opens, checks and can save exactly the files they approve.
  if (auto attached =
          detail::attach_files(s, request, composition.attachments, std::move(uploaded));
      !attached) {
    return attached.error();
  }
  auto sent = detail::send_draft(s, request, {approver_mailbox});
  if (!sent) {
    return sent.error();
  }
  return ApprovalRequested{sent->message_id, built->draft.message_id, built->draft.thread_id,
                           approver_mailbox, built->answer_to};
}

Result<Id> ApprovalQueue::mailbox_for(std::string_view role) {
  auto& s = *state_;
  const auto wanted = protocol::parse_name<protocol::StaffRole>(role);
  if (!wanted) {
    return make_error_code(client_errc::unknown_mailbox);
  }
  auto mailboxes = verified_mailboxes(s, s.secrets.org_id);
  if (!mailboxes) {
    return mailboxes.error();
  }
  std::optional<Id> chosen;
  for (const DirectoryMailbox& m : *mailboxes) {
    if (m.accepting && m.function == *wanted && (!chosen || m.mailbox_id < *chosen)) {
      chosen = m.mailbox_id;
    }
  }
  if (!chosen) {
    return make_error_code(client_errc::unknown_mailbox);
  }
  return *chosen;
}

Result<std::vector<PendingApproval>> ApprovalQueue::pending() {
  auto& s = *state_;
  auto stored = s.state.messages(false);
  if (!stored) {
    return stored.error();
  }
  auto done = answered(s, *stored);
  if (!done) {
    return done.error();
  }
  std::vector<PendingApproval> out;
  for (const auto& m : *stored) {
    auto request =
        open_queued(s, m, protocol::kApprovalRequestKind, protocol::kApprovalRequestMediaType);
    if (!request) {
      continue;
    }
    auto labels = protocol::parse_approval_request(request->structured->body);
    if (!labels || done->contains(labels->message_id)) {
      continue;
    }
    auto draft = draft_of(*request, *labels);
    PendingApproval p;
    p.mailbox_id = m.mailbox_id;
    p.sequence = m.sequence;
    p.received_at_ms = m.received_at_ms;
    p.requester_device = request->envelope.sender.device_id;
    p.requester_role = std::string(protocol::name_of(request->envelope.sender.role));
    p.message_id = labels->message_id;
    p.thread_id = labels->thread_id;
    p.kind = labels->kind;
    p.purpose = labels->purpose;
    p.attestations = flag_names(labels->attestations);
    p.consent_reference = labels->consent_reference;
    p.pupil_reference = draft.pupil ? draft.pupil->reference : std::string();
    p.recipients = labels->recipients;
    for (const auto& fragment : draft.fragments) {
      p.categories.add(fragment.category);
    }
    for (std::size_t n = 0; n < draft.attachments.size(); ++n) {
      const auto& file = draft.attachments[n];
      p.attachments.push_back(
          {n, file.file_name, file.media_type, attachment_category(draft, file.id),
           protocol::attachment_plaintext_size(file.ciphertext_size), file.plaintext_hash});
    }
    std::erase_if(draft.fragments, [](const protocol::Fragment& f) {
      return f.media_type == protocol::kAttachmentReferenceMediaType;
    });
    p.fragments = std::move(draft.fragments);
    out.push_back(std::move(p));
  }
  return out;
}

Result<GivenApproval> ApprovalQueue::approve(const Id& mailbox_id, std::int64_t sequence) {
  auto& s = *state_;
  auto held = open_request(s, mailbox_id, sequence);
  if (!held) {
    return held.error();
  }
  const auto& [request, labels] = *held;
  // Signed over the content this device opened: a requester that sends anything else is
  // refused by every recipient (approval_content_mismatch).
  auto given = detail::give_approval(s, draft_of(request, labels), labels.recipients);
  if (!given) {
    return given.error();
  }
  if (auto told =
          answer(s, request, labels,
                 {labels.message_id, protocol::ApprovalDecision::approved, given->approval_id, {}});
      !told) {
    return told.error();
  }
  return given;
}

Result<void> ApprovalQueue::decline(const Id& mailbox_id, std::int64_t sequence,
                                    std::string_view reason) {
  auto& s = *state_;
  auto held = open_request(s, mailbox_id, sequence);
  if (!held) {
    return held.error();
  }
  return answer(
      s, held->request, held->labels,
      {held->labels.message_id, protocol::ApprovalDecision::declined, {}, std::string(reason)});
}

Result<std::vector<ApprovalAnswerReceived>> ApprovalQueue::answers() {
  auto& s = *state_;
  auto stored = s.state.messages(false);
  if (!stored) {
    return stored.error();
  }
  std::vector<ApprovalAnswerReceived> out;
  for (const auto& m : *stored) {
    auto opened =
        open_queued(s, m, protocol::kApprovalAnswerKind, protocol::kApprovalAnswerMediaType);
    if (!opened) {
      continue;
    }
    auto parsed = protocol::parse_approval_answer(opened->structured->body);
    if (!parsed) {
      continue;
    }
    out.push_back({m.mailbox_id, m.sequence, m.received_at_ms, parsed->message_id,
                   parsed->decision == protocol::ApprovalDecision::approved, parsed->approval_id,
                   parsed->reason, std::string(protocol::name_of(opened->envelope.sender.role)),
                   opened->envelope.sender.device_id});
  }
  return out;
}

namespace {

json::object pending_approval_json(const PendingApproval& p) {
  json::array files;
  for (const auto& file : p.attachments) {
    files.push_back({{"index", file.index},
                     {"file_name", file.file_name},
                     {"media_type", file.media_type},
                     {"category", protocol::name_of(file.category)},
                     {"size", file.size},
                     {"plaintext_hash", hex(file.plaintext_hash)}});
  }
  json::array recipients;
  for (const auto& mailbox : p.recipients) {
    recipients.emplace_back(hex(mailbox));
  }
  json::array attestations(p.attestations.begin(), p.attestations.end());
  json::array fragments;
  for (const auto& fragment : p.fragments) {
    const bool text = fragment.media_type.rfind("text/", 0) == 0;
    fragments.push_back(
        {{"category", protocol::name_of(fragment.category)},
         {"media_type", fragment.media_type},
         {"text", text ? std::string(fragment.body.expose().begin(), fragment.body.expose().end())
                       : std::string()}});
  }
  return {{"sequence", p.sequence},
          {"mailbox_id", hex(p.mailbox_id)},
          {"received_at_ms", p.received_at_ms},
          {"requester_device", hex(p.requester_device)},
          {"requester_role", p.requester_role},
          {"message_id", hex(p.message_id)},
          {"thread_id", hex(p.thread_id)},
          {"kind", protocol::name_of(p.kind)},
          {"purpose", protocol::name_of(p.purpose)},
          {"flags", std::move(attestations)},
          {"consent", hex(p.consent_reference)},
          {"pupil", p.pupil_reference},
          {"categories", categories_text(p.categories)},
          {"recipients", std::move(recipients)},
          {"fragments", std::move(fragments)},
          {"attachments", std::move(files)}};
}

json::object approval_answer_json(const ApprovalAnswerReceived& a) {
  return {{"sequence", a.sequence},
          {"message_id", hex(a.message_id)},
          {"approved", a.approved},
          {"approval_id", a.approved ? hex(a.approval_id) : std::string()},
          {"reason", a.reason},
          {"approver_role", a.approver_role},
          {"approver_device", hex(a.approver_device)},
          {"received_at_ms", a.received_at_ms}};
}

}  // namespace

json::object approval_queue_json(const std::vector<PendingApproval>& pending,
                                 const std::vector<ApprovalAnswerReceived>& answers) {
  json::array p;
  json::array a;
  for (const auto& item : pending) {
    p.push_back(pending_approval_json(item));
  }
  for (const auto& item : answers) {
    a.push_back(approval_answer_json(item));
  }
  return {{"pending", std::move(p)}, {"answers", std::move(a)}};
}

json::object given_approval_json(const GivenApproval& given) {
  return {{"approval_id", hex(given.approval_id)},
          {"message_id", hex(given.message_id)},
          {"thread_id", hex(given.thread_id)},
          {"role", given.role},
          {"person", hex(given.person)},
          {"categories", categories_text(given.categories)},
          {"content_hash", hex(given.content_hash)}};
}

}  // namespace draaischijf::client
