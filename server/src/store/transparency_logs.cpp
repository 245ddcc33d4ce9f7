#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/storage.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

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

protocol::Result<Hash> StoredLogTree::subtree(unsigned level, std::uint64_t index) const {
  auto select = db_.prepare("SELECT hash FROM log_nodes WHERE log = ? AND level = ? AND idx = ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, static_cast<std::int64_t>(log_))
      .bind(2, std::int64_t{level})
      .bind(3, as_int(index));
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  const auto blob = *row ? select->column_blob(0) : std::span<const std::uint8_t>{};
  if (blob.size() != Hash{}.size()) {
    return tlog_errc::hash_missing;
  }
  Hash out{};
  std::copy(blob.begin(), blob.end(), out.begin());
  return out;
}

sqlite::Result<std::uint64_t> append_log_entry(Db& db, LogId log,
                                               std::span<const std::uint8_t> entry,
                                               std::int64_t at_ms) {
  auto index = log_size(db, log);
  if (!index) {
    return index.error();
  }
  const StoredLogTree tree(db, log);
  auto completed =
      protocol::merkle::complete_with(tree, *index, protocol::merkle::leaf_hash(entry));
  if (!completed) {
    return completed.error();
  }
  auto insert_entry =
      db.prepare("INSERT INTO log_entries (log, idx, entry, at_ms) VALUES (?, ?, ?, ?)");
  auto insert_node =
      db.prepare("INSERT INTO log_nodes (log, level, idx, hash) VALUES (?, ?, ?, ?)");
  if (!insert_entry || !insert_node) {
    return !insert_entry ? insert_entry.error() : insert_node.error();
  }
  insert_entry->bind(1, static_cast<std::int64_t>(log))
      .bind(2, as_int(*index))
      .bind(3, entry)
      .bind(4, at_ms);
  if (auto ran = insert_entry->run(); !ran) {
    return ran.error();
  }
  for (const auto& node : *completed) {
    insert_node->bind(1, static_cast<std::int64_t>(log))
        .bind(2, std::int64_t{node.level})
        .bind(3, as_int(node.index))
        .bind(4, node.hash);
    if (auto ran = insert_node->run(); !ran) {
      return ran.error();
    }
    insert_node->reset();
  }
  return *index;
}

protocol::note::VerifierKey log_verifier(const protocol::SigningPublicKey& hub_key, LogId log) {
  const protocol::KeyId id = protocol::key_id_of(hub_key);
  return {"draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8)) + "/" +
              std::string(name_of(log)),
          protocol::note::kEd25519, hub_key};
}

TransparencyLogs::TransparencyLogs(std::shared_ptr<Storage> storage,
                                   const protocol::SigningKey& hub_key)
    : storage_(std::move(storage)), hub_key_(hub_key) {
  const protocol::KeyId id = hub_key_.key_id();
  origin_prefix_ = "draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8));
}

std::string TransparencyLogs::origin(LogId log) const {
  return origin_prefix_ + "/" + std::string(name_of(log));
}

protocol::note::VerifierKey TransparencyLogs::verifier(LogId log) const {
  return {origin(log), protocol::note::kEd25519, hub_key_.public_key()};
}

sqlite::Result<std::string> TransparencyLogs::checkpoint(LogId log) {
  {
    const std::lock_guard lock(witnessed_mutex_);
    if (const auto found = witnessed_.find(log); found != witnessed_.end()) {
      std::string note = found->second.note;
      for (const auto& [witness, line] : found->second.lines) {
        note += line;
      }
      return note;
    }
  }
  return current_checkpoint(log);
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
  return protocol::note::sign_checkpoint(hub_key_, *checkpoint);
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
