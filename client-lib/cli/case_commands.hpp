#pragma once

// Onthaal triage from the command line (docs/WORKFLOW.md, "Onthaal triage"):
//   case assign CASE --to STAFF_ID | case vraagverheldering CASE | case track CASE TRACK
//   case close CASE --reason R | case delay CASE --reason R | case link CASE --consent|--referral
//   ID case show CASE | cases [--state S] [--assignee STAFF_ID] [--priority P] [--overdue] signalen
//   (a school) | report [--csv] (the CLB director)

#include <draaischijf/client/client.hpp>

#include "common.hpp"
#include "options.hpp"

namespace draaischijf::cli {

/// case assign|vraagverheldering|track|close|delay|link|show CASE ...
[[nodiscard]] int case_command(client::Client& client, const Context& context,
                               const Arguments& args);
[[nodiscard]] int cases_command(client::Client& client, const Context& context,
                                const Arguments& args);
[[nodiscard]] int signalen_command(client::Client& client, const Context& context,
                                   const Arguments& args);
[[nodiscard]] int report_command(client::Client& client, const Context& context,
                                 const Arguments& args);

}  // namespace draaischijf::cli
