#pragma once

// One device's working state, shared by the parts of the library: the profile, the unlocked
// keys, the pinned trust, the local store (state.sqlite), the connection to the hub, the clock,
// and what the parts learnt and keep for the session (verified mailbox keys, this device's own
// certificate, the policy rule set). The parts (Directory, Outbox, Inbox, Administration,
// ConsentRegistry) are handles over one Session and may be used on their own, e.g. by a web
// inbox that never sends:
//
//   auto session = Session::open(profile, Unlock::with_key_file(key).value()).value();
//   Inbox inbox{session};
//   inbox.sync();
//   for (const auto& m : inbox.list(true).value()) { auto read = inbox.read(m.mailbox_id, ...); }
//
// A Session must outlive the parts made over it; moving the Session does not invalidate them.
// Not thread-safe: one thread at a time uses a session and its parts; another thread opens a
// session of its own (copy, open_copy).

#include <memory>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/hub_connection.hpp>
#include <draaischijf/client/key_store.hpp>
#include <draaischijf/client/profile.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/client/types.hpp>
#include <draaischijf/protocol/clock.hpp>

namespace draaischijf::client {

namespace detail {
/// The shared state itself; defined inside the library only.
struct SessionState;
}  // namespace detail

/// What another session of the same device needs, taken from an open one (Session::copy): the
/// profile, a copy of the unlocked keys and the clock. It is taken on the session's own thread
/// and opened (Session::open_copy) on another, which connects to the hub and the local store
/// itself, so the session's thread never waits for that connection.
struct SessionCopy {
  Profile profile;
  DeviceSecrets secrets;
  const protocol::Clock* clock = &protocol::system_clock();
};

struct SessionOptions {
  /// Reconnection of the hub connection.
  RetryPolicy retry{};
  /// Where certificate validity, envelope and approval timestamps, read times and the policy's
  /// date come from; must outlive the session.
  const protocol::Clock* clock = &protocol::system_clock();
};

class Session {
 public:
  /// Opens the key store with `unlock` and connects to the profile's hub.
  [[nodiscard]] static protocol::Result<Session> open(const Profile& profile, const Unlock& unlock,
                                                      SessionOptions options = {});
  /// For tests that put a stand-in between the client and the hub.
  [[nodiscard]] static protocol::Result<Session> open_with(
      const Profile& profile, DeviceSecrets secrets, std::unique_ptr<HubTransport> hub,
      const protocol::Clock& clock = protocol::system_clock());
  /// Another session of the device `copy` was taken from: a hub connection, a connection to
  /// the local store and caches of its own (the trust file is read again). For work on another
  /// thread beside this one, e.g. a web inbox's sync while its first thread answers the page;
  /// the two share only the local store, which SQLite serialises (WAL, one writer at a time,
  /// cursors that only move forward).
  [[nodiscard]] static protocol::Result<Session> open_copy(SessionCopy copy,
                                                           const RetryPolicy& retry = {});
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  [[nodiscard]] const DeviceSecrets& device() const noexcept;
  [[nodiscard]] const TrustFile& trust() const noexcept;
  [[nodiscard]] const protocol::Clock& clock() const noexcept;
  /// The hub's problem document behind the last client_errc::hub_refused, policy_refused (also
  /// of the pre-check: status 0) or consent_invalid, whichever part met it.
  [[nodiscard]] const HubProblem& last_problem() const noexcept;
  /// What open_copy needs to open another session of this device; the keys are copied (each
  /// copy wipes itself). Taken on this session's thread.
  [[nodiscard]] SessionCopy copy() const;
  /// Called as attachments go up (Outbox::send) and come down (Inbox::save_attachment).
  void set_progress(ProgressCallback progress);

  /// For the parts; the type is complete inside the library only.
  [[nodiscard]] detail::SessionState& state() noexcept { return *state_; }

 private:
  explicit Session(std::unique_ptr<detail::SessionState> state);
  std::unique_ptr<detail::SessionState> state_;
};

}  // namespace draaischijf::client
