#include <draaischijf/protocol/log_view.hpp>

namespace draaischijf::protocol {

Result<void> check_extends(const note::Checkpoint& seen, const note::Checkpoint& next,
                           std::span<const merkle::Hash> proof) {
  if (seen.origin != next.origin) {
    return tlog_errc::checkpoint_wrong_origin;
  }
  if (next.size < seen.size) {
    return tlog_errc::log_rollback;
  }
  if (seen.size == 0) {
    // Every tree extends the empty one, whose head is fixed: a different "empty" head is a lie.
    if (seen.root != merkle::empty_root() || !proof.empty()) {
      return tlog_errc::log_fork;
    }
    return {};
  }
  if (!merkle::verify_consistency(seen.size, next.size, proof, seen.root, next.root)) {
    return tlog_errc::log_fork;
  }
  return {};
}

Result<void> check_included(const note::Checkpoint& checkpoint, std::span<const std::uint8_t> entry,
                            std::uint64_t index, std::span<const merkle::Hash> proof) {
  return merkle::verify_inclusion(merkle::leaf_hash(entry), index, checkpoint.size, proof,
                                  checkpoint.root);
}

}  // namespace draaischijf::protocol
