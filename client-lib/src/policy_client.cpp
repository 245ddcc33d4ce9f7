#include "policy_client.hpp"

#include <draaischijf/policies/decision.hpp>
#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "hub_json.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using protocol::Id;
using protocol::Result;

boost::system::error_code invalid_answer() {
  return make_error_code(client_errc::hub_answer_invalid);
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
  for (const auto& note : decision.consent_notes) {
    refusal.notes.push_back(note.en);  // which consent on record did not count, and why
  }
  verdict.refusal = std::move(refusal);
  return verdict;
}

// A read the sender's role may not make (403) leaves the flag to the hub: the pre-check then
// judges on the sender's word, as before, and the hub still decides on the record.
bool unreadable(const boost::system::error_code& error, const HubSession& hub) {
  return error == client_errc::hub_refused && hub.problem.status == 403;
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
  if (draft.pupil) {
    labels.pupil_pseudonym = protocol::pupil_pseudonym(*draft.pupil);
  }
  labels.approvals = composition.approvals;
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

Result<void> PolicyClient::add_held_evidence(policies::Request& request,
                                             const protocol::Hash256& pupil,
                                             std::vector<std::string>& notes,
                                             TransferCheck& transfer_check) {
  const auto today = policies::belgian_date(clock_.now());
  if (policies::concerns_start_consent(request)) {
    auto registered = fetch_pupil_consents(hub_, pupil);
    if (!registered && !unreadable(registered.error(), hub_)) {
      return registered.error();
    }
    if (registered) {
      std::vector<policies::ConsentRecord> records;
      for (const Consent& consent : *registered) {
        records.push_back(consent.entry.record);
      }
      policies::apply_start_consent(request, records, today, notes);
    }
  }
  if (policies::concerns_advice(request)) {
    auto objection = fetch_advice_objection(hub_, pupil);
    if (!objection && !unreadable(objection.error(), hub_)) {
      return objection.error();
    }
    if (objection) {
      policies::apply_advice_objection(request, objection->has_value(), notes);
    }
  }
  if (policies::claims_transfer(request)) {
    auto transfer = fetch_transfer(hub_, pupil);
    const bool none =
        !transfer && transfer.error() == client_errc::hub_refused && hub_.problem.status == 404;
    if (!transfer && !none && !unreadable(transfer.error(), hub_)) {
      return transfer.error();
    }
    if (transfer || none) {
      transfer_check.applies = true;
      if (transfer) {
        transfer_check.evidence = policies::TransferEvidence{
            transfer->window_passes_on, transfer->receiving_org, transfer->objection_at_ms};
      }
    }
  }
  return {};
}

Result<PolicyVerdict> PolicyClient::judge(const protocol::OuterHeader& labels,
                                          const SenderFacts& sender,
                                          std::span<const RecipientFacts> recipients) {
  // One request for the whole message; only the recipient changes from mailbox to mailbox.
  auto request = policies::request_for(labels, sender, {}, policies::belgian_date(clock_.now()));
  std::vector<std::string> notes;
  // Only the registering CLB reads a consent back; for anyone else the hub judges that part.
  const bool consent_hidden =
      labels.consent_reference != Id{} && sender.org_type != protocol::OrgType::clb;
  if (labels.consent_reference != Id{} && !consent_hidden) {
    auto found = fetch_consent(hub_, labels.consent_reference);
    if (!found && !(found.error() == client_errc::hub_refused && hub_.problem.status == 404)) {
      return found.error();
    }
    if (found && found->entry.record.pupil == request.pupil_pseudonym) {
      request.consents.push_back(found->entry.record);
      request.pupil = found->entry.pupil;  // the facts the giver was judged on, as at the hub
    } else {
      notes.emplace_back(policies::kConsentNotUsable);
    }
  }
  TransferCheck transfer;
  if (sender.org_type == protocol::OrgType::clb) {
    if (auto held = add_held_evidence(request, labels.pupil_pseudonym, notes, transfer); !held) {
      return held.error();
    }
  }
  const auto today = policies::belgian_date(clock_.now());
  for (const RecipientFacts& recipient : recipients) {
    policies::address_to(request, recipient.facts);
    if (transfer.applies) {
      std::vector<std::string> transfer_notes;
      policies::apply_transfer_evidence(request, transfer.evidence, today, transfer_notes);
      notes.insert(notes.end(), transfer_notes.begin(), transfer_notes.end());
    }
    if (auto refusal = refusal_of(*rules_, request, labels.approvals.size(), consent_hidden)) {
      return refused_verdict(*refusal, recipient.facts.org_id, std::move(notes));
    }
  }
  return PolicyVerdict{true, {}, std::nullopt};
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
