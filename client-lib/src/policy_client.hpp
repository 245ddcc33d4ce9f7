#pragma once

// The policy side of a device: the hub's rule set as send()'s pre-check, judged on the same
// request the hub builds (server/src/policy_gate.cpp), and second approvals on the hub (the
// CLB's consent registry and disclosure register are ConsentRegistry's). The pre-check never
// replaces the hub's check; it spares the sender an encrypted upload the hub would refuse, and
// says why before anything leaves the device.

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <draaischijf/client/consent_registry.hpp>
#include <draaischijf/client/types.hpp>
#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/policies/labels.hpp>
#include <draaischijf/policies/rule_set.hpp>
#include <draaischijf/protocol/clock.hpp>

#include "hub_session.hpp"

namespace draaischijf::client {

/// What the hub knows of the sender when it judges: its certificate (never the envelope).
using SenderFacts = policies::SenderFacts;

/// A recipient mailbox with what the hub knows of it: its organisation from the directory and
/// the role it serves (policies::RecipientFacts).
struct RecipientFacts {
  protocol::Id mailbox_id{};
  policies::RecipientFacts facts;
};

class PolicyClient {
 public:
  /// `clock` gives the decision date (today in Belgium), as the hub's does.
  PolicyClient(HubSession& hub, const protocol::Clock& clock) : hub_(hub), clock_(clock) {}

  /// Fetches and verifies the rule set the first time (policy_untrusted when its signature
  /// does not verify under `operator_key`); off without a key.
  [[nodiscard]] protocol::Result<PolicyCheckStatus> status(
      const std::optional<protocol::SigningPublicKey>& operator_key);
  /// Drops the loaded rule set (another key was pinned): status() fetches it again.
  void forget() {
    status_.reset();
    rules_.reset();
  }
  /// How the hub will judge these labels, per recipient: allowed, or the first refusal. Call
  /// only once status() says enabled.
  [[nodiscard]] protocol::Result<PolicyVerdict> judge(const protocol::OuterHeader& labels,
                                                      const SenderFacts& sender,
                                                      std::span<const RecipientFacts> recipients);

  /// Hands a signed approval to the hub; the answer must name the same approval and message.
  [[nodiscard]] protocol::Result<std::string> upload_approval(
      std::span<const std::uint8_t> approval, const protocol::Id& approval_id,
      const protocol::Id& message_id);

 private:
  /// A claimed dossier transfer as the hub holds it, applied per recipient (only the new CLB
  /// the announcement names gets it): `applies` when the request claims one.
  struct TransferCheck {
    bool applies = false;
    std::optional<policies::TransferEvidence> evidence;
  };
  /// What the hub will put in place of the sender's attested flags (policies/evidence.hpp):
  /// the start consents and the transfer record the CLB registered for the pupil.
  [[nodiscard]] protocol::Result<void> add_held_evidence(policies::Request& request,
                                                         const protocol::Hash256& pupil,
                                                         std::vector<std::string>& notes,
                                                         TransferCheck& transfer);

  HubSession& hub_;
  const protocol::Clock& clock_;
  std::optional<PolicyCheckStatus> status_;
  std::shared_ptr<const policies::RuleSet> rules_;
};

/// The outer labels seal() will write for `draft` (with its ids fixed) and `composition`:
/// categories from the fragments and the attachments, recipients without epochs.
[[nodiscard]] protocol::OuterHeader labels_of(const protocol::Draft& draft,
                                              const Composition& composition,
                                              const protocol::Id& sender_org);

/// What a refused pre-check leaves as Client::last_problem(): status 0 (the hub was not asked),
/// the reasons as the detail, the decision with the draft's ids for the approval.
[[nodiscard]] HubProblem pre_check_problem(PolicyVerdict verdict, const protocol::Draft& draft);

/// A withdrawal as the hub's revocations and stream frames write it (consent_registry.cpp).
/// GET /v1/consents/{id}: the record as the hub keeps it (consent_registry.cpp); the
/// pre-check reads it too.
[[nodiscard]] protocol::Result<Consent> fetch_consent(HubSession& hub,
                                                      const protocol::Id& consent_id);
/// GET /v1/consents?pupil=: the consents the caller's CLB registered for the pupil.
[[nodiscard]] protocol::Result<std::vector<Consent>> fetch_pupil_consents(
    HubSession& hub, const protocol::Hash256& pupil);
/// GET /v1/objections/advice?pupil=: the standing objection to advice (R03), or nullopt.
[[nodiscard]] protocol::Result<std::optional<AdviceObjection>> fetch_advice_objection(
    HubSession& hub, const protocol::Hash256& pupil);
/// GET /v1/transfers?pupil=: the CLB's transfer announcement for the pupil.
[[nodiscard]] protocol::Result<Transfer> fetch_transfer(HubSession& hub,
                                                        const protocol::Hash256& pupil);

}  // namespace draaischijf::client
