#pragma once

// `draaischijf-hub log vkeys [--config FILE]`: the origin and note verifier key of each of the
// hub's transparency logs, one "origin vkey" line each, for a witness's [[log]] entries
// (witness/README.md). Reads the hub key in server.data_dir, creating it as the hub would when
// there is none yet, so a witness can be set up before the hub's first start.
// Exit codes: 0 printed, 1 failed, 2 usage error.

#include <iosfwd>
#include <string_view>
#include <vector>

namespace draaischijf::server {

/// `args` are the words after "log".
[[nodiscard]] int log_command(const std::vector<std::string_view>& args, std::ostream& out,
                              std::ostream& err);

}  // namespace draaischijf::server
