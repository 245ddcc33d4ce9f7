#pragma once

// The hub's two transparency logs (docs/TRANSPARENCY.md): the directory log (organisation keys,
// mailbox epoch certificates) and the record log (a hash of every audit row). Entries are
// appended by the writer's jobs, in the transaction that stores what they describe
// (append_log_entry); every complete subtree's hash is stored as it completes, so a checkpoint
// or a proof for any size reads O(log n) rows. Checkpoints (C2SP tlog-checkpoint) are signed
// with the hub key when asked for, for the size the log has then: the write path never signs.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server {

class Storage;

enum class LogId : std::int64_t { directory = 1, record = 2 };
[[nodiscard]] std::optional<LogId> parse_log_name(std::string_view name);
[[nodiscard]] std::string_view name_of(LogId log);
/// "draaischijf-hub/<first 8 bytes of the hub key's key id, hex>/<log name>": the checkpoints'
/// origin and note key name.
[[nodiscard]] std::string log_origin(const protocol::SigningPublicKey& hub_key, LogId log);

/// The note key of a log of the hub with `hub_key`: name "draaischijf-hub/<first 8 bytes of the
/// key's key id, hex>/<log name>" (the log's origin), type 0x01. What witnesses are given.
[[nodiscard]] protocol::note::VerifierKey log_verifier(const protocol::SigningPublicKey& hub_key,
                                                       LogId log);

/// The hub stores the hash of a complete subtree only at every kStoredLevelStride-th level
/// (4, 8, 12, ...; C2SP tlog-tiles keeps tiles of height 8 the same way): any other level is
/// rebuilt when read from at most 2^(kStoredLevelStride - 1) rows of the stored level below it,
/// the entries themselves below level 4. An append then writes its entry and, once in 16
/// appends, a node, instead of a leaf hash and a node every time. Level 0 of the directory log
/// is stored as well, for the lookup by leaf hash.
inline constexpr unsigned kStoredLevelStride = 4;
[[nodiscard]] bool stores_subtree(LogId log, unsigned level);

/// Appends `entry` to `log` inside the caller's transaction: its row and the stored subtrees it
/// completes (stores_subtree). Returns its index. A rolled-back job takes all of it back with it.
[[nodiscard]] sqlite::Result<std::uint64_t> append_log_entry(sqlite::Database& db, LogId log,
                                                             std::span<const std::uint8_t> entry,
                                                             std::int64_t at_ms);

/// The number of entries in `log` as `db` sees it.
[[nodiscard]] sqlite::Result<std::uint64_t> log_size(sqlite::Database& db, LogId log);

/// The stored tree of one log as a hash source for protocol::merkle (reads on `db`).
class StoredLogTree final : public protocol::merkle::HashSource {
 public:
  StoredLogTree(sqlite::Database& db, LogId log) : db_(db), log_(log) {}
  [[nodiscard]] protocol::Result<protocol::merkle::Hash> subtree(
      unsigned level, std::uint64_t index) const override;

 private:
  sqlite::Database& db_;
  LogId log_;
};

/// What the API serves of the logs, read on the storage's reading connection.
class TransparencyLogs {
 public:
  /// `hub_key` signs the checkpoints (it outlives this object); the origins are
  /// "draaischijf-hub/<first 8 bytes of the hub key's key id, hex>/<log name>".
  TransparencyLogs(std::shared_ptr<Storage> storage, const protocol::SigningKey& hub_key);

  [[nodiscard]] std::string origin(LogId log) const;
  /// The key a client verifies this log's checkpoints with (name: the origin, type 0x01).
  [[nodiscard]] protocol::note::VerifierKey verifier(LogId log) const;

  /// The checkpoint the API serves: current_checkpoint(), with the cosignature lines the latest
  /// witness round gathered when that round published this very checkpoint (the log has not
  /// grown since).
  [[nodiscard]] sqlite::Result<std::string> checkpoint(LogId log);
  /// The signed checkpoint of the log's current size (a C2SP signed note).
  [[nodiscard]] sqlite::Result<std::string> current_checkpoint(LogId log);
  /// A record-log entry's proof for its sender: the signed checkpoint of the log's current size
  /// (current_checkpoint(), so one signature serves every answer of a group commit) and the
  /// entry's inclusion proof in that tree.
  struct RecordProof {
    std::uint64_t size = 0;
    std::string checkpoint;
    std::vector<protocol::merkle::Hash> proof;
  };
  [[nodiscard]] sqlite::Result<RecordProof> prove_record(std::uint64_t index);
  /// How many checkpoints this hub has signed since it started (every log; the metric
  /// draaischijf_checkpoint_signatures_total).
  [[nodiscard]] std::uint64_t signatures() const noexcept { return signatures_.load(); }
  /// A witness round begins with `note` (a current_checkpoint()): served from now on, so what
  /// clients see only moves forward with the rounds. The same note again keeps its cosignatures.
  void publish_witnessed(LogId log, const std::string& note);
  /// The cosignature line of `witness` (its vkey) for `note`, replacing its earlier one; dropped
  /// when a later round has published another note.
  void add_cosignature(LogId log, const std::string& note, const std::string& witness,
                       std::string line);
  /// protocol::tlog_errc::proof_malformed when index >= size or size is beyond the log.
  [[nodiscard]] sqlite::Result<std::vector<protocol::merkle::Hash>> inclusion(LogId log,
                                                                              std::uint64_t index,
                                                                              std::uint64_t size);
  /// proof_malformed unless 1 <= from <= to <= the log's size.
  [[nodiscard]] sqlite::Result<std::vector<protocol::merkle::Hash>> consistency(LogId log,
                                                                                std::uint64_t from,
                                                                                std::uint64_t to);
  /// The lowest index below `size` whose leaf hash is `leaf`, with its inclusion proof in the
  /// tree of `size` (RFC 6962 get-proof-by-hash); nullopt when no such leaf is in that tree,
  /// proof_malformed when `size` is 0 or beyond the log. Directory log only (the leaf index of
  /// schema version 19 covers it alone).
  struct LeafProof {
    std::uint64_t index = 0;
    std::vector<protocol::merkle::Hash> proof;
  };
  [[nodiscard]] sqlite::Result<std::optional<LeafProof>> find_leaf(
      const protocol::merkle::Hash& leaf, std::uint64_t size);
  /// The entry's bytes; proof_malformed past the end.
  [[nodiscard]] sqlite::Result<std::vector<std::uint8_t>> entry(LogId log, std::uint64_t index);

 private:
  std::shared_ptr<Storage> storage_;
  const protocol::SigningKey& hub_key_;
  std::string origin_prefix_;
  std::mutex witnessed_mutex_;  // the witness rounds write, the API's threads read
  struct Witnessed {
    std::string note;
    std::map<std::string, std::string> lines;  // by witness vkey
  };
  std::map<LogId, Witnessed> witnessed_;
  std::mutex signed_mutex_;  // the API's threads share the signed heads
  struct SignedHead {
    std::uint64_t size = 0;
    protocol::merkle::Hash root{};
    std::string note;
  };
  std::map<LogId, SignedHead> signed_;  // the latest signed checkpoint of each log
  std::atomic<std::uint64_t> signatures_{0};
  [[nodiscard]] sqlite::Result<SignedHead> signed_head(LogId log);
};

}  // namespace draaischijf::server
