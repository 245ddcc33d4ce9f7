#include <draaischijf/client/cases.hpp>
#include <draaischijf/client/client.hpp>
#include <draaischijf/client/consent_registry.hpp>

namespace draaischijf::client {

using protocol::Result;

Result<Client> Client::open(const Profile& profile, const Unlock& unlock, SessionOptions options) {
  auto session = Session::open(profile, unlock, options);
  if (!session) {
    return session.error();
  }
  return Client(std::move(*session));
}

Result<Client> Client::open_with(const Profile& profile, DeviceSecrets secrets,
                                 std::unique_ptr<HubTransport> hub, const protocol::Clock& clock) {
  auto session = Session::open_with(profile, std::move(secrets), std::move(hub), clock);
  if (!session) {
    return session.error();
  }
  return Client(std::move(*session));
}

Result<Client> Client::open_copy(SessionCopy copy, const RetryPolicy& retry) {
  auto session = Session::open_copy(std::move(copy), retry);
  if (!session) {
    return session.error();
  }
  return Client(std::move(*session));
}

ConsentRegistry Client::consent_registry() noexcept { return ConsentRegistry{session_}; }

Cases Client::cases() noexcept { return Cases{session_}; }

}  // namespace draaischijf::client
