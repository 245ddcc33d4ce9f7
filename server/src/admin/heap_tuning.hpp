#pragma once

// glibc's heap settings for the hub process, set once at startup before any thread runs.

#include <draaischijf/server/core/log.hpp>

namespace draaischijf::server {

/// Keeps freed heap memory in the process instead of trimming it back to the kernel after
/// every job (see heap_tuning.cpp). Left to glibc when GLIBC_TUNABLES sets either threshold,
/// so an operator can choose other values (or glibc's defaults) without a rebuild.
void tune_heap(Logger& log);

}  // namespace draaischijf::server
