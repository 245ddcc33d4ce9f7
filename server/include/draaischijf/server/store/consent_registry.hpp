#pragma once

// The hub's policy records, beside the messages in the same SQLite file:
//   - consents CLB staff register (validated with the policy engine before they are stored)
//     and revoke; a revocation withdraws, in the same transaction, every queued message the
//     CLB sent under the consent, and the storing transaction of a new message checks the
//     consent again, so a revocation holds for the very next request;
//   - second approvals, signed by a colleague's device, held until the message names them;
//   - the disclosure register the message store fills with every allowed message about a
//     pupil, read back per pupil to answer an inzage request;
//   - dossier transfer announcements (R14's evidence): when the CLB announced the transfer
//     of a pupil's dossier, by hub time, and the objection if one was registered.
// Every read is scoped by organisation: another organisation's consent is simply not found.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <draaischijf/policies/consent_json.hpp>
#include <draaischijf/policies/record.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/message_store.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

struct StoredConsent {
  protocol::Id consent_id{};
  protocol::Id org_id{};  // the CLB that registered it
  protocol::Hash256 pupil{};
  policies::ConsentEntry entry;  // record.id is the hex of consent_id
  std::int64_t registered_at_ms = 0;
  protocol::Id registered_by{};  // the device
  std::optional<std::int64_t> revoked_at_ms;
};

struct StoredApproval {
  protocol::Id approval_id{};
  protocol::Id org_id{};
  protocol::Id message_id{};
  protocol::Id approver_device{};
  std::vector<std::uint8_t> statement;  // the signed approval (protocol/approval.hpp)
  std::int64_t registered_at_ms = 0;    // hub time when it was registered (set when read)
};

/// The announcement of a pupil's dossier transfer to a new CLB on a change of school, the
/// evidence from which the hub computes R14's objection window (docs/POLICY.md 10).
struct TransferRecord {
  protocol::Id org_id{};  // the CLB that announced it (the sending CLB)
  protocol::Hash256 pupil{};
  std::int64_t announced_at_ms = 0;             // hub time
  protocol::Id announced_by{};                  // the device
  std::optional<std::int64_t> objection_at_ms;  // hub time the objection was registered
  // From the signed announcement (docs/PROTOCOL.md 7.20); none of them on an announcement
  // recorded before statements were signed, which opens neither R13 nor R14.
  std::optional<protocol::Id> receiving_org;  // the new CLB
  std::uint32_t told_day = 0;                 // days since 1970-01-01; 0: none
  std::vector<std::uint8_t> statement;        // the signed bytes, whole
};

/// The client's objection to actionable advice going to the school (R03), as a CLB registered
/// it; while it stands, the hub sets `verzet` on the CLB's messages about the pupil.
struct AdviceObjection {
  protocol::Id org_id{};
  protocol::Hash256 pupil{};
  std::int64_t registered_at_ms = 0;  // hub time
  protocol::Id registered_by{};       // the device
};

/// One line of the disclosure register (its wire form: policies/record_json.hpp).
using Disclosure = policies::Disclosure;

/// A pupil-key box an admin device left for a device of its organisation.
struct StoredPupilKey {
  protocol::Id org_id{};
  protocol::Id device_id{};
  protocol::Id stored_by{};  // the admin device
  std::vector<std::uint8_t> box;
  std::int64_t at_ms = 0;
};

enum class consent_errc {
  not_found = 1,      // no such consent (or approval) of this organisation
  already_revoked,    // a revocation is kept once; revoking again changes nothing
  id_taken,           // an approval id is stored already
  already_announced,  // a transfer is announced once per pupil; its date is not moved
};

[[nodiscard]] const boost::system::error_category& consent_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(consent_errc e) noexcept {
  return {static_cast<int>(e), consent_category()};
}

/// The consent registry as the routes and the policy gate see it (a second backend implements
/// this); changes call `done` after their commit and return false when the writer is full.
class ConsentRegistry {
 public:
  using Done = std::function<void(sqlite::Result<void>)>;
  using RevokeDone = std::function<void(sqlite::Result<std::vector<Withdrawal>>)>;

  virtual ~ConsentRegistry() = default;

  /// Stores a validated consent with a `consent.registered` audit row; `done` after COMMIT.
  /// false when the writer's queue is full (nothing stored, `done` not called).
  [[nodiscard]] virtual bool add(const StoredConsent& consent, Done done) = 0;

  /// Marks the consent revoked from `on` and withdraws what still waits under it, with audit
  /// rows, in one transaction. not_found for another organisation's consent.
  [[nodiscard]] virtual bool revoke(const protocol::Id& consent_id, const protocol::Id& org_id,
                                    const protocol::Id& device_id, std::int64_t at_ms,
                                    policies::CivilDate on, RevokeDone done) = 0;

  /// A consent by id, whichever organisation registered it (the policy gate decides who may
  /// rely on it); not_found when there is none.
  [[nodiscard]] virtual sqlite::Result<StoredConsent> find(const protocol::Id& consent_id) = 0;
  /// The consents `org_id` registered for a pupil, revoked ones included, oldest first.
  [[nodiscard]] virtual sqlite::Result<std::vector<StoredConsent>> for_pupil(
      const protocol::Id& org_id, const protocol::Hash256& pupil) = 0;

  [[nodiscard]] virtual bool add_approval(const StoredApproval& approval, std::int64_t at_ms,
                                          Done done) = 0;
  /// The approvals of `org_id` among `ids`; unknown ids are left out.
  [[nodiscard]] virtual sqlite::Result<std::vector<StoredApproval>> approvals(
      const protocol::Id& org_id, std::span<const protocol::Id> ids) = 0;

  /// What `org_id` disclosed about a pupil, oldest first, each line with the audit row of its
  /// decision and that row's record-log index (policies::RecordedDisclosure).
  [[nodiscard]] virtual sqlite::Result<std::vector<policies::RecordedDisclosure>> disclosures(
      const protocol::Id& org_id, const protocol::Hash256& pupil) = 0;

  /// The organisation's pupil key sealed to one of its devices (protocol/pupil.hpp): opaque to
  /// the hub, replaced when the admin sends it again, with a `pupil_key.stored` audit row.
  [[nodiscard]] virtual bool store_pupil_key(const StoredPupilKey& box, Done done) = 0;
  /// The box left for `device_id` of `org_id`; not_found when there is none.
  [[nodiscard]] virtual sqlite::Result<std::vector<std::uint8_t>> pupil_key(
      const protocol::Id& org_id, const protocol::Id& device_id) = 0;
  /// Stores a signed transfer announcement with a `transfer.announced` audit row;
  /// already_announced when the pupil's transfer was announced before with a signed statement
  /// (the window is not restarted). An unsigned announcement of before is replaced.
  [[nodiscard]] virtual bool announce_transfer(const TransferRecord& transfer, Done done) = 0;
  /// Registers the objection to an announced transfer (`transfer.objection` audit row);
  /// not_found without an announcement. A second objection keeps the first one's time.
  [[nodiscard]] virtual bool register_objection(const protocol::Id& org_id,
                                                const protocol::Hash256& pupil,
                                                const protocol::Id& device_id, std::int64_t at_ms,
                                                Done done) = 0;
  /// The pupil's transfer announcement by `org_id`; not_found when there is none.
  [[nodiscard]] virtual sqlite::Result<TransferRecord> transfer(const protocol::Id& org_id,
                                                                const protocol::Hash256& pupil) = 0;
  /// Registers an objection to advice (`objection.registered` audit row); registering it again
  /// keeps the first one's time.
  [[nodiscard]] virtual bool register_advice_objection(const AdviceObjection& objection,
                                                       Done done) = 0;
  /// Withdraws it, the client having changed their mind (`objection.withdrawn` audit row, which
  /// keeps the history); not_found when none stands.
  [[nodiscard]] virtual bool withdraw_advice_objection(const protocol::Id& org_id,
                                                       const protocol::Hash256& pupil,
                                                       const protocol::Id& device_id,
                                                       std::int64_t at_ms, Done done) = 0;
  /// The standing objection to advice about the pupil; not_found when there is none.
  [[nodiscard]] virtual sqlite::Result<AdviceObjection> advice_objection(
      const protocol::Id& org_id, const protocol::Hash256& pupil) = 0;
};

/// The SQLite consent registry on the hub's Storage.
class SqliteConsentRegistry final : public ConsentRegistry {
 public:
  explicit SqliteConsentRegistry(std::shared_ptr<Storage> storage) : storage_(std::move(storage)) {}

  /// Stores a validated consent with a `consent.registered` audit row; `done` after COMMIT.
  /// false when the writer's queue is full (nothing stored, `done` not called).
  [[nodiscard]] bool add(const StoredConsent& consent, Done done) override;

  /// Marks the consent revoked from `on` and withdraws what still waits under it, with audit
  /// rows, in one transaction. not_found for another organisation's consent.
  [[nodiscard]] bool revoke(const protocol::Id& consent_id, const protocol::Id& org_id,
                            const protocol::Id& device_id, std::int64_t at_ms,
                            policies::CivilDate on, RevokeDone done) override;

  /// A consent by id, whichever organisation registered it (the policy gate decides who may
  /// rely on it); not_found when there is none.
  [[nodiscard]] sqlite::Result<StoredConsent> find(const protocol::Id& consent_id) override;
  /// The consents `org_id` registered for a pupil, revoked ones included, oldest first.
  [[nodiscard]] sqlite::Result<std::vector<StoredConsent>> for_pupil(
      const protocol::Id& org_id, const protocol::Hash256& pupil) override;

  [[nodiscard]] bool add_approval(const StoredApproval& approval, std::int64_t at_ms,
                                  Done done) override;
  /// The approvals of `org_id` among `ids`; unknown ids are left out.
  [[nodiscard]] sqlite::Result<std::vector<StoredApproval>> approvals(
      const protocol::Id& org_id, std::span<const protocol::Id> ids) override;

  /// What `org_id` disclosed about a pupil, oldest first, with the rows that prove each line.
  [[nodiscard]] sqlite::Result<std::vector<policies::RecordedDisclosure>> disclosures(
      const protocol::Id& org_id, const protocol::Hash256& pupil) override;

  [[nodiscard]] bool store_pupil_key(const StoredPupilKey& box, Done done) override;
  [[nodiscard]] sqlite::Result<std::vector<std::uint8_t>> pupil_key(
      const protocol::Id& org_id, const protocol::Id& device_id) override;
  [[nodiscard]] bool announce_transfer(const TransferRecord& transfer, Done done) override;
  [[nodiscard]] bool register_objection(const protocol::Id& org_id, const protocol::Hash256& pupil,
                                        const protocol::Id& device_id, std::int64_t at_ms,
                                        Done done) override;
  [[nodiscard]] sqlite::Result<TransferRecord> transfer(const protocol::Id& org_id,
                                                        const protocol::Hash256& pupil) override;
  [[nodiscard]] bool register_advice_objection(const AdviceObjection& objection,
                                               Done done) override;
  [[nodiscard]] bool withdraw_advice_objection(const protocol::Id& org_id,
                                               const protocol::Hash256& pupil,
                                               const protocol::Id& device_id, std::int64_t at_ms,
                                               Done done) override;
  [[nodiscard]] sqlite::Result<AdviceObjection> advice_objection(
      const protocol::Id& org_id, const protocol::Hash256& pupil) override;

 private:
  std::shared_ptr<Storage> storage_;
};

}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::consent_errc> : std::true_type {};
}  // namespace boost::system
