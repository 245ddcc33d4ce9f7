#include "admin/heap_tuning.hpp"

#include <cstdint>
#include <cstdlib>
#include <malloc.h>
#include <string_view>

namespace draaischijf::server {
namespace {

// The writer frees SQLite's in-memory statement journal (about 64 KiB) after every job's
// savepoint; with glibc's default trim threshold (128 KiB, adjusted upwards only by freed
// mmap chunks) the heap top then shrinks with madvise(MADV_DONTNEED) and the next job faults
// the pages back in. On a guest with page-table isolation each such madvise costs a TLB flush
// on the other core plus the faults, about 0.3 ms (docs/BENCHMARKS.md). 64 MiB of free heap
// kept is far above what the hub's peaks free at once and small next to its page cache.
constexpr int kTrimThreshold = 64 << 20;
// Setting the trim threshold switches off glibc's dynamic mmap threshold, which would
// otherwise stay at 128 KiB: every larger buffer (a 64 KiB envelope with its HTTP framing,
// an attachment window) would be a fresh mmap and munmap, with the same TLB flush. Up to
// 4 MiB comes from the heap.
constexpr int kMmapThreshold = 4 << 20;

bool tunables_set_thresholds() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables == nullptr) {
    return false;
  }
  const std::string_view text(tunables);
  return text.find("glibc.malloc.trim_threshold") != std::string_view::npos ||
         text.find("glibc.malloc.mmap_threshold") != std::string_view::npos;
}

}  // namespace

void tune_heap(Logger& log) {
  if (tunables_set_thresholds()) {
    log.info("heap.tuning", {{"source", "GLIBC_TUNABLES"}});
    return;
  }
  if (mallopt(M_MMAP_THRESHOLD, kMmapThreshold) != 1 ||
      mallopt(M_TRIM_THRESHOLD, kTrimThreshold) != 1) {
    log.warning("heap.tuning", {{"source", "glibc defaults"}, {"reason", "mallopt refused"}});
    return;
  }
  log.info("heap.tuning", {{"source", "hub"},
                           {"trim_threshold", std::int64_t{kTrimThreshold}},
                           {"mmap_threshold", std::int64_t{kMmapThreshold}}});
}

}  // namespace draaischijf::server
