#pragma once

// The witness's TLS identity: a self-signed P-256 certificate that init makes, for the logs that
// submit to it to pin (the hub's [[witness]] certificate). A witness behind a public name can use
// a certificate from any CA instead; the files are just PEM.

#include <filesystem>
#include <string>
#include <vector>

namespace draaischijf::witness {

/// Writes `key_path` (mode 0600) and `certificate_path` for the host names and IP addresses in
/// `hosts`, valid ten years. Throws std::runtime_error (it is a command, not a request path).
void write_self_signed(const std::filesystem::path& certificate_path,
                       const std::filesystem::path& key_path,
                       const std::vector<std::string>& hosts);

}  // namespace draaischijf::witness
