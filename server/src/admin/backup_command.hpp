#pragma once

// The operator's data commands (store/backup.hpp does the work):
//
//   backup --config FILE DIR            a consistent copy of the database and blobs while the
//                                       hub serves, with manifest.json
//   verify DIR                          checks a backup; one line per problem
//   restore --config FILE [--force] DIR verifies DIR, then restores it into server.data_dir
//
// Exit codes: 0 done (verify: sound), 1 refused or failed (verify: problems), 2 usage error.

#include <iosfwd>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/clock.hpp>

namespace draaischijf::server {

/// `args` start with the command's name ("backup", "verify" or "restore").
[[nodiscard]] int backup_command(const std::vector<std::string_view>& args, std::ostream& out,
                                 std::ostream& err,
                                 const protocol::Clock& clock = protocol::system_clock());

}  // namespace draaischijf::server
