#pragma once

// The hub's enforcement point: before an envelope is stored, the policy engine decides for
// each recipient mailbox on what the hub knows without keys. The sender's organisation type,
// role and staff id come from its certificate and the directory (never from the envelope);
// the recipient's organisation type from the directory; kind, purpose, categories,
// attestations, consent reference and pupil from the signed outer labels; the consent record,
// with the pupil's facts the giver was judged on, from the registry; approvals from the signed
// approval objects the hub holds. The decision date is today in Belgium.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <draaischijf/policies/decision.hpp>
#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/server/core/workflow_settings.hpp>
#include <draaischijf/server/store/consent_registry.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/message_store.hpp>

#include "core/caller.hpp"
#include "policy/directory_facts.hpp"
#include "policy/hub_policy.hpp"

namespace draaischijf::server {

/// A second approval counts for at most this long after it was given (docs/POLICY.md
/// section 9): a colleague approves a message about to be sent, not one weeks later.
inline constexpr std::chrono::hours kApprovalMaxAge{24 * 14};

struct GateVerdict {
  /// One per recipient mailbox, allow or not: what goes into the audit log.
  std::vector<PolicyRecord> records;
  /// The first decision that is not allow, with its recipient organisation.
  std::optional<policies::Decision> refusal;
  protocol::Id refused_org{};
  /// Why a consent reference or an approval the envelope names did not count (fixed words).
  std::vector<std::string> notes;
  bool rests_on_consent = false;  // some allow relied on the referenced consent
};

class PolicyGate {
 public:
  /// `policy` is read once per judgement: a reload between two envelopes changes the rules
  /// for the second, never halfway through one.
  /// `referrals`: the referral record R06's answers are judged by (nullptr: none is on record).
  /// `workflow`: whose working days R14's objection window ends on (the announcing CLB's),
  /// read once per judgement like `policy`.
  /// `version`: the directory's (Storage::directory_version()), so the sender's device and the
  /// recipient mailboxes are read once per directory change, not once per envelope
  /// (policy/directory_facts.hpp); nullptr reads them for every envelope.
  PolicyGate(const PolicyInForce& policy, Directory& directory, ConsentRegistry& registry,
             const WorkflowSettings& workflow, ReferralStore* referrals = nullptr,
             const DirectoryVersion* version = nullptr)
      : policy_(policy),
        directory_(directory),
        registry_(registry),
        workflow_(workflow),
        referrals_(referrals),
        facts_(directory, version) {}

  /// Errors are the directory's or the registry's (storage), never a policy outcome.
  [[nodiscard]] sqlite::Result<GateVerdict> judge(const Caller& caller,
                                                  const protocol::OuterHeader& outer,
                                                  std::chrono::system_clock::time_point now);

 private:
  /// Whether the message goes from a partner to the CLB that referred a pupil to it under the
  /// consent the envelope names (policies::Request::answers_referral).
  [[nodiscard]] sqlite::Result<bool> answers_referral(const Caller& caller,
                                                      const protocol::OuterHeader& outer,
                                                      const protocol::Id& recipient_org);
  /// Adds to `request` what the hub holds beyond the labels, the same for every recipient: the
  /// consent the sender may rely on (with the pupil's facts the giver was judged on) and the
  /// approvals that count; says in `notes` why a reference did not count.
  [[nodiscard]] sqlite::Result<void> add_held_facts(policies::Request& request,
                                                    const Caller& caller,
                                                    const protocol::OuterHeader& outer,
                                                    const protocol::Id& sender_staff,
                                                    std::chrono::system_clock::time_point now,
                                                    std::vector<std::string>& notes);
  /// Replaces the sender's word on R01's start consent (begeleidingsakkoord) by the consents
  /// the CLB registered for the pupil (policies/evidence.hpp).
  [[nodiscard]] sqlite::Result<void> add_start_consent(policies::Request& request,
                                                       const Caller& caller,
                                                       const protocol::OuterHeader& outer,
                                                       std::chrono::system_clock::time_point now,
                                                       std::vector<std::string>& notes);
  /// Sets `verzet` on actionable advice when the client's objection to it stands (R03).
  [[nodiscard]] sqlite::Result<void> add_advice_objection(policies::Request& request,
                                                          const Caller& caller,
                                                          const protocol::OuterHeader& outer,
                                                          std::vector<std::string>& notes);
  /// The dossier transfer the hub holds for the pupil, when the request claims one
  /// (schoolverandering, wachttermijn_verstreken): its evidence, with the objection window
  /// computed on the announcing CLB's calendar. Applied per recipient (apply_transfer_evidence),
  /// since only the new CLB the announcement names gets the dossier.
  [[nodiscard]] sqlite::Result<std::optional<policies::TransferEvidence>> transfer_evidence(
      const policies::RuleSet& rules, const Caller& caller, const protocol::OuterHeader& outer);

  const PolicyInForce& policy_;
  Directory& directory_;
  ConsentRegistry& registry_;
  const WorkflowSettings& workflow_;
  ReferralStore* referrals_;
  DirectoryFacts facts_;
};

}  // namespace draaischijf::server
