#include "policy_client.hpp"

#include <chrono>

#include <draaischijf/policies/decision.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "hub_json.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using protocol::Id;
using protocol::Result;

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

boost::system::error_code invalid_answer() {
  return make_error_code(client_errc::hub_answer_invalid);
}

// The hub's own words for a reference it does not count (policy_gate.cpp), so the pre-check
// and the hub explain the same case the same way.
constexpr std::string_view kConsentNotUsable =
    "the consent reference is not a consent registered for this pupil that this organisation "
    "may rely on";

// The request as the hub builds it from the labels and the sender's certificate; the
// recipient, consent and approvals are filled in by the caller.
policies::Request request_of(const protocol::OuterHeader& labels, const SenderFacts& sender) {
  policies::Request request;
  request.sender_org_type = sender.org_type;
  request.sender_org_id = sender.org_id;
  request.sender_staff = hex(sender.staff_id);
  request.sender_role = sender.role;
  request.kind = labels.kind;
  request.purpose = labels.purpose;
  request.categories = labels.categories;
  request.flags = policies::FlagSet::from_bits(labels.attestations);
  request.date = policies::belgian_date(std::chrono::system_clock::now());
  if (labels.pupil_pseudonym != protocol::Hash256{}) {
    request.pupil_pseudonym = hex(labels.pupil_pseudonym);
  }
  return request;
}

// The engine's decision, or nullopt when the message may go. Approvals the message names are
// held and checked by the hub, which this device cannot see: each counts here as given in the
// role asked for, so what the message needs besides them still shows. A consent this device
// cannot read is likewise the hub's to judge.
std::optional<policies::Decision> refusal_of(const policies::RuleSet& rules,
                                             policies::Request request, std::size_t approvals,
                                             bool consent_hidden) {
  auto decision = policies::evaluate(rules, request);
  for (std::size_t i = 0;
       i < approvals && decision.outcome == policies::Outcome::needs_second_approval &&
       decision.approval_role;
       ++i) {
    request.approvals.push_back({*decision.approval_role, {}});
    decision = policies::evaluate(rules, request);
  }
  const bool allowed = decision.outcome == policies::Outcome::allow ||
                       (consent_hidden && decision.outcome == policies::Outcome::needs_consent);
  if (allowed) {
    return std::nullopt;
  }
  return decision;
}

PolicyVerdict refused_verdict(const policies::Decision& decision, const Id& recipient_org,
                              std::vector<std::string> notes) {
  PolicyRefusal refusal;
  refusal.outcome = std::string(policies::to_string(decision.outcome));
  refusal.rule_ids = decision.rule_ids();
  if (decision.consent_from) {
    refusal.consent_from = std::string(protocol::name_of(*decision.consent_from));
  }
  if (decision.approval_role) {
    refusal.approval_role = std::string(protocol::name_of(*decision.approval_role));
  }
  PolicyVerdict verdict;
  for (const auto& r : decision.reasons) {
    refusal.reasons.push_back({r.rule_id, r.nl, r.en, r.source});
    verdict.reasons.push_back("[" + r.rule_id + "] " + r.nl + " / " + r.en);
  }
  refusal.recipient_org = recipient_org;
  refusal.policy_version = decision.policy_version;
  refusal.notes = std::move(notes);
  verdict.refusal = std::move(refusal);
  return verdict;
}

std::optional<Consent> consent_of(const json::object& item) {
  std::string error;
  auto entry = policies::consent_from_json(item, error);
  const auto id = hub_json::id(item, "consent_id");
  const auto registered_at = hub_json::count(item, "registered_at_ms");
  const auto registered_by = hub_json::id(item, "registered_by");
  if (!entry || !id || !registered_at || !registered_by) {
    return std::nullopt;
  }
  Consent consent{*id, std::move(*entry), static_cast<std::int64_t>(*registered_at), *registered_by,
                  std::nullopt};
  if (const auto revoked = hub_json::count(item, "revoked_at_ms")) {
    consent.revoked_at_ms = static_cast<std::int64_t>(*revoked);
  }
  return consent;
}

std::optional<Disclosure> disclosure_of(const json::object& item) {
  const auto at = hub_json::count(item, "at_ms");
  const auto message = hub_json::id(item, "message_id");
  const auto org = hub_json::id(item, "recipient_org");
  const auto mailbox = hub_json::id(item, "recipient_mailbox");
  if (!at || !message || !org || !mailbox) {
    return std::nullopt;
  }
  const auto text = [&](std::string_view key) { return hub_json::text(item, key).value_or(""); };
  return Disclosure{static_cast<std::int64_t>(*at),
                    *message,
                    text("sender_staff"),
                    text("sender_role"),
                    *org,
                    *mailbox,
                    text("kind"),
                    text("purpose"),
                    text("categories"),
                    text("legal_basis"),
                    text("rule_ids"),
                    text("policy_version"),
                    text("approved_by")};
}

// Every item of a listing through `parse`; one malformed item makes the answer invalid.
template <class T, class Parse>
Result<std::vector<T>> all_of(const std::vector<json::object>& items, Parse parse) {
  std::vector<T> out;
  for (const auto& item : items) {
    auto parsed = parse(item);
    if (!parsed) {
      return invalid_answer();
    }
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace

protocol::OuterHeader labels_of(const protocol::Draft& draft, const Composition& composition,
                                const Id& sender_org) {
  protocol::OuterHeader labels;
  labels.message_id = draft.message_id;
  labels.sender_org = sender_org;
  labels.kind = draft.kind;
  labels.purpose = draft.purpose;
  labels.attestations = draft.attestations;
  labels.consent_reference = draft.consent_reference;
  labels.pupil_pseudonym = draft.pupil_pseudonym;
  labels.approvals = draft.approvals;
  for (const auto& fragment : composition.fragments) {
    labels.categories.add(fragment.category);
  }
  for (const auto& attachment : composition.attachments) {
    labels.categories.add(attachment.category);
  }
  for (const Id& recipient : composition.recipients) {
    labels.recipients.push_back({recipient, 0});
  }
  return labels;
}

HubProblem pre_check_problem(PolicyVerdict verdict, const protocol::Draft& draft) {
  HubProblem problem;
  problem.type = hub_json::kPolicyRefused;
  problem.title = "refused by the policy pre-check on this device";
  for (const auto& reason : verdict.reasons) {
    problem.detail += (problem.detail.empty() ? "" : "\n") + reason;
  }
  problem.policy = std::move(verdict.refusal);
  if (problem.policy) {
    problem.policy->message_id = draft.message_id;
    problem.policy->thread_id = draft.thread_id;
  }
  return problem;
}

std::optional<Withdrawal> withdrawal_of(const json::object& item) {
  const auto mailbox = hub_json::id(item, "mailbox_id");
  const auto sequence = hub_json::count(item, "sequence");
  const auto message = hub_json::id(item, "message_id");
  if (!mailbox || !sequence || !message || *sequence > INT64_MAX) {
    return std::nullopt;
  }
  return Withdrawal{*mailbox, static_cast<std::int64_t>(*sequence), *message};
}

Result<PolicyCheckStatus> PolicyClient::status(
    const std::optional<protocol::SigningPublicKey>& operator_key) {
  if (status_) {
    return *status_;
  }
  if (!operator_key) {
    status_ = PolicyCheckStatus{};
    return *status_;
  }
  auto body = hub_.get_json("/v1/policy");
  if (!body) {
    return body.error();
  }
  const auto text = hub_json::text(*body, "rules");
  const auto signature = hub_json::text(*body, "signature");
  if (!text || !signature) {
    return invalid_answer();
  }
  // Verified against the key pinned out of band, never the one the hub serves beside it.
  auto rules = policies::load_rule_set(*text, *signature, *operator_key);
  if (!rules) {
    return make_error_code(client_errc::policy_untrusted);
  }
  rules_ = std::make_shared<const policies::RuleSet>(std::move(*rules));
  status_ = PolicyCheckStatus{true, rules_->version()};
  return *status_;
}

Result<PolicyVerdict> PolicyClient::judge(const protocol::OuterHeader& labels,
                                          const SenderFacts& sender,
                                          std::span<const RecipientFacts> recipients) {
  policies::Request request = request_of(labels, sender);
  std::vector<std::string> notes;
  // Only the registering CLB reads a consent back; for anyone else the hub judges that part.
  const bool consent_hidden =
      labels.consent_reference != Id{} && sender.org_type != protocol::OrgType::clb;
  if (labels.consent_reference != Id{} && !consent_hidden) {
    auto found = consent(labels.consent_reference);
    if (!found && !(found.error() == client_errc::hub_refused && hub_.problem.status == 404)) {
      return found.error();
    }
    if (found && found->entry.record.pupil == request.pupil_pseudonym) {
      request.consents.push_back(found->entry.record);
      request.pupil = found->entry.pupil;  // the facts the giver was judged on, as at the hub
    } else {
      notes.emplace_back(kConsentNotUsable);
    }
  }
  for (const RecipientFacts& recipient : recipients) {
    request.recipient_org_id = recipient.org_id;
    request.recipient_org_type = recipient.org_type;
    request.recipient_role = recipient.role;
    if (auto refusal = refusal_of(*rules_, request, labels.approvals.size(), consent_hidden)) {
      return refused_verdict(*refusal, recipient.org_id, std::move(notes));
    }
  }
  return PolicyVerdict{true, {}, std::nullopt};
}

Result<Id> PolicyClient::register_consent(const policies::ConsentEntry& entry) {
  auto answer = hub_.post_json("/v1/consents", policies::to_json(entry));
  if (!answer) {
    return answer.error();
  }
  const auto id = hub_json::id(*answer, "consent_id");
  if (!id) {
    return invalid_answer();
  }
  return *id;
}

Result<std::vector<Consent>> PolicyClient::consents(const protocol::Hash256& pupil) {
  const auto items = hub_.get_list("/v1/consents?pupil=" + hex(pupil), "consents");
  if (!items) {
    return items.error();
  }
  return all_of<Consent>(*items, consent_of);
}

Result<Consent> PolicyClient::consent(const Id& consent_id) {
  auto body = hub_.get_json("/v1/consents/" + hex(consent_id));
  if (!body) {
    return body.error();
  }
  auto parsed = consent_of(*body);
  if (!parsed || parsed->consent_id != consent_id) {
    return invalid_answer();
  }
  return std::move(*parsed);
}

Result<std::vector<Withdrawal>> PolicyClient::revoke(const Id& consent_id) {
  auto answer = hub_.post_json("/v1/consents/" + hex(consent_id) + "/revoke", json::object{});
  if (!answer) {
    return answer.error();
  }
  if (hub_json::id(*answer, "consent_id") != consent_id) {
    return invalid_answer();
  }
  const auto withdrawn = hub_json::objects(*answer, "withdrawn");
  if (!withdrawn) {
    return invalid_answer();
  }
  return all_of<Withdrawal>(*withdrawn, withdrawal_of);
}

Result<std::vector<Disclosure>> PolicyClient::disclosures(const protocol::Hash256& pupil) {
  const auto items = hub_.get_list("/v1/disclosures?pupil=" + hex(pupil), "disclosures");
  if (!items) {
    return items.error();
  }
  return all_of<Disclosure>(*items, disclosure_of);
}

Result<std::string> PolicyClient::upload_approval(std::span<const std::uint8_t> approval,
                                                  const Id& approval_id, const Id& message_id) {
  auto answer = hub_.post_bytes("/v1/approvals", approval, "application/octet-stream");
  if (!answer) {
    return answer.error();
  }
  const auto role = hub_json::text(*answer, "role");
  if (!role || hub_json::id(*answer, "approval_id") != approval_id ||
      hub_json::id(*answer, "message_id") != message_id) {
    return invalid_answer();
  }
  return *role;
}

}  // namespace draaischijf::client
