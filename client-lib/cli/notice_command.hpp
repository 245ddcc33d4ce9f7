#pragma once

// draaischijf notices [ack ID]: the hub's signed notices (docs/WORKFLOW.md, "Notices").

#include <draaischijf/client/client.hpp>

#include "common.hpp"
#include "options.hpp"

namespace draaischijf::cli {

/// Lists the notices this device may see, each verified against the pinned hub key (exit 4
/// when one does not verify); `notices ack ID` acknowledges one.
[[nodiscard]] int notices_command(client::Client& client, const Context& context,
                                  const Arguments& args);

}  // namespace draaischijf::cli
