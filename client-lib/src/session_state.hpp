#pragma once

// What a Session holds, shared by the library's parts (directory.cpp, outbox.cpp, inbox.cpp,
// administration.cpp, consent_registry.cpp): the hub connection with the last refusal
// (HubSession), the profile, keys, trust and local store, the clock, and what the session
// learnt and keeps (verified mailbox keys, the recipients' facts for the pre-check, this
// device's own certificate). Each part keeps no state of its own, so any number of handles over
// one session see the same caches.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <draaischijf/client/session.hpp>
#include <draaischijf/protocol/clock.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/protocol/pupil.hpp>

#include "hub_session.hpp"
#include "local_state.hpp"
#include "policy_client.hpp"

namespace draaischijf::client {

// What a device learns about a mailbox by walking its epochs.
struct MailboxKeys {
  protocol::MailboxEpochCertificate current;
  std::vector<protocol::Id> members;        // of the current epoch, checked against its hash
  std::optional<protocol::EpochSeed> seed;  // of the current epoch, when this device has it
  protocol::MailboxKeyring keyring;
};

namespace detail {

struct SessionState : HubSession {
  SessionState(Profile profile_, DeviceSecrets secrets_, TrustFile trust_,
               std::unique_ptr<HubTransport> hub_, LocalState state_, const protocol::Clock& clock_)
      : HubSession{std::move(hub_), {}},
        profile(std::move(profile_)),
        secrets(std::move(secrets_)),
        trust(std::move(trust_)),
        state(std::move(state_)),
        clock(clock_),
        policies(*this, clock_) {}

  Profile profile;
  DeviceSecrets secrets;
  TrustFile trust;
  LocalState state;
  const protocol::Clock& clock;
  PolicyCheck policy;  // the caller's own check before the engine's (Outbox::set_policy_check)
  PolicyClient policies;
  ProgressCallback progress;
  std::map<protocol::Id, std::shared_ptr<MailboxKeys>> keys;
  std::map<protocol::Id, RecipientFacts> recipient_facts_seen;  // for the pre-check, per mailbox
  std::optional<protocol::DeviceCertificate> own;               // this device's, once verified
  std::optional<protocol::PupilKey> pupil_key;                  // the organisation's, once opened
  // Transparency logs (directory_log.hpp): the checkpoints accepted in this session, by log
  // name, and what was proved to be in the directory log (also kept in the local state).
  std::map<std::string, protocol::note::Checkpoint, std::less<>> checkpoints;
  std::set<std::vector<std::uint8_t>> logged;

  [[nodiscard]] std::uint64_t now_seconds() const noexcept {
    return static_cast<std::uint64_t>(clock.now_ms() / 1000);
  }
  /// Makes `changed` the trust: the file first (written atomically), then the copy in memory,
  /// so the two change together or not at all.
  [[nodiscard]] protocol::Result<void> commit_trust(TrustFile changed) {
    if (auto written = write_file_atomically(profile.trust_file(), changed.to_text()); !written) {
      return written.error();
    }
    trust = std::move(changed);
    return {};
  }
  [[nodiscard]] protocol::Result<void> require_admin() const {
    if (!secrets.organisation) {
      return make_error_code(client_errc::not_an_admin);
    }
    return {};
  }
};

}  // namespace detail

// Small helpers every part uses.
[[nodiscard]] inline std::string hex(std::span<const std::uint8_t> bytes) {
  return protocol::hex_encode(bytes);
}
[[nodiscard]] inline boost::system::error_code tampered() {
  return make_error_code(client_errc::directory_tampered);
}
[[nodiscard]] inline boost::system::error_code invalid_answer() {
  return make_error_code(client_errc::hub_answer_invalid);
}

}  // namespace draaischijf::client
