#include <algorithm>

#include <draaischijf/client/outbox.hpp>
#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "attachment_transfer.hpp"
#include "directory_log.hpp"
#include "gossip.hpp"
#include "hub_json.hpp"
#include "outbox_steps.hpp"
#include "pupil_key.hpp"
#include "verified_directory.hpp"

namespace draaischijf::client {
namespace {

using detail::SessionState;
using protocol::Id;
using protocol::Result;

// The fragment that binds an attachment to its data category inside the signed part.
protocol::Fragment attachment_reference(protocol::DataCategory category, const Id& attachment_id) {
  protocol::Fragment fragment;
  fragment.category = category;
  fragment.media_type = std::string(protocol::kAttachmentReferenceMediaType);
  fragment.body = protocol::SecretBytes::copy_of(attachment_id);
  return fragment;
}

// The draft's fixed parts. The message id is fixed here, so a refusal can name it for the
// approval; a reply takes its thread and the previous envelope's hash from the message it
// answers, a new message a random thread unless an approval named one.
Result<protocol::Draft> draft_of(SessionState& s, const Composition& c) {
  protocol::Draft draft;
  draft.message_id = c.message_id == Id{} ? protocol::random_id() : c.message_id;
  draft.kind = c.kind;
  draft.purpose = c.purpose;
  draft.attestations = static_cast<std::uint32_t>(c.attestations.bits());
  draft.consent_reference = c.consent_reference;
  draft.thread_id = c.thread_id == Id{} ? protocol::random_id() : c.thread_id;
  if (!c.pupil.empty()) {
    auto pupil = bind_pupil(s, c.pupil);
    if (!pupil) {
      return pupil.error();
    }
    draft.pupil = std::move(*pupil);
  }
  if (c.reply_to) {
    auto original = s.state.message(c.reply_to->first, c.reply_to->second);
    if (!original) {
      return original.error();
    }
    auto opened = open_stored(s, *original);
    if (!opened) {
      return opened.error();
    }
    draft.thread_id = opened->thread_id;
    draft.previous_hash = protocol::envelope_hash(original->envelope);
    if (!draft.pupil) {
      // The pupil the conversation is about, under the pseudonym of the organisation that
      // named them first: a partner's answer lands in the CLB's dossier of that pupil.
      draft.pupil = opened->pupil;
    }
  }
  return draft;
}

// The same content as the sender will seal, for an approver: the text fragments, and each file
// by its category, media type, name and plaintext hash (content_hash ignores the ids).
Result<void> add_files_for_approval(protocol::Draft& draft, const Composition& c) {
  for (const auto& file : c.attachments) {
    auto hash = hash_file(file.path);
    if (!hash) {
      return hash.error();
    }
    protocol::AttachmentDescriptor descriptor;
    descriptor.id = protocol::random_id();
    descriptor.media_type = file.media_type;
    descriptor.file_name = file.file_name.empty() ? file.path.filename().string() : file.file_name;
    descriptor.plaintext_hash = *hash;
    draft.fragments.push_back(attachment_reference(file.category, descriptor.id));
    draft.attachments.push_back(std::move(descriptor));
  }
  return {};
}

// The approvals the composition names, as the hub holds them, each checked here against the
// draft before it is carried inside: a clear refusal now rather than a recipient's later.
Result<void> carry_approvals(SessionState& s, protocol::Draft& draft, const Composition& c) {
  if (c.approvals.empty()) {
    return {};  // hashing the content costs as much as the fragments are long
  }
  const auto content = protocol::content_hash(draft);
  for (const Id& id : c.approvals) {
    auto reply = s.expect_ok(s.hub->get("/v1/approvals/" + hex(id)));
    if (!reply) {
      return reply.error();
    }
    std::vector<std::uint8_t> bytes(reply->body.begin(), reply->body.end());
    const auto approval = protocol::parse_approval(bytes);
    if (!approval || approval->statement.approval_id != id) {
      return invalid_answer();
    }
    if (!protocol::ct_equal(approval->statement.content_hash, content)) {
      return protocol::make_error_code(protocol::errc::approval_content_mismatch);
    }
    draft.approvals.push_back(std::move(bytes));
  }
  return {};
}

// --- the team's Sent copy -----------------------------------------------------------------------

// The team's Sent folder: the organisation's accepting general mailbox (function 0,
// docs/PROTOCOL.md 5.1), the lowest id when there are several, so that the sender's device and
// an approver's device of the same organisation pick the same one.
Result<std::optional<Id>> team_sent_mailbox(SessionState& s) {
  auto mailboxes = verified_mailboxes(s, s.secrets.org_id);
  if (!mailboxes) {
    return mailboxes.error();
  }
  std::optional<Id> chosen;
  for (const DirectoryMailbox& m : *mailboxes) {
    if (m.accepting && !m.function && (!chosen || m.mailbox_id < *chosen)) {
      chosen = m.mailbox_id;
    }
  }
  return chosen;
}

// Adds the team's Sent folder to `recipients` as one more recipient of the same envelope (one
// ciphertext, so the copy is exactly what the others got). It counts towards the limit of 16:
// a message that would need a 17th mailbox is refused before anything is encrypted.
Result<std::optional<Id>> team_copy_into(SessionState& s, std::vector<Id>& recipients) {
  auto team = team_sent_mailbox(s);
  if (!team || !*team) {
    return team;
  }
  if (std::find(recipients.begin(), recipients.end(), **team) == recipients.end()) {
    if (recipients.size() >= protocol::kMaxRecipients) {
      return make_error_code(client_errc::too_many_recipients);
    }
    recipients.push_back(**team);
  }
  return team;
}

// --- the policy pre-check ------------------------------------------------------------------------

// The sender as the hub sees it: from this device's certificate.
Result<SenderFacts> sender_facts(SessionState& s) {
  auto certificate = own_certificate(s);
  if (!certificate) {
    return certificate.error();
  }
  return SenderFacts{certificate->org_type, certificate->org_id, certificate->role,
                     certificate->staff_id};
}

// The recipient as the hub's directory describes it: the organisation of the mailbox's
// verified epoch certificate, that organisation's type, and the function the organisation
// signed into the certificate (never the mailbox's name, which any admin may choose).
Result<RecipientFacts> recipient_facts(SessionState& s, const Id& mailbox_id) {
  if (const auto seen = s.recipient_facts_seen.find(mailbox_id);
      seen != s.recipient_facts_seen.end()) {
    return seen->second;
  }
  auto certificate = current_epoch(s, mailbox_id);
  if (!certificate) {
    return certificate.error();
  }
  const Id org = certificate->first.org_id;
  auto organisation = s.get_json("/v1/organisations/" + hex(org));
  if (!organisation) {
    return organisation.error();
  }
  const auto type = protocol::parse_name<protocol::OrgType>(
      hub_json::text(*organisation, "org_type").value_or(""));
  if (!type) {
    return invalid_answer();
  }
  RecipientFacts facts{mailbox_id, {org, *type, certificate->first.function}};
  s.recipient_facts_seen.emplace(mailbox_id, facts);
  return facts;
}

// The engine with the hub's rule set, when the operator's policy key is pinned.
Result<PolicyVerdict> engine_verdict(SessionState& s, const protocol::OuterHeader& labels) {
  auto status = s.policies.status(s.trust.policy_key());
  if (!status) {
    return status.error();
  }
  if (!status->enabled) {
    return PolicyVerdict{true, {}, std::nullopt};
  }
  auto sender = sender_facts(s);
  if (!sender) {
    return sender.error();
  }
  std::vector<RecipientFacts> recipients;
  for (const auto& recipient : labels.recipients) {
    auto facts = recipient_facts(s, recipient.mailbox_id);
    if (!facts) {
      return facts.error();
    }
    recipients.push_back(*facts);
  }
  return s.policies.judge(labels, *sender, recipients);
}

// The checks before anything is encrypted: the caller's own, then the engine's. Files uploaded
// beforehand count by their categories like the composition's own.
Result<void> pre_check(SessionState& s, const protocol::Draft& draft,
                       const Composition& composition,
                       std::span<const UploadedAttachment> uploaded = {}) {
  auto labels = labels_of(draft, composition, s.secrets.org_id);
  for (const auto& file : uploaded) {
    labels.categories.add(file.category);
  }
  PolicyVerdict verdict{true, {}, std::nullopt};
  if (s.policy) {
    verdict = s.policy(labels, composition);
  }
  if (verdict.allowed) {
    auto judged = engine_verdict(s, labels);
    if (!judged) {
      return judged.error();
    }
    verdict = std::move(*judged);
  }
  if (verdict.allowed) {
    return {};
  }
  s.problem = pre_check_problem(std::move(verdict), draft);
  return make_error_code(client_errc::policy_refused);
}

// --- upload and submission -----------------------------------------------------------------------

// Encrypts and uploads one file as it is read; the hub's answer must name the bytes we sent.
// The upload names no recipients: the envelope that lists the blob in its outer labels grants
// it to its recipient mailboxes once the hub's policy admitted it (PROTOCOL.md 7.11). Touches
// no session: `hub` and `problem` may be a connection and a record of the caller's own.
Result<protocol::AttachmentDescriptor> upload_file(HubTransport& hub, HubProblem& problem,
                                                   const AttachmentFile& file,
                                                   const ProgressCallback& progress) {
  protocol::AttachmentDescriptor descriptor;
  descriptor.id = protocol::random_id();
  descriptor.media_type = file.media_type;
  descriptor.file_name = file.file_name.empty() ? file.path.filename().string() : file.file_name;
  if (!protocol::is_display_safe(descriptor.file_name)) {
    // The sealer would refuse it (PROTOCOL.md 7.7): refuse before the blob is uploaded.
    return protocol::make_error_code(protocol::errc::field_out_of_range);
  }
  auto source = SealingFileSource::open(file.path, descriptor.file_name, progress);
  if (!source) {
    return source.error();
  }
  HubSession answers{nullptr, {}};  // reads a refusal into its problem; sends nothing itself
  auto reply = answers.expect_ok(
      hub.put("/v1/blobs/" + hex(descriptor.id), **source, "application/octet-stream"));
  if (!reply) {
    problem = std::move(answers.problem);
    return reply.error();
  }
  const auto answer = hub_json::object_of(reply->body);
  descriptor.ciphertext_size = (*source)->size();
  descriptor.ciphertext_hash = (*source)->hash();
  descriptor.plaintext_hash = (*source)->plaintext_hash();
  if (!answer || hub_json::count(*answer, "size") != descriptor.ciphertext_size ||
      hub_json::text(*answer, "hash") != hex(descriptor.ciphertext_hash)) {
    return invalid_answer();  // the hub kept other bytes than we sent
  }
  descriptor.key = protocol::SecretKey<32>::copy_of((*source)->sealer().key().expose());
  descriptor.stream_header = (*source)->sealer().header();
  return descriptor;
}

// The recipients' current epoch certificates, each accepting messages. protocol::seal refuses
// one outside its window (epoch_expired): a hub may offer an old epoch that still holds a
// device removed since.
Result<std::vector<protocol::MailboxEpochCertificate>> recipient_epochs(
    SessionState& s, const std::vector<Id>& recipients) {
  std::vector<protocol::MailboxEpochCertificate> certificates;
  for (const Id& recipient : recipients) {
    auto certificate = current_epoch(s, recipient);
    if (!certificate) {
      return certificate.error();
    }
    if (!certificate->second) {
      return make_error_code(client_errc::mailbox_held);
    }
    certificates.push_back(std::move(certificate->first));
  }
  return certificates;
}

// Whether the decisions name exactly the envelope's recipient mailboxes, each once, each with
// the rules and the legal basis it was let through on: a receipt that leaves a recipient out, or
// names another mailbox, is no proof for what the hub did with this envelope.
bool names_every_recipient(const protocol::ReceiptDecisions& decided,
                           const std::vector<protocol::RecipientMailbox>& recipients) {
  if (decided.rule_set_version.empty() || decided.decisions.size() != recipients.size()) {
    return false;
  }
  std::vector<Id> named;
  for (const protocol::ReceiptDecision& d : decided.decisions) {
    if (d.rule_ids.empty() || d.legal_basis.empty()) {
      return false;
    }
    named.push_back(d.mailbox_id);
  }
  std::sort(named.begin(), named.end());
  if (std::adjacent_find(named.begin(), named.end()) != named.end()) {
    return false;
  }
  // As many as there are recipients, none twice: naming every recipient names exactly them.
  return std::all_of(recipients.begin(), recipients.end(), [&](const auto& r) {
    return std::binary_search(named.begin(), named.end(), r.mailbox_id);
  });
}

// A version 3 receipt's proof in the hub's answer (docs/PROTOCOL.md 8.4): the checkpoint it
// carries is signed by the pinned hub key and extends the record-log checkpoint this device holds
// (the same checks as a fetched one), and the entry rebuilt from the receipt and the row hash is
// leaf `record_index` of its tree. Returns what is kept with the send: the receipt with its proof
// (the answer's fields, as JSON), so it can be shown again to anyone who trusts the hub key.
Result<std::vector<std::uint8_t>> check_logged_receipt(SessionState& s,
                                                       const protocol::Receipt& receipt,
                                                       const boost::json::object& body) {
  const auto index = hub_json::count(body, "record_index");
  const auto row_hash =
      exactly<32>(protocol::hex_decode(hub_json::text(body, "record_row_hash").value_or("")));
  const auto note = hub_json::text(body, "checkpoint");
  auto proof = proof_of(body);
  if (!index || !row_hash || !note || !proof) {
    return make_error_code(client_errc::receipt_invalid);
  }
  // A checkpoint that is not the hub's, or that forks from or rolls back the one held, is
  // refused as such (log_checkpoint_invalid, log_fork, log_rollback): evidence against the hub.
  auto checkpoint = adopt_checkpoint(s, kRecordLog, *note, QuorumOnNote::kept_only_with);
  if (!checkpoint) {
    return checkpoint.error();
  }
  if (!protocol::check_logged(receipt, *row_hash, *index, *checkpoint, *proof)) {
    return make_error_code(client_errc::receipt_invalid);
  }
  boost::json::object kept{{"receipt", body.at("receipt")},
                           {"record_index", *index},
                           {"record_row_hash", body.at("record_row_hash")},
                           {"checkpoint", *note},
                           {"proof", body.at("proof")}};
  const std::string text = boost::json::serialize(kept);
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

// What proves the receipt: the pinned hub key's signature (version 2; kept as its bytes) or the
// record log (version 3; kept with its proof).
Result<std::vector<std::uint8_t>> check_receipt_authority(SessionState& s,
                                                          const protocol::Receipt& receipt,
                                                          const std::vector<std::uint8_t>& bytes,
                                                          const boost::json::object& body) {
  if (receipt.version == protocol::kLoggedReceiptVersion) {
    return check_logged_receipt(s, receipt, body);
  }
  if (!s.trust.hub_key() || !protocol::verify(receipt, *s.trust.hub_key())) {
    return make_error_code(client_errc::receipt_invalid);
  }
  return bytes;
}

// The hub's receipt for `envelope`, checked against the pinned hub key (its signature or the
// record log's checkpoint), and the send recorded locally with it.
Result<SendResult> accept_receipt(SessionState& s, const protocol::Draft& draft,
                                  const std::vector<Id>& recipients,
                                  const std::vector<std::uint8_t>& envelope, const HubReply& reply,
                                  bool replay) {
  auto body = hub_json::object_of(reply.body);
  if (!body) {
    return invalid_answer();
  }
  const auto parsed = protocol::parse_envelope(envelope);
  auto receipt_bytes = hub_json::base64(*body, "receipt");
  auto receipt = receipt_bytes ? protocol::parse_receipt(*receipt_bytes)
                               : Result<protocol::Receipt>(invalid_answer());
  if (!parsed || !receipt || !s.trust.hub_key() ||
      receipt->message_id != parsed->outer.message_id ||
      receipt->envelope_hash != protocol::envelope_hash(envelope) ||
      !names_every_recipient(receipt->decided, parsed->outer.recipients)) {
    return make_error_code(client_errc::receipt_invalid);
  }
  auto proof = check_receipt_authority(s, *receipt, *receipt_bytes, *body);
  if (!proof) {
    return proof.error();
  }
  SendResult result{receipt->message_id,
                    static_cast<std::int64_t>(receipt->sequence),
                    static_cast<std::int64_t>(receipt->received_at_ms),
                    replay,
                    receipt->decided.rule_set_version,
                    receipt->decided.decisions,
                    std::nullopt};  // send() names the team's copy
  // So that the answers to it are known to continue a thread this device saw (thread_gap).
  if (auto noted = s.state.note_envelope(receipt->envelope_hash); !noted) {
    return noted.error();
  }
  std::string names;
  for (const Id& recipient : recipients) {
    names += (names.empty() ? "" : " ") + hex(recipient);
  }
  // The receipt as the hub gave it, with what proves it: the proof outlives this answer.
  if (auto recorded =
          s.state.record_sent({result.message_id, std::string(protocol::name_of(draft.kind)),
                               result.hub_sequence, result.received_at_ms, names, *proof});
      !recorded) {
    return recorded.error();
  }
  return result;
}

// Seals, submits and checks the receipt; stale epochs are fetched again once.
Result<SendResult> submit(SessionState& s, protocol::Draft& draft,
                          const std::vector<Id>& recipients, bool retried = false) {
  auto certificates = recipient_epochs(s, recipients);
  if (!certificates) {
    return certificates.error();
  }
  // After the recipients' epochs were proved: the checkpoints then are the latest this device
  // accepted, and they travel signed to every recipient (docs/TRANSPARENCY.md, gossip).
  auto gossip = checkpoints_to_gossip(s);
  if (!gossip) {
    return gossip.error();
  }
  draft.checkpoints = std::move(*gossip);
  auto certificate = own_certificate(s);
  if (!certificate) {
    return certificate.error();
  }
  auto sequence = s.state.take_sequence();
  if (!sequence) {
    return sequence.error();
  }
  auto envelope = protocol::seal(draft, {*certificate, s.secrets.signing, *sequence}, *certificates,
                                 static_cast<std::uint64_t>(s.clock.now_ms()));
  if (!envelope) {
    return envelope.error();
  }
  // A version 3 receipt (docs/PROTOCOL.md 8.4): the hub signs once per group commit.
  auto reply = s.hub->post("/v1/envelopes?receipt=3", *envelope, "application/octet-stream");
  if (!reply) {
    return reply.error();
  }
  const bool replay = reply->status == 409 && reply->content_type == "application/json";
  if (!reply->ok() && !replay) {
    const auto error = s.refused(*reply);
    if (s.problem.type == "urn:draaischijf:problem:stale-epoch" && !retried) {
      s.keys.clear();
      return submit(s, draft, recipients, true);  // the same message id: PROTOCOL.md 7.12
    }
    if (s.problem.policy) {
      s.problem.policy->message_id = draft.message_id;
      s.problem.policy->thread_id = draft.thread_id;
    }
    return error;
  }
  return accept_receipt(s, draft, recipients, *envelope, *reply, replay);
}

}  // namespace

void Outbox::set_policy_check(PolicyCheck check) { state_->policy = std::move(check); }

Result<PolicyCheckStatus> Outbox::policy_check_status() {
  return state_->policies.status(state_->trust.policy_key());
}

Result<void> Outbox::check(const Composition& composition) {
  auto& s = *state_;
  auto draft = draft_of(s, composition);
  if (!draft) {
    return draft.error();
  }
  return pre_check(s, *draft, composition);
}

Result<UploadedAttachment> upload_attachment(HubTransport& hub, const AttachmentFile& file,
                                             const ProgressCallback& progress,
                                             HubProblem* problem) {
  HubProblem refusal;
  auto uploaded = upload_file(hub, refusal, file, progress);
  if (!uploaded) {
    if (problem != nullptr) {
      *problem = std::move(refusal);
    }
    return uploaded.error();
  }
  return UploadedAttachment{file.category, std::move(*uploaded)};
}

Result<SendResult> Outbox::send(Composition composition) {
  return send(std::move(composition), {});
}

Result<SendResult> Outbox::send(Composition composition, std::vector<UploadedAttachment> uploaded) {
  auto& s = *state_;
  auto team = team_copy_into(s, composition.recipients);
  if (!team) {
    return team.error();
  }
  auto draft = draft_of(s, composition);
  if (!draft) {
    return draft.error();
  }
  if (auto allowed = pre_check(s, *draft, composition, uploaded); !allowed) {
    return allowed.error();
  }
  draft->fragments = std::move(composition.fragments);
  if (auto attached = detail::attach_files(s, *draft, composition.attachments, std::move(uploaded));
      !attached) {
    return attached.error();
  }
  if (auto carried = carry_approvals(s, *draft, composition); !carried) {
    return carried.error();
  }
  auto sent = submit(s, *draft, composition.recipients);
  if (sent) {
    sent->team_copy = *team;
  }
  return sent;
}

Result<GivenApproval> Outbox::approve_message(Composition composition) {
  auto& s = *state_;
  // The approval names the recipients, so it names the team's copy the send will add too.
  if (auto team = team_copy_into(s, composition.recipients); !team) {
    return team.error();
  }
  auto draft = draft_of(s, composition);
  if (!draft) {
    return draft.error();
  }
  draft->fragments = std::move(composition.fragments);
  if (auto files = add_files_for_approval(*draft, composition); !files) {
    return files.error();
  }
  return detail::give_approval(s, *draft, composition.recipients);
}

// --- the steps the approval queue reuses -----------------------------------------------------

namespace detail {

Result<protocol::Draft> fix_draft(SessionState& s, Composition& composition) {
  if (auto team = team_copy_into(s, composition.recipients); !team) {
    return team.error();
  }
  return draft_of(s, composition);
}

Result<void> attach_files(SessionState& s, protocol::Draft& draft,
                          const std::vector<AttachmentFile>& files,
                          std::vector<UploadedAttachment> uploaded) {
  for (auto& file : uploaded) {
    draft.fragments.push_back(attachment_reference(file.category, file.descriptor.id));
    draft.attachments.push_back(std::move(file.descriptor));
  }
  // Every blob first, then the envelope that lists them (seal() puts their ids in the outer
  // labels): the hub refuses an envelope naming a blob it does not hold from this device.
  for (const auto& file : files) {
    auto sealed = upload_file(*s.hub, s.problem, file, s.progress);
    if (!sealed) {
      return sealed.error();
    }
    draft.fragments.push_back(attachment_reference(file.category, sealed->id));
    draft.attachments.push_back(std::move(*sealed));
  }
  return {};
}

Result<void> check_draft(SessionState& s, const protocol::Draft& draft,
                         const std::vector<Id>& recipients,
                         const std::vector<protocol::DataCategory>& files) {
  // The pre-check reads labels only: the categories of the fragments, never their bodies.
  Composition labels;
  labels.kind = draft.kind;
  labels.purpose = draft.purpose;
  labels.recipients = recipients;
  for (const auto& fragment : draft.fragments) {
    labels.fragments.push_back({fragment.category, fragment.domain, {}, {}});
  }
  for (const auto category : files) {
    labels.fragments.push_back({category, protocol::GuidanceDomain::none, {}, {}});
  }
  return pre_check(s, draft, labels);
}

Result<SendResult> send_draft(SessionState& s, protocol::Draft& draft,
                              const std::vector<Id>& recipients) {
  if (auto allowed = check_draft(s, draft, recipients, {}); !allowed) {
    return allowed.error();
  }
  return submit(s, draft, recipients);
}

Result<GivenApproval> give_approval(SessionState& s, const protocol::Draft& draft,
                                    const std::vector<Id>& recipients) {
  auto certificate = own_certificate(s);
  if (!certificate) {
    return certificate.error();
  }
  const auto statement = protocol::approval_statement(draft, s.secrets.org_id, recipients,
                                                      static_cast<std::uint64_t>(s.clock.now_ms()));
  auto signed_approval = protocol::sign_approval(statement, *certificate, s.secrets.signing);
  if (!signed_approval) {
    return signed_approval.error();
  }
  auto role = s.policies.upload_approval(*signed_approval, statement.approval_id, draft.message_id);
  if (!role) {
    return role.error();
  }
  return GivenApproval{statement.approval_id, draft.message_id,     draft.thread_id,       *role,
                       certificate->staff_id, statement.categories, statement.content_hash};
}

}  // namespace detail

}  // namespace draaischijf::client
