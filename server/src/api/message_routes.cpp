#include <algorithm>
#include <atomic>
#include <functional>
#include <limits>
#include <optional>

#include <boost/json.hpp>

#include <draaischijf/policies/record_json.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/envelope_batch.hpp>
#include <draaischijf/protocol/receipt.hpp>
#include <draaischijf/server/policy/admission.hpp>

#include "api/call.hpp"
#include "api/on_writer.hpp"
#include "api/policy_routes.hpp"
#include "api/referral_routes.hpp"
#include "api/routes.hpp"

namespace draaischijf::server::routes {

using namespace api_call;

// --- mailbox contents: members only ------------------------------------------------------------

namespace {

// The mailbox id of a member-only route, or nullopt when the caller may not see the mailbox
// (missing, another organisation's, or not a current member): all answered the same.
std::optional<Id> member_mailbox(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id || !call.caller.enrolled) {
    return std::nullopt;
  }
  auto member = call.parts.directory.is_member(*id, call.caller.device_id);
  return member && *member ? id : std::nullopt;
}

}  // namespace

Task<Reply> get_epoch(Call& call) {
  const auto mailbox = member_mailbox(call);
  const auto epoch = parse_count(call.params[1]);
  if (!mailbox || !epoch || *epoch > std::numeric_limits<std::uint32_t>::max()) {
    co_return call.problem(ProblemKind::not_found);
  }
  auto keys = call.parts.directory.epoch_keys(*mailbox, static_cast<std::uint32_t>(*epoch),
                                              call.caller.device_id);
  if (!keys) {
    co_return call.problem(keys.error());
  }
  json::object out{
      {"mailbox_id", hex(*mailbox)}, {"epoch", *epoch}, {"certificate", b64(keys->certificate)}};
  if (!keys->previous_seed_box.empty()) {
    out["previous_seed_box"] = b64(keys->previous_seed_box);
  }
  if (!keys->seed_box.empty()) {
    out["seed_box"] = b64(keys->seed_box);
  }
  json::array members;
  for (const Id& device : keys->members) {
    members.push_back(json::value(hex(device)));
  }
  out["members"] = std::move(members);
  co_return call.json(Status::ok, out);
}

namespace {

// A page of a mailbox's queue: the entries above `after`, at most `limit` of them.
struct QueuePage {
  std::int64_t after = 0;
  std::size_t limit = kDefaultPage;
};

// `after` and `limit` of the query; nullopt when either is not acceptable.
std::optional<QueuePage> queue_page(const Call& call) {
  const auto after = parse_count(call.query_value("after").value_or("0"));
  const auto limit = parse_count(call.query_value("limit").value_or(std::to_string(kDefaultPage)));
  if (!after || !limit || *limit == 0 || *limit > static_cast<std::int64_t>(kMaxPage)) {
    return std::nullopt;
  }
  return QueuePage{*after, static_cast<std::size_t>(*limit)};
}

// A members-only read of a mailbox's queue: the mailbox and the page asked for.
struct QueueRead {
  Id mailbox{};
  QueuePage page;
};

// The queue read a call asks for, or (in `refusal`) the answer that refuses it: 404 for whom
// the mailbox is not shown (first), 400 for a page that is not acceptable.
std::optional<QueueRead> queue_read(Call& call, Reply& refusal) {
  const auto mailbox = member_mailbox(call);
  if (!mailbox) {
    refusal = call.problem(ProblemKind::not_found);
    return std::nullopt;
  }
  const auto page = queue_page(call);
  if (!page) {
    refusal = call.problem(ProblemKind::malformed_request,
                           "after must be a sequence number and limit between 1 and 1000.");
    return std::nullopt;
  }
  return QueueRead{*mailbox, *page};
}

// A batch answer carries at most this much of envelopes (after its first, whatever its size):
// the client fetches what did not fit in the next batch.
constexpr std::size_t kMaxBatchBytes = std::size_t{8} << 20;

}  // namespace

Task<Reply> list_messages(Call& call) {
  Reply refusal;
  const auto read = queue_read(call, refusal);
  if (!read) {
    co_return refusal;
  }
  auto entries = call.parts.store.list(read->mailbox, read->page.after, read->page.limit);
  if (!entries) {
    co_return call.problem(entries.error());
  }
  json::array out;
  for (const QueueEntry& e : *entries) {
    out.push_back({{"sequence", e.sequence},
                   {"message_id", hex(e.message_id)},
                   {"sender_org", hex(e.sender_org)},
                   {"received_at_ms", e.received_at_ms},
                   {"size", e.size},
                   {"state", e.state}});
  }
  json::object body{{"messages", std::move(out)}};
  // A full page may have more behind it: the cursor is the last sequence seen.
  body["next_after"] = entries->size() == read->page.limit ? json::value(entries->back().sequence)
                                                           : json::value(nullptr);
  co_return call.json(Status::ok, body);
}

Task<Reply> fetch_message(Call& call) {
  const auto mailbox = member_mailbox(call);
  const auto sequence = parse_count(call.params[1]);
  if (!mailbox || !sequence) {
    co_return call.problem(ProblemKind::not_found);
  }
  auto envelope = call.parts.store.fetch(*mailbox, *sequence);
  if (!envelope) {
    co_return call.problem(envelope.error());
  }
  co_return octet_reply(*envelope);
}

// A catch-up's envelopes in one answer (docs/PROTOCOL.md 7.21): those of the entries above
// `after` that can be fetched, at most `limit`, as frames.
Task<Reply> fetch_envelopes(Call& call) {
  Reply refusal;
  const auto read = queue_read(call, refusal);
  if (!read) {
    co_return refusal;
  }
  auto envelopes = call.parts.store.fetch_after(read->mailbox, read->page.after, read->page.limit,
                                                kMaxBatchBytes);
  if (!envelopes) {
    co_return call.problem(envelopes.error());
  }
  Reply reply{200, std::string(protocol::kEnvelopeBatchType), {}, {}};
  std::size_t size = 0;
  for (const QueuedEnvelope& envelope : *envelopes) {
    size += protocol::kEnvelopeFrameHeaderBytes + envelope.body.size();
  }
  reply.body.reserve(size);
  for (const QueuedEnvelope& envelope : *envelopes) {
    protocol::append_envelope_frame(reply.body, envelope.sequence, envelope.body);
  }
  co_return reply;
}

namespace {

Task<Reply> record_acknowledgement(Call& call, MessageStore::Acknowledgement what) {
  const auto mailbox = member_mailbox(call);
  const auto sequence = parse_count(call.params[1]);
  if (!mailbox || !sequence) {
    co_return call.problem(ProblemKind::not_found);
  }
  auto done = co_await on_writer<sqlite::Result<void>>([&](auto complete) {
    return call.parts.store.acknowledge(*mailbox, *sequence, call.caller.device_id, call.now_ms(),
                                        what, complete);
  });
  if (!done) {
    co_return call.problem(ProblemKind::overloaded);
  }
  if (!*done) {
    co_return call.problem(done->error());
  }
  const bool read = what == MessageStore::Acknowledgement::read;
  co_return call.json(Status::ok,
                      {{"sequence", *sequence}, {"state", read ? "read" : "delivered"}});
}

// The sequences of a batch acknowledgement's body ({"sequences": [...]}): 1 to 1000 distinct
// sequence numbers; nullopt otherwise.
std::optional<std::vector<std::int64_t>> sequences_of(const Call& call) {
  const auto body = call.json_body();
  const auto* listed = body ? body->if_contains("sequences") : nullptr;
  if (listed == nullptr || !listed->is_array() || listed->as_array().empty() ||
      listed->as_array().size() > kMaxPage) {
    return std::nullopt;
  }
  std::vector<std::int64_t> sequences;
  for (const auto& value : listed->as_array()) {
    if (!value.is_int64() || value.as_int64() <= 0) {
      return std::nullopt;
    }
    sequences.push_back(value.as_int64());
  }
  std::vector<std::int64_t> sorted = sequences;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return std::nullopt;
  }
  return sequences;
}

// Each acknowledgement's outcome, in the order asked, once the last has committed.
class AcknowledgementsJoined {
 public:
  using Outcomes = std::vector<sqlite::Result<void>>;
  AcknowledgementsJoined(std::size_t count, std::function<void(Outcomes)> done)
      : outcomes_(count), remaining_(count), done_(std::move(done)) {}
  void record(std::size_t index, sqlite::Result<void> outcome) {
    outcomes_[index] = std::move(outcome);
    if (remaining_.fetch_sub(1) == 1) {
      done_(std::move(outcomes_));
    }
  }

 private:
  Outcomes outcomes_;
  std::atomic<std::size_t> remaining_;
  std::function<void(Outcomes)> done_;
};

}  // namespace

// Many acknowledgements in one request: each is the writer job POST .../{sequence}/ack runs, all
// queued at once so one group commit takes them together. The answer lists what each came to.
Task<Reply> acknowledge_many(Call& call) {
  const auto mailbox = member_mailbox(call);
  if (!mailbox) {
    co_return call.problem(ProblemKind::not_found);
  }
  const auto sequences = sequences_of(call);
  if (!sequences) {
    co_return call.problem(ProblemKind::malformed_request,
                           "The body must be {\"sequences\": [...]} with 1 to 1000 distinct "
                           "sequence numbers.");
  }
  using Outcomes = AcknowledgementsJoined::Outcomes;
  // When the writer's queue fills half-way, the ones queued still run (an acknowledgement is
  // idempotent) and the answer is 503: the client sends them all again after the Retry-After.
  auto outcomes = co_await on_writer<Outcomes>([&](auto complete) {
    auto joined = std::make_shared<AcknowledgementsJoined>(sequences->size(), std::move(complete));
    for (std::size_t i = 0; i < sequences->size(); ++i) {
      if (!call.parts.store.acknowledge(*mailbox, (*sequences)[i], call.caller.device_id,
                                        call.now_ms(), MessageStore::Acknowledgement::delivered,
                                        [joined, i](sqlite::Result<void> outcome) {
                                          joined->record(i, std::move(outcome));
                                        })) {
        return false;
      }
    }
    return true;
  });
  if (!outcomes) {
    co_return call.problem(ProblemKind::overloaded);
  }
  json::array acknowledged;
  json::array refused;
  for (std::size_t i = 0; i < sequences->size(); ++i) {
    if ((*outcomes)[i]) {
      acknowledged.push_back({{"sequence", (*sequences)[i]}, {"state", "delivered"}});
      continue;
    }
    const ProblemType& problem = problem_type_for((*outcomes)[i].error());
    refused.push_back(
        {{"sequence", (*sequences)[i]}, {"type", problem.type}, {"status", problem.status}});
  }
  co_return call.json(Status::ok,
                      {{"acknowledged", std::move(acknowledged)}, {"refused", std::move(refused)}});
}

Task<Reply> acknowledge(Call& call) {
  return record_acknowledgement(call, MessageStore::Acknowledgement::delivered);
}

Task<Reply> acknowledge_read(Call& call) {
  return record_acknowledgement(call, MessageStore::Acknowledgement::read);
}

// --- envelopes ---------------------------------------------------------------------------------

namespace {

Task<Reply> refuse_envelope(Call& call, const boost::system::error_code& error,
                            const Id& mailbox = {}) {
  ++call.parts.counters.envelopes_refused;
  call.parts.log.info("envelope.refused", {{"request_id", std::string_view(call.request_id)},
                                           {"reason", std::string_view(error.message())}});
  if (error == protocol::errc::stale_epoch) {
    // The current epoch certificate comes with the refusal: the sender re-seals at once.
    auto current = call.parts.directory.mailbox(mailbox);
    json::object extensions;
    if (current) {
      extensions["mailbox"] = mailbox_json(*current, call.now_ms());
    }
    co_return call.problem(error, {}, std::move(extensions));
  }
  co_return call.problem(error, mailbox == Id{} ? std::string() : "Mailbox " + hex(mailbox) + ".");
}

// What the store keeps of an admitted envelope, with the policy's decisions.
Submission submission_of(const Call& call, const protocol::OuterHeader& outer,
                         GateVerdict& verdict) {
  Submission submission;
  submission.decisions = std::move(verdict.records);
  submission.rests_on_consent = verdict.rests_on_consent;
  submission.message_id = outer.message_id;
  submission.sender_org = call.caller.org_id;
  submission.sender_device = call.caller.device_id;
  submission.kind = outer.kind;
  submission.categories = outer.categories;
  submission.recipients = outer.recipients;
  submission.received_at_ms = call.now_ms();
  submission.consent_reference = outer.consent_reference;
  submission.pupil_pseudonym = outer.pupil_pseudonym;
  submission.blobs = outer.attachments;
  submission.purpose = outer.purpose;
  submission.attestations = outer.attestations;
  // A doorverwijzing or consultatie starts a referral per recipient organisation, stored with
  // the envelope (docs/WORKFLOW.md 3).
  if (outer.kind == protocol::MessageKind::doorverwijzing ||
      outer.kind == protocol::MessageKind::consultatie) {
    submission.referral = referral_routes::referral_due(
        *call.parts.workflow.get(), submission.sender_org, submission.received_at_ms);
  }
  return submission;
}

// Whether the sender asked for a version 3 receipt (`?receipt=3`, docs/PROTOCOL.md 8.4): one
// the record log proves, instead of one the hub signs for this message alone.
bool wants_logged_receipt(const Call& call) { return call.query_value("receipt") == "3"; }

// The receipt's fields of the answer: version 3 with its record-log entry's index, the row hash
// that entry also commits to, the signed checkpoint of the log as it is after the group commit
// (shared by every answer of the batch) and the inclusion proof; or version 2, hub-signed, for a
// sender that did not ask for 3 or an envelope stored before its acceptance was logged so.
protocol::Result<json::object> receipt_fields(const Call& call, const Id& message_id,
                                              const Accepted& accepted) {
  const auto received_at = static_cast<std::uint64_t>(accepted.received_at_ms);
  const auto sequence = static_cast<std::uint64_t>(accepted.sequence);
  if (!wants_logged_receipt(call) || !accepted.logged) {
    auto receipt = protocol::sign_receipt(message_id, accepted.envelope_hash, received_at, sequence,
                                          accepted.decided, call.parts.hub_key);
    if (!receipt) {
      return receipt.error();
    }
    return json::object{{"receipt", b64(protocol::encode(*receipt))}};
  }
  auto receipt = protocol::logged_receipt(message_id, accepted.envelope_hash, received_at, sequence,
                                          accepted.decided);
  if (!receipt) {
    return receipt.error();
  }
  auto proved = call.parts.logs.prove_record(accepted.logged->record_index);
  if (!proved) {
    return proved.error();
  }
  return json::object{{"receipt", b64(protocol::encode(*receipt))},
                      {"record_index", accepted.logged->record_index},
                      {"record_row_hash", hex(accepted.logged->row_hash)},
                      {"checkpoint", proved->checkpoint},
                      {"proof", hashes_json(proved->proof)}};
}

// 201 (or 409 for a replay) with the receipt, which names the policy's decisions, and any
// near-quota warnings.
Reply accepted_reply(const Call& call, const Id& message_id, const Accepted& accepted) {
  auto receipt = receipt_fields(call, message_id, accepted);
  if (!receipt) {
    // The store keeps only decisions that fit a receipt (store_errc::decisions_invalid); the
    // record log's proof is read from the database, which can fail.
    call.parts.log.error("envelope.receipt_unsigned",
                         {{"request_id", std::string_view(call.request_id)},
                          {"reason", std::string_view(receipt.error().message())}});
    return call.problem(ProblemKind::internal);
  }
  if (accepted.decided_now) {
    // A replay of an envelope stored before its decisions were kept: its receipt names the
    // verdict on the replay (message_store.cpp, original_decisions).
    call.parts.log.warning(
        "envelope.replay_decided_now",
        {{"request_id", std::string_view(call.request_id)}, {"sequence", accepted.sequence}});
  }
  call.parts.log.info("envelope.accepted", {{"request_id", std::string_view(call.request_id)},
                                            {"sequence", accepted.sequence},
                                            {"duplicate", accepted.duplicate}});
  json::object body{{"message_id", hex(message_id)},
                    {"sequence", accepted.sequence},
                    {"received_at_ms", accepted.received_at_ms},
                    {"envelope_hash", hex(accepted.envelope_hash)},
                    {"duplicate", accepted.duplicate},
                    {"rule_set_version", accepted.decided.rule_set_version},
                    {"decisions", policies::to_json(accepted.decided.decisions)}};
  for (auto& field : *receipt) {
    body[field.key()] = std::move(field.value());
  }
  if (!accepted.near_quota.empty()) {
    json::array warnings;
    for (const Id& m : accepted.near_quota) {
      warnings.push_back({{"mailbox_id", hex(m)}, {"warning", "mailbox-nearly-full"}});
    }
    body["warnings"] = std::move(warnings);
    call.parts.log.warning("mailbox.nearly_full",
                           {{"request_id", std::string_view(call.request_id)}});
  }
  return call.json(accepted.duplicate ? Status::conflict : Status::created, body);
}

}  // namespace

Task<Reply> submit_envelope(Call& call) {
  if (!call.caller.enrolled) {
    co_return call.problem(ProblemKind::device_not_enrolled);
  }
  AdmissionLimits limits;
  limits.max_envelope_bytes = call.parts.config.limits.max_envelope_bytes;
  limits.max_clock_skew = call.parts.config.limits.max_clock_skew;
  auto admitted = admit(call.request.body, {call.caller.org_id}, call.parts.clock.now(), limits);
  if (!admitted) {
    co_return co_await refuse_envelope(call, admitted.error());
  }
  // The second enforcement point: the policy decides on the labels before anything is stored,
  // and every decision, allow or not, is on record.
  auto verdict = call.parts.gate.judge(call.caller, admitted->outer, call.parts.clock.now());
  if (!verdict) {
    co_return co_await refuse_envelope(call, verdict.error());
  }
  Submission submission = submission_of(call, admitted->outer, *verdict);
  if (verdict->refusal) {
    ++call.parts.counters.policy_refused;
    ++call.parts.counters.envelopes_refused;
    auto logged = co_await on_writer<sqlite::Result<void>>(
        [&](auto complete) { return call.parts.store.record_refusal(submission, complete); });
    if (!logged || !*logged) {
      // Not on record, so not answered as a policy decision: the sender retries.
      co_return co_await refuse_envelope(call, make_error_code(store_errc::overloaded));
    }
    call.parts.log.info("envelope.policy_refused",
                        {{"request_id", std::string_view(call.request_id)},
                         {"outcome", policies::to_string(verdict->refusal->outcome)}});
    co_return policy_routes::refusal(call, *verdict);
  }
  submission.envelope = std::move(call.request.body);
  const auto recipients = submission.recipients;
  auto outcome = co_await on_writer<boost::system::result<Accepted, Refusal>>(
      [&](auto complete) { return call.parts.store.submit(std::move(submission), complete); });
  if (!outcome) {
    co_return co_await refuse_envelope(call, make_error_code(store_errc::overloaded));
  }
  if (!*outcome) {
    co_return co_await refuse_envelope(call, outcome->error().error, outcome->error().mailbox);
  }
  const Accepted& accepted = **outcome;
  ++call.parts.counters.envelopes_accepted;
  if (!accepted.duplicate) {
    for (const protocol::RecipientMailbox& r : recipients) {
      call.parts.notifier.publish(r.mailbox_id, accepted.sequence);
    }
  }
  co_return accepted_reply(call, admitted->outer.message_id, accepted);
}

Task<Reply> delivery_status(Call& call) {
  const auto id = parse_id(call.params[0]);
  auto states = id ? call.parts.store.delivery_status(*id, call.caller.org_id)
                   : sqlite::Result<std::vector<std::pair<Id, std::string>>>(
                         make_error_code(store_errc::not_found));
  if (!states) {
    co_return call.problem(states.error());
  }
  json::array out;
  for (const auto& [mailbox, state] : *states) {
    out.push_back({{"mailbox_id", hex(mailbox)}, {"state", state}});
  }
  json::object body{{"message_id", hex(*id)}, {"recipients", std::move(out)}};
  // After retention deleted the ciphertext the states stay: what happened, not what is held.
  if (auto purged = call.parts.store.purged_at(*id, call.caller.org_id); purged && *purged) {
    body["purged_at_ms"] = **purged;
  }
  co_return call.json(Status::ok, body);
}

}  // namespace draaischijf::server::routes
