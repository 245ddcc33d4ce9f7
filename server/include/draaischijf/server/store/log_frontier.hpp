#pragma once

// The right edge of a transparency log, kept in memory for the length of one write transaction
// (docs/TRANSPARENCY.md "How the hub keeps them"): append_log_entry reads it once per group
// commit and then appends with hashing and INSERTs only. It lives in the connection's
// sqlite::TransactionMemo, which COMMIT, ROLLBACK and every ROLLBACK TO drop.

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/server/store/sqlite.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

namespace draaischijf::server {

/// The right edge of a log of size() entries: for each bit k set in the size, the hash of the
/// complete subtree of 2^k entries that the higher bits leave room for. That is everything an
/// append needs (the left siblings it completes) and everything the tree head is made of.
class LogFrontier {
 public:
  /// Reads the size and the popcount(size) subtree hashes of the edge from the stored tree.
  [[nodiscard]] static sqlite::Result<LogFrontier> load(sqlite::Database& db, LogId log);

  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  /// The hash of the edge's subtree at `level`, when the size has that bit set.
  [[nodiscard]] std::optional<protocol::merkle::Hash> at(unsigned level) const;
  /// The RFC 6962 tree head of the size() entries.
  [[nodiscard]] protocol::merkle::Hash root() const;
  /// Takes in the subtrees that appending entry number size() completed
  /// (protocol::merkle::complete_with), which the caller has stored.
  void advance(std::span<const protocol::merkle::CompletedSubtree> completed);

  bool operator==(const LogFrontier& other) const;

 private:
  std::uint64_t size_ = 0;
  std::array<protocol::merkle::Hash, 64> edge_{};  // by level; meaningful where size_ has a bit
};

/// The index the next append_log_entry() on `log` will return (the log's size), from the kept
/// frontier when there is one: what an audit row binds as its `record_index` before its entry
/// is appended.
[[nodiscard]] sqlite::Result<std::uint64_t> next_log_index(sqlite::Database& db, LogId log);

/// The frontier the open transaction keeps in memory for `log`, if any (for tests and checks).
[[nodiscard]] std::optional<LogFrontier> kept_log_frontier(const sqlite::Database& db, LogId log);

/// Whether a bench build was told to append nothing (DRAAISCHIJF_BENCH_TRANSPARENCY_LOGS=off,
/// read only when built with the CMake option DRAAISCHIJF_BENCH_SWITCHES, as the `bench` preset
/// is): always false in any other build. Such a hub says so on stderr at its first append.
[[nodiscard]] bool transparency_logs_switched_off();

}  // namespace draaischijf::server
