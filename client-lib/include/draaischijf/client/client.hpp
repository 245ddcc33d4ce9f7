#pragma once

// A device at work: one Session and its parts, for CLB, school and partner software that wants
// all of them. Every key, device and epoch the hub serves is verified against the pinned
// organisation keys before use; envelopes are sealed on the device and opened on the device.
//
//   auto profile = Profile::open(dir).value();
//   auto client = Client::open(profile, Unlock::with_key_file(key).value()).value();
//   client.outbox().send({.kind = MessageKind::signaal, .recipients = {onthaal}, ...});
//   client.inbox().sync();               // fetch, verify, store; tells the hub "delivered"
//   for (auto& m : client.inbox().list(true).value()) { client.inbox().read(m.mailbox_id, ...); }
//
// The parts, each its own header and usable on its own over a Session:
//   directory()        Directory        the verified directory, pinning (directory.hpp)
//   outbox()           Outbox           pre-check, attachments, seal, submit; second approvals
//   inbox()            Inbox            sync, follow, read, attachments, acknowledge, status
//   administration()   Administration   enrolment, member removal, rotation, key export
//   consent_registry() ConsentRegistry  consent records and the disclosure register
//                                       (include consent_registry.hpp to use it)
//   cases()            Cases            onthaal triage, the school's signalen, the report
//                                       (include cases.hpp to use it)
//
// The one-line methods below the parts are shorthands kept from before the split (the same
// calls as on the parts); new code uses the parts. The two approvals exist only on their
// parts: Outbox::approve_message and Administration::approve_enrolment.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <draaischijf/client/administration.hpp>
#include <draaischijf/client/directory.hpp>
#include <draaischijf/client/inbox.hpp>
#include <draaischijf/client/outbox.hpp>
#include <draaischijf/client/session.hpp>
#include <draaischijf/client/types.hpp>

namespace draaischijf::client {

class ConsentRegistry;  // consent_registry.hpp
class Cases;            // cases.hpp

class Client {
 public:
  [[nodiscard]] static protocol::Result<Client> open(const Profile& profile, const Unlock& unlock,
                                                     SessionOptions options = {});
  [[nodiscard]] static protocol::Result<Client> open(const Profile& profile, const Unlock& unlock,
                                                     RetryPolicy retry) {
    return open(profile, unlock, SessionOptions{.retry = retry});
  }
  /// For tests that put a stand-in between the client and the hub.
  [[nodiscard]] static protocol::Result<Client> open_with(
      const Profile& profile, DeviceSecrets secrets, std::unique_ptr<HubTransport> hub,
      const protocol::Clock& clock = protocol::system_clock());

  /// Another client of the device `copy` was taken from (`client.session().copy()`), for
  /// another thread: Session::open_copy.
  [[nodiscard]] static protocol::Result<Client> open_copy(SessionCopy copy,
                                                          const RetryPolicy& retry = {});

  [[nodiscard]] Session& session() noexcept { return session_; }
  [[nodiscard]] Directory directory() noexcept { return Directory{session_}; }
  [[nodiscard]] Outbox outbox() noexcept { return Outbox{session_}; }
  [[nodiscard]] Inbox inbox() noexcept { return Inbox{session_}; }
  [[nodiscard]] Administration administration() noexcept { return Administration{session_}; }
  [[nodiscard]] ConsentRegistry consent_registry() noexcept;
  /// Onthaal triage: cases, the school's signalen, the report (cases.hpp).
  [[nodiscard]] Cases cases() noexcept;

  [[nodiscard]] const DeviceSecrets& device() const noexcept { return session_.device(); }
  [[nodiscard]] const TrustFile& trust() const noexcept { return session_.trust(); }
  /// Session::last_problem.
  [[nodiscard]] const HubProblem& last_problem() const noexcept { return session_.last_problem(); }
  void set_progress(ProgressCallback progress) { session_.set_progress(std::move(progress)); }

  // Shorthands (see the parts for what each does).
  void set_policy_check(PolicyCheck check) { outbox().set_policy_check(std::move(check)); }
  [[nodiscard]] protocol::Result<PolicyCheckStatus> policy_check_status() {
    return outbox().policy_check_status();
  }
  [[nodiscard]] protocol::Result<SendResult> send(Composition composition) {
    return outbox().send(std::move(composition));
  }
  [[nodiscard]] protocol::Result<std::vector<DirectoryOrganisation>> organisations() {
    return directory().organisations();
  }
  [[nodiscard]] protocol::Result<std::vector<DirectoryMailbox>> mailboxes(const protocol::Id& org) {
    return directory().mailboxes(org);
  }
  [[nodiscard]] protocol::Result<protocol::DeviceCertificate> device_certificate(
      const protocol::Id& device_id) {
    return directory().device_certificate(device_id);
  }
  [[nodiscard]] protocol::Result<protocol::MailboxEpochCertificate> mailbox_certificate(
      const protocol::Id& mailbox_id) {
    return directory().mailbox_certificate(mailbox_id);
  }
  [[nodiscard]] protocol::Result<void> pin_organisation(const protocol::Id& org_id,
                                                        std::string_view expected_fingerprint,
                                                        PinMode mode = PinMode::only_new) {
    return directory().pin_organisation(org_id, expected_fingerprint, mode);
  }
  [[nodiscard]] protocol::Result<void> pin_policy_key(const protocol::SigningPublicKey& key,
                                                      PinMode mode = PinMode::only_new) {
    return directory().pin_policy_key(key, mode);
  }
  [[nodiscard]] protocol::Result<SyncReport> sync() { return inbox().sync(); }
  [[nodiscard]] protocol::Result<std::vector<InboxEntry>> inbox(bool unread_only) {
    return inbox().list(unread_only);
  }
  [[nodiscard]] protocol::Result<void> follow(const std::function<void(const SyncReport&)>& on_sync,
                                              const FollowOptions& options = {}) {
    return inbox().follow(on_sync, options);
  }
  [[nodiscard]] protocol::Result<InboxEntry> find(std::int64_t sequence) {
    return inbox().find(sequence);
  }
  [[nodiscard]] protocol::Result<ReadMessage> read(const protocol::Id& mailbox_id,
                                                   std::int64_t sequence) {
    return inbox().read(mailbox_id, sequence);
  }
  [[nodiscard]] protocol::Result<std::uint64_t> save_attachment(const protocol::Id& mailbox_id,
                                                                std::int64_t sequence,
                                                                std::size_t index,
                                                                const std::filesystem::path& target,
                                                                bool replace_existing = false) {
    return inbox().save_attachment(mailbox_id, sequence, index, target, replace_existing);
  }
  [[nodiscard]] protocol::Result<void> acknowledge(const protocol::Id& mailbox_id,
                                                   std::int64_t sequence) {
    return inbox().acknowledge(mailbox_id, sequence);
  }
  [[nodiscard]] protocol::Result<std::vector<DeliveryState>> status(
      const protocol::Id& message_id) {
    return inbox().status(message_id);
  }
  [[nodiscard]] protocol::Result<void> request_enrolment(
      std::optional<protocol::Id> claimed_person = std::nullopt) {
    return administration().request_enrolment(claimed_person);
  }
  [[nodiscard]] protocol::Result<std::vector<PendingDevice>> pending_enrolments() {
    return administration().pending_enrolments();
  }
  [[nodiscard]] protocol::Result<std::vector<protocol::Id>> remove_member(
      const protocol::Id& device_id) {
    return administration().remove_member(device_id);
  }
  [[nodiscard]] protocol::Result<std::uint32_t> rotate(const protocol::Id& mailbox_id,
                                                       std::vector<protocol::Id> members = {}) {
    return administration().rotate(mailbox_id, std::move(members));
  }
  [[nodiscard]] protocol::Result<protocol::age::X25519Identity> export_mailbox_key(
      const protocol::Id& mailbox_id, std::uint32_t epoch) {
    return administration().export_mailbox_key(mailbox_id, epoch);
  }

 private:
  explicit Client(Session session) noexcept : session_(std::move(session)) {}
  Session session_;
};

}  // namespace draaischijf::client
