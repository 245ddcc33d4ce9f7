#pragma once

// The policy side of a device: the hub's rule set as send()'s pre-check, judged on the same
// request the hub builds (server/src/policy_gate.cpp), and the CLB's consent registry,
// disclosure register and second approvals on the hub. The pre-check never replaces the hub's
// check; it spares the sender an encrypted upload the hub would refuse, and says why before
// anything leaves the device.

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <draaischijf/client/client.hpp>
#include <draaischijf/policies/rule_set.hpp>

#include "hub_session.hpp"

namespace draaischijf::client {

/// What the hub knows of the sender when it judges: its certificate (never the envelope).
struct SenderFacts {
  protocol::OrgType org_type = protocol::OrgType::clb;
  protocol::Id org_id{};
  protocol::StaffRole role = protocol::StaffRole::clb_onthaal;
  protocol::Id staff_id{};
};

/// What the hub knows of a recipient mailbox: its organisation from the directory, and a role
/// when the mailbox is named after one (clb_arts, ...).
struct RecipientFacts {
  protocol::Id mailbox_id{};
  protocol::Id org_id{};
  protocol::OrgType org_type = protocol::OrgType::clb;
  std::optional<protocol::StaffRole> role;
};

class PolicyClient {
 public:
  explicit PolicyClient(HubSession& hub) : hub_(hub) {}

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

  [[nodiscard]] protocol::Result<protocol::Id> register_consent(
      const policies::ConsentEntry& entry);
  [[nodiscard]] protocol::Result<std::vector<Consent>> consents(const protocol::Hash256& pupil);
  [[nodiscard]] protocol::Result<Consent> consent(const protocol::Id& consent_id);
  [[nodiscard]] protocol::Result<std::vector<Withdrawal>> revoke(const protocol::Id& consent_id);
  [[nodiscard]] protocol::Result<std::vector<Disclosure>> disclosures(
      const protocol::Hash256& pupil);
  /// Hands a signed approval to the hub; the answer must name the same approval and message.
  [[nodiscard]] protocol::Result<std::string> upload_approval(
      std::span<const std::uint8_t> approval, const protocol::Id& approval_id,
      const protocol::Id& message_id);

 private:
  HubSession& hub_;
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

/// A withdrawal as the hub's revocations and stream frames write it.
[[nodiscard]] std::optional<Withdrawal> withdrawal_of(const boost::json::object& item);

}  // namespace draaischijf::client
