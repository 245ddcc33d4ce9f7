#pragma once

// The operator's commands for what the directory says beyond keys (directory_command.cpp):
//
//   org set --config FILE --org-id HEX [--province P] [--municipality M] [--offer X]...
//           [--clb ORG_ID|none]
//       records where an organisation works, what a partner offers and a school's own CLB,
//       each change with its audit row (organisation.profile).
//   org remove ORG_ID --config FILE --reason REASON
//       removes an organisation from the hub for good (store/organisation_removal.hpp): its
//       devices are refused, its mailboxes take nothing, its id is never used again; the next
//       directory bundle lists it as removed.
//   directory bundle --config FILE --key POLICY_SIGNING_KEY --out BUNDLE
//       signs every organisation of the directory into a bundle with the operator key
//       (protocol/directory_bundle.hpp), under the next sequence number.
//
// Exit codes: 0 done, 1 refused or failed, 2 usage error.

#include <iosfwd>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/clock.hpp>

namespace draaischijf::server {

/// `args` are the words after "org" ("set", then the options).
[[nodiscard]] int org_set_command(const std::vector<std::string_view>& args, std::ostream& out,
                                  std::ostream& err,
                                  const protocol::Clock& clock = protocol::system_clock());

/// `args` are the words after "org" ("remove", the organisation id, then the options).
[[nodiscard]] int org_remove_command(const std::vector<std::string_view>& args, std::ostream& out,
                                     std::ostream& err,
                                     const protocol::Clock& clock = protocol::system_clock());

/// `args` are the words after "directory" ("bundle", then the options).
[[nodiscard]] int directory_bundle_command(const std::vector<std::string_view>& args,
                                           std::ostream& out, std::ostream& err,
                                           const protocol::Clock& clock = protocol::system_clock());

}  // namespace draaischijf::server
