#include "policy/policy_gate.hpp"

#include <algorithm>

#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/policies/labels.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "core/bench_switch.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;

std::string join(const std::vector<std::string>& items, std::string_view separator = ",") {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : std::string(separator)) + item;
  }
  return out;
}

std::string category_names(const protocol::CategorySet& categories) {
  std::vector<std::string> names;
  for (const auto& entry : protocol::data_categories()) {
    if (categories.contains(entry.value)) {
      names.emplace_back(entry.name);
    }
  }
  return join(names);
}

// Whether `caller` may rely on `consent` for this envelope. The registering CLB may; a partner
// or school the consent names may, but only to answer that CLB (the exchange the consent is
// about); always for the pupil the consent is about.
bool may_rely_on(const StoredConsent& consent, const Caller& caller,
                 const protocol::OuterHeader& outer, Directory& directory) {
  if (consent.pupil != outer.pupil_pseudonym) {
    return false;
  }
  if (consent.org_id == caller.org_id) {
    return true;
  }
  const auto& r = consent.entry.record;
  const bool named = std::find(r.recipient_org_ids.begin(), r.recipient_org_ids.end(),
                               caller.org_id) != r.recipient_org_ids.end() ||
                     r.recipient_org_types.contains(caller.org_type);
  if (!named) {
    return false;
  }
  // The CLB's mailboxes, and the caller's own team copy (its general mailbox, judged by R37 on
  // its own): the copy takes nothing from the consent and gives no other recipient more.
  return std::all_of(outer.recipients.begin(), outer.recipients.end(), [&](const auto& m) {
    auto mailbox = directory.mailbox(m.mailbox_id);
    if (!mailbox) {
      return false;
    }
    if (mailbox->org_id == consent.org_id) {
      return true;
    }
    const auto epoch = protocol::parse_epoch_certificate(mailbox->certificate);
    return mailbox->org_id == caller.org_id && epoch && !epoch->function;
  });
}

// Why an approval that verifies and matches does not count now, or nullptr when it counts:
// its approver device must still be enrolled with the very certificate the approval embeds,
// that certificate valid now, and the approval younger than kApprovalMaxAge (by the hub's
// clock when it was registered and by the approver's own stamp).
const char* stale_approval(const StoredApproval& stored, const protocol::ParsedApproval& parsed,
                           Directory& directory, std::chrono::system_clock::time_point now) {
  auto device = directory.device(stored.approver_device);
  if (!device || device->state != DeviceState::enrolled ||
      device->certificate != protocol::encode(parsed.approver)) {
    return "an approval by a device that is no longer enrolled does not count";
  }
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  const auto seconds = static_cast<std::uint64_t>(std::max<std::int64_t>(now_s.count(), 0));
  if (seconds < parsed.approver.not_before || seconds > parsed.approver.not_after) {
    return "an approval by a device whose certificate is not valid now does not count";
  }
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto max_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kApprovalMaxAge);
  const auto oldest = now_ms - max_ms.count();
  if (stored.registered_at_ms < oldest ||
      static_cast<std::int64_t>(parsed.statement.created_at_ms) < oldest) {
    return "an approval older than 14 days does not count";
  }
  return nullptr;
}

// The approvals the envelope lists that the hub holds, that verify, that were signed for
// exactly this envelope's labels, whose approver is not the sender and that are not stale.
sqlite::Result<std::vector<policies::Approval>> counted_approvals(
    ConsentRegistry& registry, Directory& directory, const Caller& caller,
    const protocol::OuterHeader& outer, const Id& sender_staff,
    std::chrono::system_clock::time_point now, std::vector<std::string>& notes) {
  std::vector<policies::Approval> out;
  if (outer.approvals.empty()) {
    return out;
  }
  auto held = registry.approvals(caller.org_id, outer.approvals);
  if (!held) {
    return held.error();
  }
  if (held->size() != outer.approvals.size()) {
    notes.emplace_back("an approval the envelope names is not held by the hub");
  }
  for (const StoredApproval& stored : *held) {
    auto parsed = protocol::parse_approval(stored.statement);
    if (!parsed || !protocol::verify_approval_signature(*parsed) ||
        !protocol::check_approval_matches(*parsed, outer)) {
      notes.emplace_back("an approval was given for other labels than this envelope's");
      continue;
    }
    if (parsed->approver.staff_id == sender_staff) {
      notes.emplace_back("an approval by the sender themselves does not count");
      continue;
    }
    if (const char* why = stale_approval(stored, *parsed, directory, now)) {
      notes.emplace_back(why);
      continue;
    }
    out.push_back({parsed->approver.role, protocol::hex_encode(parsed->approver.staff_id)});
  }
  return out;
}

// `approvers`: the staff ids of the counted approvals, joined once for every recipient's record.
PolicyRecord record_of(const policies::Decision& decision, const policies::Request& request,
                       const Caller& caller, const protocol::RecipientMailbox& recipient,
                       const protocol::OuterHeader& outer, const std::string& approvers) {
  PolicyRecord record;
  record.recipient_org = request.recipient_org_id;
  record.recipient_mailbox = recipient.mailbox_id;
  record.outcome = std::string(policies::to_string(decision.outcome));
  record.user = request.sender_staff;
  record.role = caller.role;
  record.on_behalf_of = approvers;
  record.rule_ids = join(decision.rule_ids());
  record.legal_basis = decision.consent_record_ids.empty()
                           ? "rule:" + record.rule_ids
                           : "consent:" + join(decision.consent_record_ids);
  record.policy_version = decision.policy_version;
  record.kind = std::string(protocol::name_of(outer.kind));
  record.purpose = std::string(protocol::name_of(outer.purpose));
  record.categories = category_names(outer.categories);
  record.own_team_copy = request.recipient_kind == policies::RecipientKind::eigen_team;
  return record;
}

// A bench build's verdict with the gate switched off (core/bench_switch.hpp): allow for every
// recipient, with nothing read or judged.
GateVerdict unjudged(const std::string& policy_version, const Caller& caller,
                     const protocol::OuterHeader& outer) {
  GateVerdict verdict;
  for (const protocol::RecipientMailbox& recipient : outer.recipients) {
    PolicyRecord& record = verdict.records.emplace_back();
    record.recipient_mailbox = recipient.mailbox_id;
    record.outcome = "allow";
    record.role = caller.role;
    record.rule_ids = "bench-gate-off";
    record.legal_basis = "rule:bench-gate-off";
    record.policy_version = policy_version;
    record.kind = std::string(protocol::name_of(outer.kind));
  }
  return verdict;
}

}  // namespace

sqlite::Result<std::optional<policies::TransferEvidence>> PolicyGate::transfer_evidence(
    const policies::RuleSet& rules, const Caller& caller, const protocol::OuterHeader& outer) {
  // The sender's word on the transfer counts for nothing: the record says or nobody does.
  auto record = registry_.transfer(caller.org_id, outer.pupil_pseudonym);
  if (!record) {
    if (record.error() != consent_errc::not_found) {
      return record.error();
    }
    return std::optional<policies::TransferEvidence>();
  }
  std::optional<policies::CivilDate> told;
  if (record->told_day != 0) {
    told = policies::date_of_day(record->told_day);
  }
  return std::optional<policies::TransferEvidence>(policies::TransferEvidence{
      policies::objection_window_passes_on(record->announced_at_ms, told,
                                           rules.settings().objection_days,
                                           workflow_.get()->calendars.of(caller.org_id)),
      record->receiving_org, record->objection_at_ms});
}

sqlite::Result<void> PolicyGate::add_start_consent(policies::Request& request, const Caller& caller,
                                                   const protocol::OuterHeader& outer,
                                                   std::chrono::system_clock::time_point now,
                                                   std::vector<std::string>& notes) {
  // Only R01 reads the flag, and only when the school asked: no lookup for everything else.
  if (!policies::concerns_start_consent(request)) {
    return {};
  }
  auto registered = registry_.for_pupil(caller.org_id, outer.pupil_pseudonym);
  if (!registered) {
    return registered.error();
  }
  std::vector<policies::ConsentRecord> records;
  for (const StoredConsent& consent : *registered) {
    records.push_back(consent.entry.record);
  }
  policies::apply_start_consent(request, records, policies::belgian_date(now), notes);
  return {};
}

sqlite::Result<void> PolicyGate::add_advice_objection(policies::Request& request,
                                                      const Caller& caller,
                                                      const protocol::OuterHeader& outer,
                                                      std::vector<std::string>& notes) {
  if (caller.org_type != protocol::OrgType::clb || !policies::concerns_advice(request)) {
    return {};
  }
  auto objection = registry_.advice_objection(caller.org_id, outer.pupil_pseudonym);
  if (!objection && objection.error() != consent_errc::not_found) {
    return objection.error();
  }
  policies::apply_advice_objection(request, objection.has_value(), notes);
  return {};
}

sqlite::Result<void> PolicyGate::add_held_facts(policies::Request& request, const Caller& caller,
                                                const protocol::OuterHeader& outer,
                                                const Id& sender_staff,
                                                std::chrono::system_clock::time_point now,
                                                std::vector<std::string>& notes) {
  if (outer.consent_reference != Id{}) {
    auto consent = registry_.find(outer.consent_reference);
    if (!consent && consent.error() != consent_errc::not_found) {
      return consent.error();
    }
    if (consent && may_rely_on(*consent, caller, outer, directory_)) {
      request.consents.push_back(consent->entry.record);
      request.pupil = consent->entry.pupil;
    } else {
      notes.emplace_back(policies::kConsentNotUsable);
    }
  }
  auto approvals =
      counted_approvals(registry_, directory_, caller, outer, sender_staff, now, notes);
  if (!approvals) {
    return approvals.error();
  }
  request.approvals = std::move(*approvals);
  if (auto started = add_start_consent(request, caller, outer, now, notes); !started) {
    return started;
  }
  return add_advice_objection(request, caller, outer, notes);
}

sqlite::Result<bool> PolicyGate::answers_referral(const Caller& caller,
                                                  const protocol::OuterHeader& outer,
                                                  const Id& recipient_org) {
  // Only a partner's word to a CLB under a consent can answer a referral; no lookup otherwise.
  if (referrals_ == nullptr || outer.consent_reference == Id{} ||
      caller.org_type == protocol::OrgType::clb || caller.org_id == recipient_org) {
    return false;
  }
  return referrals_->answers_referral(caller.org_id, recipient_org, outer.consent_reference);
}

sqlite::Result<GateVerdict> PolicyGate::judge(const Caller& caller,
                                              const protocol::OuterHeader& outer,
                                              std::chrono::system_clock::time_point now) {
  GateVerdict verdict;
  const auto policy = policy_.get();  // one rule set for the whole envelope
  const policies::RuleSet& rules = *policy->rules;
  if (policy_gate_switched_off()) {
    return unjudged(rules.version(), caller, outer);
  }
  auto staff_id = facts_.staff_of(caller.device_id);
  if (!staff_id) {
    return staff_id.error();
  }
  // The sender as its certificate and the directory say, never as the envelope claims.
  policies::SenderFacts sender;
  sender.org_type = caller.org_type;
  sender.org_id = caller.org_id;
  sender.role = protocol::parse_name<protocol::StaffRole>(caller.role).value_or(sender.role);
  sender.staff_id = *staff_id;
  // One request for the whole envelope; only the recipient changes from mailbox to mailbox.
  auto request = policies::request_for(outer, sender, {}, policies::belgian_date(now));
  if (auto held = add_held_facts(request, caller, outer, *staff_id, now, verdict.notes); !held) {
    return held.error();
  }
  // A claimed transfer is judged per recipient: only the new CLB the announcement names.
  const bool claims_transfer = policies::claims_transfer(request);
  std::optional<policies::TransferEvidence> transfer;
  if (claims_transfer) {
    auto evidence = transfer_evidence(rules, caller, outer);
    if (!evidence) {
      return evidence.error();
    }
    transfer = std::move(*evidence);
  }
  std::vector<std::string> approver_ids;
  for (const auto& a : request.approvals) {
    approver_ids.push_back(a.approver);
  }
  const std::string approvers = join(approver_ids);
  policies::Decision decision;
  for (const protocol::RecipientMailbox& recipient : outer.recipients) {
    auto facts = facts_.recipient(recipient.mailbox_id);
    if (!facts && facts.error() == directory_errc::not_found) {
      continue;  // nothing can reach it: the store refuses it as an unknown epoch
    }
    if (!facts) {
      return facts.error();
    }
    policies::address_to(request, *facts);
    auto answers = answers_referral(caller, outer, facts->org_id);
    if (!answers) {
      return answers.error();
    }
    request.answers_referral = *answers;
    if (claims_transfer) {
      std::vector<std::string> transfer_notes;
      policies::apply_transfer_evidence(request, transfer, policies::belgian_date(now),
                                        transfer_notes);
      for (auto& note : transfer_notes) {
        if (std::find(verdict.notes.begin(), verdict.notes.end(), note) == verdict.notes.end()) {
          verdict.notes.push_back(std::move(note));
        }
      }
    }
    policies::evaluate_into(rules, request, decision);
    verdict.records.push_back(record_of(decision, request, caller, recipient, outer, approvers));
    if (decision.outcome != policies::Outcome::allow) {
      if (!verdict.refusal) {
        verdict.refusal = decision;
        verdict.refused_org = facts->org_id;
      }
    } else if (!decision.consent_record_ids.empty()) {
      verdict.rests_on_consent = true;
    }
  }
  return verdict;
}

}  // namespace draaischijf::server
