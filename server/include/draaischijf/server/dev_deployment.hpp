#pragma once

// The embedded development deployment: started without a configuration file, the hub creates
// (once) a complete test PKI in its data directory — a hub root CA, the server certificate and
// three demo organisations (a CLB, a basisschool, a CAW), each with its CA and one enrolled
// device — and serves with it on 127.0.0.1:8443. Nothing here is fit for production: the keys
// are generated on the spot and protected by file modes only.

#include <filesystem>
#include <string>
#include <vector>

#include <draaischijf/server/config.hpp>
#include <draaischijf/server/hub.hpp>

namespace draaischijf::server {

struct DevOrganisation {
  std::string slug;  // folder name: clb, school, caw
  std::string name;
  std::string type;  // vocabulary name
  std::string role;  // the demo device's role
  std::string org_id;
  std::string device_id;
};

/// The demo organisations of the development deployment.
[[nodiscard]] std::vector<DevOrganisation> dev_organisations();

/// Creates the PKI under `dir` unless it is already there, then returns the listener material.
/// Files: root.pem, server.pem, server.key, and <slug>/{ca.pem, device.pem, device.key,
/// id.txt}. Throws std::runtime_error (startup) when files cannot be written or read.
[[nodiscard]] TlsMaterial ensure_dev_pki(const std::filesystem::path& dir,
                                         const std::vector<std::string>& server_names);

}  // namespace draaischijf::server
