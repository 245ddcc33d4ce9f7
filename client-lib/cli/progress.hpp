#pragma once

// The progress bar for attachments going up or down, drawn on stderr when it is a terminal
// (or when DRAAISCHIJF_PROGRESS=1 asks for it), one line per file, redrawn per percent.

#include <draaischijf/client/client.hpp>

namespace draaischijf::cli {

/// Whether to draw: never with --json (scripts read stdout, and stderr stays for errors).
[[nodiscard]] bool progress_wanted(bool json_output);

/// A ProgressCallback drawing on stderr.
[[nodiscard]] client::ProgressCallback progress_bar();

}  // namespace draaischijf::cli
