#pragma once

// The operator's commands. `draaischijf-hub pki ...` keeps the hub PKI (certs/authority.hpp):
// create the root, the server certificate, organisation CAs and device certificates, revoke,
// and publish CRLs. `draaischijf-hub org add ...` registers an organisation in the directory.
// Exit codes: 0 done, 1 failed, 2 usage error.

#include <iosfwd>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/clock.hpp>

namespace draaischijf::server {

[[nodiscard]] int pki_command(const std::vector<std::string_view>& args, std::ostream& out,
                              std::ostream& err,
                              const protocol::Clock& clock = protocol::system_clock());

/// `draaischijf-hub org add --config FILE --org-id HEX --org-type TYPE --name NAME
/// --signing-key BASE64`: registers an organisation and the Ed25519 key that signs its
/// end-to-end certificates (verified with the organisation out of band). Works beside a running
/// hub: the change goes through SQLite's locking like any other writer.
[[nodiscard]] int org_command(const std::vector<std::string_view>& args, std::ostream& out,
                              std::ostream& err,
                              const protocol::Clock& clock = protocol::system_clock());

}  // namespace draaischijf::server
