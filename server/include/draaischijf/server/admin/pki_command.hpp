#pragma once

// The operator's commands. `draaischijf-hub pki ...` keeps the hub PKI (certs/authority.hpp):
// create the root, the server certificate, organisation CAs and device certificates, revoke,
// and publish CRLs. `draaischijf-hub org add|enrol-admin ...` registers an organisation and
// enrols its first admin device.
// Exit codes: 0 done, 1 failed, 2 usage error.

#include <iosfwd>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/clock.hpp>

namespace draaischijf::server {

[[nodiscard]] int pki_command(const std::vector<std::string_view>& args, std::ostream& out,
                              std::ostream& err,
                              const protocol::Clock& clock = protocol::system_clock());

/// `draaischijf-hub org add --config FILE --request FILE --fingerprint F` registers an
/// organisation from its signed registration request (protocol/registration.hpp) once the
/// operator has compared the key's fingerprint out of band; `org enrol-admin --config FILE
/// --certificate FILE --fingerprint F` enrols its first admin device (src/admin/org_command.cpp).
/// Both work beside a running hub: the change goes through SQLite's locking like any other
/// writer.
[[nodiscard]] int org_command(const std::vector<std::string_view>& args, std::ostream& out,
                              std::ostream& err,
                              const protocol::Clock& clock = protocol::system_clock());

}  // namespace draaischijf::server
