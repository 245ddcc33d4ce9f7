#pragma once

// The authenticated caller, mapped from its client certificate by the transport (net/) before
// any handler runs; the API and the policy gate read it, never build it.

#include <string>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::server {

struct Caller {
  protocol::Id org_id{};
  protocol::Id device_id{};
  protocol::OrgType org_type = protocol::OrgType::clb;
  std::string role;  // vocabulary name from the certificate
  bool admin = false;
  bool enrolled = false;  // the device has an end-to-end certificate in the directory
};

}  // namespace draaischijf::server
