#pragma once

// The directory: organisations (with the Ed25519 key that signs their end-to-end certificates),
// devices (enrolment requests, approved certificates, removal) and mailboxes (every epoch
// certificate, and per epoch its members with the seed box sealed to each).
//
// The hub stores what organisations sign and checks it before storing, but it cannot forge it:
// clients verify certificates against the organisation keys they trust. Every change goes
// through the group-commit writer, checked and written in one transaction with its audit row.
// Membership is defined by the current epoch: a member leaves through a new epoch without it.
// Removing a device takes its access away at once and holds its mailboxes (no submissions) until
// the organisation has rotated them, so a removed device never holds a key new messages are
// sealed to.

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/directory_vocabulary.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

enum class directory_errc {
  not_found = 1,         // unknown, or of another organisation: the two look the same
  organisation_exists,   // add_organisation with an id in use
  device_exists,         // an enrolment request for a device id in use, with other keys
  not_pending,           // approving a device that is not waiting for approval
  certificate_invalid,   // does not parse or its signature is not the organisation's
  certificate_mismatch,  // signed, but not for what was requested or for this organisation
  mailbox_exists,        // creating a mailbox whose id is in use
  epoch_not_next,        // not exactly one past the current epoch, or not linked to it
  members_mismatch,      // the member list does not match the certificate's members hash
  member_not_enrolled,   // a member is not an enrolled device of the organisation
  seed_box_invalid,      // a seed box of the wrong size, or a missing previous-seed box
  name_invalid,          // empty, too long or not clean UTF-8
  epoch_outside_window,  // the epoch certificate's validity window does not include now
  member_role_mismatch,  // a member's certified role does not fit the mailbox's function
  action_replayed,       // a signed admin action whose nonce the hub accepted before
  offer_not_allowed,     // an offer the organisation's type may not list (protocol::offered_by)
  clb_invalid,           // a CLB named for an organisation that is no school, or not a CLB
  municipality_invalid,  // empty, longer than 100 bytes or not display-safe UTF-8
  person_role_conflict,  // the staff id is certified on an enrolled device with another role
  person_id_conflict,    // the device claims an enrolled person but is certified as another
  organisation_removed,  // the operator removed the organisation; its id is never used again
};

[[nodiscard]] const boost::system::error_category& directory_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(directory_errc e) noexcept {
  return {static_cast<int>(e), directory_category()};
}

struct Organisation {
  protocol::Id org_id{};
  protocol::OrgType type = protocol::OrgType::clb;
  std::string name;
  protocol::SigningPublicKey signing_key{};
  // Where it works and what it offers: set by the operator (draaischijf-hub org set), public
  // directory data like the name.
  std::optional<protocol::Province> province{};
  std::string municipality{};             // empty: not recorded
  std::vector<protocol::Offer> offers{};  // in vocabulary order, each once
  std::optional<protocol::Id> clb{};      // a school's own CLB
  // Set once the operator removed it (draaischijf-hub org remove): its devices are refused and
  // its mailboxes take nothing. Listings leave removed organisations out.
  std::optional<std::int64_t> removed_at_ms{};
};

/// An operator's change to an organisation's region, offers and CLB: each field that is set
/// replaces what is recorded (an empty municipality or offer list clears it; `clear_clb`
/// removes the CLB).
struct OrganisationProfileChange {
  std::optional<protocol::Province> province;
  std::optional<std::string> municipality;
  std::optional<std::vector<protocol::Offer>> offers;
  std::optional<protocol::Id> clb;
  bool clear_clb = false;
};

/// What a directory search asks for; every field that is set must match.
struct OrganisationFilter {
  std::optional<protocol::OrgType> type;
  std::optional<protocol::Province> province;
  std::optional<std::string> municipality;  // compared with protocol::same_municipality
  std::optional<protocol::Offer> offer;
  [[nodiscard]] bool matches(const Organisation& organisation) const;
};

enum class DeviceState { pending, enrolled, removed };
[[nodiscard]] std::string_view name_of(DeviceState state);

struct Device {
  protocol::Id device_id{};
  protocol::Id org_id{};
  std::string role;  // vocabulary name, from the device's client certificate
  DeviceState state = DeviceState::pending;
  protocol::SigningPublicKey signing_key{};
  protocol::X25519PublicKey encryption_key{};
  protocol::Id staff_id{};
  std::vector<std::uint8_t> certificate;  // the DeviceCertificate, once enrolled
  std::int64_t requested_at_ms = 0;
  // The person the device says it belongs to when it asks (the staff id of that person's other
  // devices); the admin decides, but the hub will not certify it as another enrolled person.
  std::optional<protocol::Id> claimed_staff_id{};
};

struct Mailbox {
  protocol::Id mailbox_id{};
  protocol::Id org_id{};
  std::string name;
  std::uint32_t epoch = 0;
  std::vector<std::uint8_t> certificate;  // of the current epoch
  std::int64_t queued_bytes = 0;
  bool needs_rotation = false;  // a member was removed; senders wait for the next epoch
};

/// Why a mailbox takes no envelope now, or empty when it does: "rotation-needed" (a member was
/// removed), "epoch-expired" or "epoch-not-yet-valid" (outside its current epoch's window, which
/// may still hold a device removed since), "certificate-invalid".
[[nodiscard]] std::string_view held_reason(const Mailbox& m, std::int64_t now_ms);

/// How many mailboxes' current epochs have ended, and how many end within `soon_ms` of now:
/// their organisation's admin must renew them (draaischijf admin renew).
struct EpochEnds {
  std::uint64_t expired = 0;
  std::uint64_t ending_soon = 0;
};
[[nodiscard]] EpochEnds count_epoch_ends(const std::vector<Mailbox>& mailboxes, std::int64_t now_ms,
                                         std::int64_t soon_ms);

struct MemberSeedBox {
  protocol::Id device_id{};
  std::vector<std::uint8_t> seed_box;
};

/// A new mailbox (name set) or its next epoch (name empty), signed by the organisation.
struct EpochChange {
  protocol::Id mailbox_id{};
  std::string name;
  std::vector<std::uint8_t> certificate;
  std::vector<MemberSeedBox> members;
  std::vector<std::uint8_t> previous_seed_box;  // the previous epoch's seed, for rotations
};

/// What a member of an epoch can fetch for it.
struct EpochKeys {
  std::vector<std::uint8_t> certificate;
  std::vector<std::uint8_t> previous_seed_box;  // empty for the first epoch
  std::vector<std::uint8_t> seed_box;           // empty when the caller was not a member then
  std::vector<protocol::Id> members;            // every member device of the epoch, ascending
};

/// Who asks: the identity the client certificate mapped to.
struct Actor {
  protocol::Id org_id{};
  protocol::Id device_id{};
};

/// The directory as the routes, the transport and the tools see it (a second backend
/// implements this).
class Directory {
 public:
  using Done = std::function<void(sqlite::Result<void>)>;

  virtual ~Directory() = default;

  // Reads. Every one that is not public directory data is scoped by the caller's organisation.
  [[nodiscard]] virtual sqlite::Result<Organisation> organisation(const protocol::Id& org_id) = 0;
  [[nodiscard]] virtual sqlite::Result<std::vector<Organisation>> organisations() = 0;
  [[nodiscard]] virtual sqlite::Result<Device> device(const protocol::Id& device_id) = 0;
  [[nodiscard]] virtual sqlite::Result<std::vector<Device>> devices(const protocol::Id& org_id,
                                                                    DeviceState state) = 0;
  [[nodiscard]] virtual sqlite::Result<Mailbox> mailbox(const protocol::Id& mailbox_id) = 0;
  /// Every organisation's mailboxes (the operator's metrics).
  [[nodiscard]] virtual sqlite::Result<std::vector<Mailbox>> all_mailboxes() = 0;
  [[nodiscard]] virtual sqlite::Result<std::vector<Mailbox>> mailboxes(
      const protocol::Id& org_id) = 0;
  /// Whether the device is an enrolled member of the mailbox's current epoch.
  [[nodiscard]] virtual sqlite::Result<bool> is_member(const protocol::Id& mailbox_id,
                                                       const protocol::Id& device_id) = 0;
  [[nodiscard]] virtual sqlite::Result<EpochKeys> epoch_keys(const protocol::Id& mailbox_id,
                                                             std::uint32_t epoch,
                                                             const protocol::Id& device_id) = 0;

  // Changes, each checked and written in one transaction with its audit row. `done` runs after
  // COMMIT; false when the writer's queue is full (nothing happens, `done` is not called).
  [[nodiscard]] virtual bool add_organisation(const Organisation& organisation, std::int64_t at_ms,
                                              Done done) = 0;
  /// The operator's change to an organisation's region, offers and CLB, checked against the
  /// vocabularies (offers the organisation's type may list; a CLB only for a school, and only an
  /// organisation of type clb), with its audit row `organisation.profile`.
  [[nodiscard]] virtual bool change_organisation_profile(const protocol::Id& org_id,
                                                         OrganisationProfileChange change,
                                                         std::int64_t at_ms, Done done) = 0;
  /// A device asks to be enrolled (pending). Asked again with the same keys, only its claimed
  /// person is replaced (a person who named the wrong staff id asks again); other keys for a
  /// known device id are device_exists.
  [[nodiscard]] virtual bool request_enrolment(const Device& request, Done done) = 0;
  /// Stores the device's certificate as its organisation's admin signed it. One staff id is one
  /// person with one role: a certificate for a staff id that an enrolled device of the
  /// organisation holds with another role is person_role_conflict; one for another staff id
  /// than the enrolled person the device claimed to be is person_id_conflict.
  [[nodiscard]] virtual bool approve_enrolment(const Actor& admin, const protocol::Id& device_id,
                                               std::vector<std::uint8_t> certificate,
                                               std::int64_t at_ms, Done done) = 0;
  [[nodiscard]] virtual bool remove_device(const Actor& admin, const protocol::Id& device_id,
                                           std::int64_t at_ms, Done done) = 0;
  [[nodiscard]] virtual bool change_mailbox(const Actor& admin, EpochChange change,
                                            std::int64_t at_ms, Done done) = 0;
  /// Gives a mailbox of the admin's organisation a new display name (1..200 bytes, display
  /// safe: name_invalid), with its audit row `mailbox.renamed`; another organisation's mailbox
  /// is not_found. The name is directory data only: no epoch changes.
  [[nodiscard]] virtual bool rename_mailbox(const Actor& admin, const protocol::Id& mailbox_id,
                                            std::string name, std::int64_t at_ms, Done done) = 0;
  /// Records the nonce of a signed admin action (docs/PROTOCOL.md 7.13) until `expires_ms`, in
  /// its own transaction before the action runs: directory_errc::action_replayed when the
  /// organisation used it before. On disk, so a restart does not open a replay window; a crash
  /// between the two costs the admin a new signature, never a second application.
  [[nodiscard]] virtual bool claim_admin_nonce(const protocol::Id& org_id,
                                               const protocol::Id& nonce, std::int64_t expires_ms,
                                               std::int64_t now_ms, Done done) = 0;

  /// The same changes, waiting for the commit (for the development deployment and tests).
  template <class Change>
  [[nodiscard]] sqlite::Result<void> wait(Change&& change);

  /// Grows after every committed approval or removal of a device. A connection compares it with
  /// the value it saw last and looks its device up again only when it moved, so a removal takes
  /// effect on open connections at their next request without a lookup per request.
  [[nodiscard]] virtual std::uint64_t device_generation() const noexcept = 0;
};

/// The SQLite directory on the hub's Storage.
class SqliteDirectory final : public Directory {
 public:
  explicit SqliteDirectory(std::shared_ptr<Storage> storage) : storage_(std::move(storage)) {}

  // Reads. Every one that is not public directory data is scoped by the caller's organisation.
  [[nodiscard]] sqlite::Result<Organisation> organisation(const protocol::Id& org_id) override;
  [[nodiscard]] sqlite::Result<std::vector<Organisation>> organisations() override;
  [[nodiscard]] sqlite::Result<Device> device(const protocol::Id& device_id) override;
  [[nodiscard]] sqlite::Result<std::vector<Device>> devices(const protocol::Id& org_id,
                                                            DeviceState state) override;
  [[nodiscard]] sqlite::Result<Mailbox> mailbox(const protocol::Id& mailbox_id) override;
  [[nodiscard]] sqlite::Result<std::vector<Mailbox>> all_mailboxes() override;
  [[nodiscard]] sqlite::Result<std::vector<Mailbox>> mailboxes(const protocol::Id& org_id) override;
  /// Whether the device is an enrolled member of the mailbox's current epoch.
  [[nodiscard]] sqlite::Result<bool> is_member(const protocol::Id& mailbox_id,
                                               const protocol::Id& device_id) override;
  [[nodiscard]] sqlite::Result<EpochKeys> epoch_keys(const protocol::Id& mailbox_id,
                                                     std::uint32_t epoch,
                                                     const protocol::Id& device_id) override;

  // Changes, each checked and written in one transaction with its audit row. `done` runs after
  // COMMIT; false when the writer's queue is full (nothing happens, `done` is not called).
  [[nodiscard]] bool add_organisation(const Organisation& organisation, std::int64_t at_ms,
                                      Done done) override;
  [[nodiscard]] bool change_organisation_profile(const protocol::Id& org_id,
                                                 OrganisationProfileChange change,
                                                 std::int64_t at_ms, Done done) override;
  [[nodiscard]] bool request_enrolment(const Device& request, Done done) override;
  [[nodiscard]] bool approve_enrolment(const Actor& admin, const protocol::Id& device_id,
                                       std::vector<std::uint8_t> certificate, std::int64_t at_ms,
                                       Done done) override;
  [[nodiscard]] bool remove_device(const Actor& admin, const protocol::Id& device_id,
                                   std::int64_t at_ms, Done done) override;
  [[nodiscard]] bool change_mailbox(const Actor& admin, EpochChange change, std::int64_t at_ms,
                                    Done done) override;
  [[nodiscard]] bool rename_mailbox(const Actor& admin, const protocol::Id& mailbox_id,
                                    std::string name, std::int64_t at_ms, Done done) override;
  [[nodiscard]] bool claim_admin_nonce(const protocol::Id& org_id, const protocol::Id& nonce,
                                       std::int64_t expires_ms, std::int64_t now_ms,
                                       Done done) override;

  [[nodiscard]] std::uint64_t device_generation() const noexcept override {
    return device_generation_->load(std::memory_order_acquire);
  }

 private:
  Done counting(Done done);

  std::shared_ptr<Storage> storage_;
  std::shared_ptr<std::atomic<std::uint64_t>> device_generation_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
};

template <class Change>
sqlite::Result<void> Directory::wait(Change&& change) {
  std::promise<sqlite::Result<void>> promise;
  auto future = promise.get_future();
  if (!change([&promise](sqlite::Result<void> result) { promise.set_value(result); })) {
    return make_error_code(sqlite::errc::busy);
  }
  return future.get();
}

}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::directory_errc> : std::true_type {};
}  // namespace boost::system
