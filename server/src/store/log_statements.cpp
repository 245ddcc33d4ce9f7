#include <future>
#include <memory>

#include <draaischijf/server/store/log_statements.hpp>
#include <draaischijf/server/store/storage.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

namespace draaischijf::server {

using Db = sqlite::Database;

sqlite::Result<bool> append_directory_entry_once(Db& db, std::span<const std::uint8_t> entry,
                                                 std::int64_t at_ms) {
  // On the writer's connection, so an equal entry appended earlier in this transaction counts.
  auto select = db.prepare("SELECT 1 FROM log_nodes WHERE log = ? AND level = 0 AND hash = ?");
  if (!select) {
    return {boost::system::in_place_error, select.error()};
  }
  select->bind(1, static_cast<std::int64_t>(LogId::directory))
      .bind(2, protocol::merkle::leaf_hash(entry));
  auto row = select->step();
  if (!row) {
    return {boost::system::in_place_error, row.error()};
  }
  if (*row) {
    return false;
  }
  if (auto appended = append_log_entry(db, LogId::directory, entry, at_ms); !appended) {
    return {boost::system::in_place_error, appended.error()};
  }
  return true;
}

sqlite::Result<std::size_t> log_statements(Storage& storage,
                                           std::vector<std::vector<std::uint8_t>> entries,
                                           std::int64_t at_ms) {
  auto appended = std::make_shared<std::size_t>(0);
  std::promise<sqlite::Result<void>> committed;
  auto done = committed.get_future();
  const bool queued = storage.writer().submit(
      [entries = std::move(entries), at_ms, appended](Db& db) -> sqlite::Result<void> {
        *appended = 0;  // a batch lost and retried starts again
        for (const auto& entry : entries) {
          auto once = append_directory_entry_once(db, entry, at_ms);
          if (!once) {
            return once.error();
          }
          *appended += *once ? 1U : 0U;
        }
        return {};
      },
      [&committed](sqlite::Result<void> result) { committed.set_value(result); });
  if (!queued) {
    return sqlite::errc::busy;
  }
  if (auto result = done.get(); !result) {
    return result.error();
  }
  return *appended;
}

}  // namespace draaischijf::server
