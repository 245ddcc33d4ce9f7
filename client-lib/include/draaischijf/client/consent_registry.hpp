#pragma once

// The CLB's consent registry and the disclosure register on the hub (docs/POLICY.md 2): a CLB
// device registers consent records (the hub checks the giver against the pupil's facts),
// reads and revokes them (revoking withdraws what still waits under the consent), and reads
// what was disclosed about a pupil, to whom and on which basis.
//
//   ConsentRegistry registry{session};
//   auto id = registry.register_consent(entry);   // consent_invalid: last_problem().issues
//   auto withdrawn = registry.revoke(*id);        // the messages the hub took back
//
// A part of its own rather than administration's: it is the CLB's record-keeping about pupils,
// used by CLB staff devices, not the organisation admin's key work. It is also the one public
// header that brings Boost.JSON in: ConsentEntry lives in policies/consent_json.hpp (one wire
// form for hub and client, header-only by design), so only code that handles consent records
// pays for it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <draaischijf/client/session.hpp>
#include <draaischijf/client/types.hpp>
#include <draaischijf/policies/consent_json.hpp>
#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/record_json.hpp>

namespace draaischijf::client {

/// A consent record the CLB registered with the hub.
struct Consent {
  protocol::Id consent_id{};
  policies::ConsentEntry entry;  // entry.record.revoked once revoked
  std::int64_t registered_at_ms = 0;
  protocol::Id registered_by{};  // the registering device
  std::optional<std::int64_t> revoked_at_ms;
};

/// The announcement of a pupil's dossier transfer to a new CLB, R14's evidence at the hub
/// (docs/POLICY.md 10): the hub dates it and computes when the objection period has passed.
struct Transfer {
  protocol::Hash256 pupil{};
  std::int64_t announced_at_ms = 0;             // hub time
  policies::CivilDate window_passes_on;         // the hub's computation (objection_days)
  std::optional<std::int64_t> objection_at_ms;  // hub time, when an objection is registered
  // What the signed announcement says (docs/PROTOCOL.md 7.20); none on an announcement the
  // hub recorded before announcements were signed.
  std::optional<protocol::Id> receiving_org;        // the new CLB
  std::optional<policies::CivilDate> parents_told;  // the day the parents or pupil were told
};

/// The client's objection to actionable advice going to the school (R03), while it stands.
struct AdviceObjection {
  std::int64_t registered_at_ms = 0;  // hub time
  protocol::Id registered_by{};       // the device
};

/// One line of the hub's disclosure register: a message about the pupil that was allowed out.
using Disclosure = policies::Disclosure;
/// A register line with the audit row that proves it (policies::RecordedDisclosure).
using RecordedDisclosure = policies::RecordedDisclosure;

class ConsentRegistry {
 public:
  /// `session` must outlive this handle.
  explicit ConsentRegistry(Session& session) noexcept : state_(&session.state()) {}

  /// Registers the record; the hub checks it (consent_invalid with last_problem().issues) and
  /// gives it its id.
  [[nodiscard]] protocol::Result<protocol::Id> register_consent(
      const policies::ConsentEntry& entry);
  /// The pseudonym under which the hub knows one of the organisation's own pupil references
  /// (protocol/pupil.hpp): what consents and disclosures are filed under.
  [[nodiscard]] protocol::Result<protocol::Hash256> pseudonym_of(std::string_view reference);
  [[nodiscard]] protocol::Result<std::vector<Consent>> consents(const protocol::Hash256& pupil);
  [[nodiscard]] protocol::Result<Consent> consent(const protocol::Id& consent_id);
  /// Revokes from now on; returns the messages still queued under it, which the hub withdrew.
  [[nodiscard]] protocol::Result<std::vector<Withdrawal>> revoke(const protocol::Id& consent_id);
  /// The hub's register of what left the organisation about the pupil, oldest first, every
  /// line proved by the record log (docs/PROTOCOL.md 13.7): a line with a `decision` was
  /// checked to be exactly that audit row's, in the log at `record_index` under a checkpoint
  /// of the pinned hub key that extends the one this device holds. A line without one has no
  /// row left at the hub (retention) and is unproved. register_unproved when a line and its
  /// row or proof disagree; log_checkpoint_invalid, log_rollback or log_fork for the checkpoint.
  [[nodiscard]] protocol::Result<std::vector<RecordedDisclosure>> disclosures(
      const protocol::Hash256& pupil);
  /// Announces the transfer of the pupil's dossier to the new CLB `receiving_org`, the parents
  /// or the pupil having been told on `parents_told`, in a statement this device signs (once:
  /// the hub dates it, so the period can be neither backdated nor restarted).
  [[nodiscard]] protocol::Result<Transfer> announce_transfer(const protocol::Hash256& pupil,
                                                             const protocol::Id& receiving_org,
                                                             policies::CivilDate parents_told);
  /// Registers the written objection to the announced transfer.
  [[nodiscard]] protocol::Result<Transfer> register_objection(const protocol::Hash256& pupil);
  [[nodiscard]] protocol::Result<Transfer> transfer(const protocol::Hash256& pupil);
  /// Registers that the parents or the competent pupil object to advice about the pupil going
  /// to the school: the hub then refuses such advice from every device of the CLB (R03).
  [[nodiscard]] protocol::Result<std::optional<AdviceObjection>> object_to_advice(
      const protocol::Hash256& pupil);
  /// Withdraws it (not_found at the hub when none stands).
  [[nodiscard]] protocol::Result<std::optional<AdviceObjection>> withdraw_advice_objection(
      const protocol::Hash256& pupil);
  /// The standing objection, or nullopt.
  [[nodiscard]] protocol::Result<std::optional<AdviceObjection>> advice_objection(
      const protocol::Hash256& pupil);

 private:
  detail::SessionState* state_;
};

}  // namespace draaischijf::client
