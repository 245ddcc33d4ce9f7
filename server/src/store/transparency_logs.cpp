#include <algorithm>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/log_frontier.hpp>
#include <draaischijf/server/store/storage.hpp>
#include <draaischijf/server/store/transaction_memo.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "core/bench_switch.hpp"

namespace draaischijf::server {
namespace {

using protocol::tlog_errc;
using Hash = protocol::merkle::Hash;
using Db = sqlite::Database;

std::int64_t as_int(std::uint64_t v) { return static_cast<std::int64_t>(v); }

// A size the log has not reached is refused: the hub proves only what it has.
sqlite::Result<void> within(Db& db, LogId log, std::uint64_t size) {
  auto current = log_size(db, log);
  if (!current) {
    return current.error();
  }
  if (size > *current) {
    return tlog_errc::proof_malformed;
  }
  return {};
}

}  // namespace

std::optional<LogId> parse_log_name(std::string_view name) {
  if (name == "directory") {
    return LogId::directory;
  }
  if (name == "record") {
    return LogId::record;
  }
  return std::nullopt;
}

std::string_view name_of(LogId log) { return log == LogId::directory ? "directory" : "record"; }

std::string log_origin(const protocol::SigningPublicKey& hub_key, LogId log) {
  const protocol::KeyId id = protocol::key_id_of(hub_key);
  return "draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8)) + "/" +
         std::string(name_of(log));
}

sqlite::Result<std::uint64_t> log_size(Db& db, LogId log) {
  auto select = db.prepare("SELECT coalesce(max(idx) + 1, 0) FROM log_entries WHERE log = ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, static_cast<std::int64_t>(log));
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  return static_cast<std::uint64_t>(select->column_int64(0));
}

bool stores_subtree(LogId log, unsigned level) {
  // Level 0 of the directory log is kept for the lookup by leaf hash (find_leaf).
  return level % kStoredLevelStride == 0 && (level > 0 || log == LogId::directory);
}

protocol::Result<Hash> StoredLogTree::subtree(unsigned level, std::uint64_t index) const {
  if (level >= 64 || index > (~std::uint64_t{0} >> level) - 1) {
    return tlog_errc::hash_missing;
  }
  // The nearest stored level at or below `level` (the entries themselves below the first), read
  // as one range of at most 2^(kStoredLevelStride - 1) rows and joined up pairwise.
  const unsigned base = level - level % kStoredLevelStride;
  const unsigned height = level - base;
  const std::uint64_t first = index << height;
  const std::uint64_t count = std::uint64_t{1} << height;
  auto select = base == 0 ? db_.prepare(
                                "SELECT idx, entry FROM log_entries WHERE log = ? "
                                "AND idx >= ? AND idx < ? ORDER BY idx")
                          : db_.prepare(
                                "SELECT idx, hash FROM log_nodes WHERE log = ? "
                                "AND level = ? AND idx >= ? AND idx < ? ORDER BY idx");
  if (!select) {
    return select.error();
  }
  int column = 1;
  select->bind(column++, static_cast<std::int64_t>(log_));
  if (base > 0) {
    select->bind(column++, std::int64_t{base});
  }
  select->bind(column, as_int(first));
  select->bind(column + 1, as_int(first + count));
  std::vector<Hash> row_hashes;
  row_hashes.reserve(count);
  for (;;) {
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    const auto blob = select->column_blob(1);
    if (static_cast<std::uint64_t>(select->column_int64(0)) != first + row_hashes.size() ||
        (base > 0 && blob.size() != Hash{}.size())) {
      return tlog_errc::hash_missing;
    }
    if (base == 0) {
      row_hashes.push_back(protocol::merkle::leaf_hash(blob));
    } else {
      Hash hash{};
      std::copy(blob.begin(), blob.end(), hash.begin());
      row_hashes.push_back(hash);
    }
  }
  if (row_hashes.size() != count) {
    return tlog_errc::hash_missing;  // the subtree is not complete (or a row is gone)
  }
  for (std::size_t width = row_hashes.size(); width > 1; width /= 2) {
    for (std::size_t i = 0; i < width / 2; ++i) {
      row_hashes[i] = protocol::merkle::node_hash(row_hashes[2 * i], row_hashes[2 * i + 1]);
    }
  }
  return row_hashes.front();
}

namespace {

// The frontier as the HashSource protocol::merkle::complete_with reads left siblings from.
class FrontierSource final : public protocol::merkle::HashSource {
 public:
  explicit FrontierSource(const LogFrontier& frontier) : frontier_(frontier) {}
  [[nodiscard]] protocol::Result<Hash> subtree(unsigned level, std::uint64_t index) const override {
    const auto hash = frontier_.at(level);
    // Only the edge is here: the subtree ending just below the size's higher bits.
    if (!hash || index != (frontier_.size() >> level) - 1) {
      return tlog_errc::hash_missing;
    }
    return *hash;
  }

 private:
  const LogFrontier& frontier_;
};

// The frontiers one transaction keeps (see append_log_entry), by LogId - 1.
struct KeptFrontiers final : sqlite::TransactionMemo {
  std::array<std::optional<LogFrontier>, 2> logs;
};

std::size_t slot_of(LogId log) { return static_cast<std::size_t>(log) - 1; }

// The transaction's kept frontier of `log`, read from the tables when it is not kept. Outside a
// transaction nothing can be kept, and `local` holds it for this one call.
sqlite::Result<LogFrontier*> frontier_of(Db& db, LogId log, std::optional<LogFrontier>& local) {
  auto* kept = dynamic_cast<KeptFrontiers*>(sqlite::transaction_memo(db));
  if (kept == nullptr && db.in_transaction()) {
    auto memo = std::make_unique<KeptFrontiers>();
    kept = memo.get();
    sqlite::keep_for_transaction(db, std::move(memo));
  }
  std::optional<LogFrontier>& slot = kept != nullptr ? kept->logs[slot_of(log)] : local;
  if (!slot) {
    auto loaded = LogFrontier::load(db, log);
    if (!loaded) {
      return loaded.error();
    }
    slot = *loaded;
  }
  return &*slot;
}

}  // namespace

sqlite::Result<LogFrontier> LogFrontier::load(Db& db, LogId log) {
  auto size = log_size(db, log);
  if (!size) {
    return size.error();
  }
  LogFrontier out;
  out.size_ = *size;
  const StoredLogTree tree(db, log);
  for (unsigned level = 0; level < 64; ++level) {
    if (((*size >> level) & 1U) == 0) {
      continue;
    }
    auto hash = tree.subtree(level, (*size >> level) - 1);
    if (!hash) {
      return hash.error();
    }
    out.edge_[level] = *hash;
  }
  return out;
}

std::optional<Hash> LogFrontier::at(unsigned level) const {
  if (level >= 64 || ((size_ >> level) & 1U) == 0) {
    return std::nullopt;
  }
  return edge_[level];
}

Hash LogFrontier::root() const {
  // The edge's subtrees from the smallest (rightmost) up, each joined as the right child.
  std::optional<Hash> root;
  for (unsigned level = 0; level < 64; ++level) {
    if (const auto hash = at(level)) {
      root = root ? protocol::merkle::node_hash(*hash, *root) : *hash;
    }
  }
  return root ? *root : protocol::merkle::empty_root();
}

void LogFrontier::advance(std::span<const protocol::merkle::CompletedSubtree> completed) {
  // The last one completed is the new size's lowest set bit; the lower ones are now inside it.
  for (const auto& node : completed) {
    edge_[node.level] = node.hash;
  }
  ++size_;
}

bool LogFrontier::operator==(const LogFrontier& other) const {
  if (size_ != other.size_) {
    return false;
  }
  for (unsigned level = 0; level < 64; ++level) {
    if (at(level) != other.at(level)) {
      return false;
    }
  }
  return true;
}

bool transparency_logs_switched_off() {
  // The hub's rate without its log appends, for the logs' cost in tools/bench-hub.sh.
  static const bool off =
      bench_switched_off("DRAAISCHIJF_BENCH_TRANSPARENCY_LOGS", "bench.transparency_logs_off");
  return off;
}

sqlite::Result<std::uint64_t> next_log_index(Db& db, LogId log) {
  if (transparency_logs_switched_off()) {
    return std::uint64_t{0};
  }
  std::optional<LogFrontier> local;
  auto frontier = frontier_of(db, log, local);
  if (!frontier) {
    return frontier.error();
  }
  return (*frontier)->size();
}

std::optional<LogFrontier> kept_log_frontier(const Db& db, LogId log) {
  const auto* kept = dynamic_cast<const KeptFrontiers*>(sqlite::transaction_memo(db));
  return kept != nullptr ? kept->logs[slot_of(log)] : std::nullopt;
}

sqlite::Result<std::uint64_t> append_log_entry(Db& db, LogId log,
                                               std::span<const std::uint8_t> entry,
                                               std::int64_t at_ms) {
  if (transparency_logs_switched_off()) {
    return std::uint64_t{0};  // what next_log_index() said
  }
  std::optional<LogFrontier> local;
  auto found = frontier_of(db, log, local);
  if (!found) {
    return found.error();
  }
  LogFrontier& frontier = **found;
  const std::uint64_t index = frontier.size();
  auto completed = protocol::merkle::complete_with(FrontierSource(frontier), index,
                                                   protocol::merkle::leaf_hash(entry));
  if (!completed) {
    return completed.error();
  }
  // From the connection's statement pool: parsed once per connection, not per append.
  auto insert_entry =
      db.prepare("INSERT INTO log_entries (log, idx, entry, at_ms) VALUES (?, ?, ?, ?)");
  auto insert_node =
      db.prepare("INSERT INTO log_nodes (log, level, idx, hash) VALUES (?, ?, ?, ?)");
  if (!insert_entry || !insert_node) {
    return !insert_entry ? insert_entry.error() : insert_node.error();
  }
  const auto stored = [&]() -> sqlite::Result<void> {
    insert_entry->bind(1, static_cast<std::int64_t>(log))
        .bind(2, as_int(index))
        .bind(3, entry)
        .bind(4, at_ms);
    if (auto ran = insert_entry->run(); !ran) {
      return ran;
    }
    for (const auto& node : *completed) {
      if (!stores_subtree(log, node.level)) {
        continue;  // rebuilt from the level below when read (StoredLogTree::subtree)
      }
      insert_node->bind(1, static_cast<std::int64_t>(log))
          .bind(2, std::int64_t{node.level})
          .bind(3, as_int(node.index))
          .bind(4, node.hash);
      if (auto ran = insert_node->run(); !ran) {
        return ran;
      }
      insert_node->reset();
    }
    return {};
  }();
  if (!stored) {
    // Some rows of this entry may be in the tables: the kept frontier cannot say which, so the
    // next append reads the tables again (the caller's savepoint normally takes them back).
    if (auto* kept = dynamic_cast<KeptFrontiers*>(sqlite::transaction_memo(db))) {
      kept->logs[slot_of(log)].reset();
    }
    return stored.error();
  }
  frontier.advance(*completed);
  return index;
}

protocol::note::VerifierKey log_verifier(const protocol::SigningPublicKey& hub_key, LogId log) {
  const protocol::KeyId id = protocol::key_id_of(hub_key);
  return {"draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8)) + "/" +
              std::string(name_of(log)),
          protocol::note::kEd25519, hub_key};
}

TransparencyLogs::TransparencyLogs(std::shared_ptr<Storage> storage,
                                   const protocol::SigningKey& hub_key)
    : storage_(std::move(storage)), hub_key_(hub_key) {}

std::string TransparencyLogs::origin(LogId log) const {
  return log_origin(hub_key_.public_key(), log);
}

protocol::note::VerifierKey TransparencyLogs::verifier(LogId log) const {
  return {origin(log), protocol::note::kEd25519, hub_key_.public_key()};
}

sqlite::Result<std::string> TransparencyLogs::checkpoint(LogId log) {
  // Always the log as it is now: a client that just saw an epoch or a device must find it in the
  // checkpoint it is given, so the route never serves an older, witnessed size. The witnesses'
  // cosignatures ride along when the log has not grown since their round (Ed25519 signatures are
  // deterministic, so the same size and root give the same note text byte for byte).
  auto note = current_checkpoint(log);
  if (!note) {
    return note;
  }
  const std::lock_guard lock(witnessed_mutex_);
  if (const auto found = witnessed_.find(log);
      found != witnessed_.end() && found->second.note == *note) {
    for (const auto& [witness, line] : found->second.lines) {
      *note += line;
    }
  }
  return note;
}

void TransparencyLogs::publish_witnessed(LogId log, const std::string& note) {
  const std::lock_guard lock(witnessed_mutex_);
  Witnessed& served = witnessed_[log];
  if (served.note != note) {
    served = {note, {}};
  }
}

void TransparencyLogs::add_cosignature(LogId log, const std::string& note,
                                       const std::string& witness, std::string line) {
  const std::lock_guard lock(witnessed_mutex_);
  Witnessed& served = witnessed_[log];
  if (served.note == note) {
    served.lines[witness] = std::move(line);
  }
}

sqlite::Result<std::string> TransparencyLogs::current_checkpoint(LogId log) {
  auto head = signed_head(log);
  if (!head) {
    return head.error();
  }
  return std::move(head->note);
}

sqlite::Result<TransparencyLogs::SignedHead> TransparencyLogs::signed_head(LogId log) {
  auto checkpoint = storage_->read([&](Db& db) -> sqlite::Result<protocol::note::Checkpoint> {
    auto size = log_size(db, log);
    if (!size) {
      return size.error();
    }
    auto head = protocol::merkle::tree_head(StoredLogTree(db, log), *size);
    if (!head) {
      return head.error();
    }
    return protocol::note::Checkpoint{origin(log), *size, *head, {}};
  });
  if (!checkpoint) {
    return checkpoint.error();
  }
  // One signature per tree head: every client asks for the checkpoint, every answer to a
  // submission carries one, and all the answers of a group commit see the same head. Signing is
  // deterministic, so the kept note is the one a fresh signature would give. A reader that saw
  // a smaller size than one signed meanwhile gets the larger head (the log only grows, so it
  // holds everything the smaller one did): heads are never signed twice.
  const std::lock_guard lock(signed_mutex_);
  SignedHead& kept = signed_[log];
  const bool older = !kept.note.empty() && checkpoint->size < kept.size;
  if (!older &&
      (kept.note.empty() || kept.size != checkpoint->size || kept.root != checkpoint->root)) {
    kept = {checkpoint->size, checkpoint->root,
            protocol::note::sign_checkpoint(hub_key_, *checkpoint)};
    ++signatures_;
  }
  return kept;
}

sqlite::Result<TransparencyLogs::RecordProof> TransparencyLogs::prove_record(std::uint64_t index) {
  auto head = signed_head(LogId::record);
  if (!head) {
    return head.error();
  }
  // The log only grows: the tree of the signed size holds the entry whatever was appended since.
  auto proof = inclusion(LogId::record, index, head->size);
  if (!proof) {
    return proof.error();
  }
  return RecordProof{head->size, std::move(head->note), std::move(*proof)};
}

sqlite::Result<std::vector<Hash>> TransparencyLogs::inclusion(LogId log, std::uint64_t index,
                                                              std::uint64_t size) {
  return storage_->read([&](Db& db) -> sqlite::Result<std::vector<Hash>> {
    if (auto ok = within(db, log, size); !ok) {
      return ok.error();
    }
    return protocol::merkle::inclusion_proof(StoredLogTree(db, log), index, size);
  });
}

sqlite::Result<std::vector<Hash>> TransparencyLogs::consistency(LogId log, std::uint64_t from,
                                                                std::uint64_t to) {
  return storage_->read([&](Db& db) -> sqlite::Result<std::vector<Hash>> {
    if (auto ok = within(db, log, to); !ok) {
      return ok.error();
    }
    return protocol::merkle::consistency_proof(StoredLogTree(db, log), from, to);
  });
}

sqlite::Result<std::optional<TransparencyLogs::LeafProof>> TransparencyLogs::find_leaf(
    const Hash& leaf, std::uint64_t size) {
  return storage_->read([&](Db& db) -> sqlite::Result<std::optional<LeafProof>> {
    if (size == 0) {
      return tlog_errc::proof_malformed;
    }
    if (auto ok = within(db, LogId::directory, size); !ok) {
      return ok.error();
    }
    // The same entry may be appended twice (an organisation added again after a failed
    // attempt never is, but nothing forbids equal leaves): the first one answers.
    auto select = db.prepare(
        "SELECT min(idx) FROM log_nodes WHERE log = 1 AND level = 0 AND hash = ? AND idx < ?");
    if (!select) {
      return select.error();
    }
    select->bind(1, leaf).bind(2, as_int(size));
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    if (!*row || select->column_is_null(0)) {
      return std::optional<LeafProof>();
    }
    const auto index = static_cast<std::uint64_t>(select->column_int64(0));
    auto proof =
        protocol::merkle::inclusion_proof(StoredLogTree(db, LogId::directory), index, size);
    if (!proof) {
      return proof.error();
    }
    return std::optional<LeafProof>(LeafProof{index, std::move(*proof)});
  });
}

sqlite::Result<std::vector<std::uint8_t>> TransparencyLogs::entry(LogId log, std::uint64_t index) {
  return storage_->read([&](Db& db) -> sqlite::Result<std::vector<std::uint8_t>> {
    auto select = db.prepare("SELECT entry FROM log_entries WHERE log = ? AND idx = ?");
    if (!select) {
      return select.error();
    }
    select->bind(1, static_cast<std::int64_t>(log)).bind(2, as_int(index));
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return tlog_errc::proof_malformed;
    }
    const auto blob = select->column_blob(0);
    return std::vector<std::uint8_t>(blob.begin(), blob.end());
  });
}

}  // namespace draaischijf::server
