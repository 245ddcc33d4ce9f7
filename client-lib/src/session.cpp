#include <draaischijf/client/session.hpp>

#include "session_state.hpp"

namespace draaischijf::client {

using protocol::Result;

std::string categories_text(protocol::CategorySet categories) {
  std::string out;
  for (const auto& entry : protocol::data_categories()) {
    if (categories.contains(entry.value)) {
      out += (out.empty() ? "" : ",") + std::string(entry.name);
    }
  }
  return out;
}

Session::Session(std::unique_ptr<detail::SessionState> state) : state_(std::move(state)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Result<Session> Session::open(const Profile& profile, const Unlock& unlock,
                              SessionOptions options) {
  auto secrets = open_key_store(profile.key_store(), unlock);
  if (!secrets) {
    return secrets.error();
  }
  auto connection = HubConnection::open(profile.settings().hub, profile.tls(), options.retry);
  if (!connection) {
    return connection.error();
  }
  return open_with(profile, std::move(*secrets),
                   std::make_unique<HubConnection>(std::move(*connection)),
                   options.clock != nullptr ? *options.clock : protocol::system_clock());
}

Result<Session> Session::open_with(const Profile& profile, DeviceSecrets secrets,
                                   std::unique_ptr<HubTransport> hub,
                                   const protocol::Clock& clock) {
  const auto text = read_small_file(profile.trust_file());
  if (!text) {
    return make_error_code(client_errc::profile_invalid);
  }
  auto trust = TrustFile::parse(*text);
  if (!trust) {
    return trust.error();  // trust_file_invalid: never fall back to a partial trust
  }
  auto state = LocalState::open(profile.state_file());
  if (!state) {
    return state.error();
  }
  return Session(std::make_unique<detail::SessionState>(
      profile, std::move(secrets), std::move(*trust), std::move(hub), std::move(*state), clock));
}

namespace {

// The same keys in objects of their own: each wipes its copy when it goes.
DeviceSecrets copy_of(const DeviceSecrets& secrets) {
  DeviceSecrets out{secrets.org_id,
                    secrets.device_id,
                    secrets.staff_id,
                    secrets.role,
                    protocol::SigningKey::from_seed(secrets.signing.expose_seed()),
                    protocol::age::X25519Identity::from_secret(
                        protocol::SecretKey<32>::copy_of(secrets.encryption.secret().expose())),
                    std::nullopt};
  if (secrets.organisation) {
    out.organisation = protocol::SigningKey::from_seed(secrets.organisation->expose_seed());
  }
  return out;
}

}  // namespace

SessionCopy Session::copy() const {
  return {state_->profile, copy_of(state_->secrets), &state_->clock};
}

Result<Session> Session::open_copy(SessionCopy copy, const RetryPolicy& retry) {
  auto connection = HubConnection::open(copy.profile.settings().hub, copy.profile.tls(), retry);
  if (!connection) {
    return connection.error();
  }
  return open_with(copy.profile, std::move(copy.secrets),
                   std::make_unique<HubConnection>(std::move(*connection)), *copy.clock);
}

const DeviceSecrets& Session::device() const noexcept { return state_->secrets; }
const TrustFile& Session::trust() const noexcept { return state_->trust; }
const protocol::Clock& Session::clock() const noexcept { return state_->clock; }
const HubProblem& Session::last_problem() const noexcept { return state_->problem; }
void Session::set_progress(ProgressCallback progress) { state_->progress = std::move(progress); }

}  // namespace draaischijf::client
