#pragma once

// `draaischijf-hub pki ...`: the operator's commands for the hub PKI (certs/authority.hpp):
// create the root, the server certificate, organisation CAs and device certificates, revoke,
// and publish CRLs. Exit codes: 0 done, 1 failed, 2 usage error.

#include <iosfwd>
#include <string_view>
#include <vector>

namespace draaischijf::server {

[[nodiscard]] int pki_command(const std::vector<std::string_view>& args, std::ostream& out,
                              std::ostream& err);

}  // namespace draaischijf::server
