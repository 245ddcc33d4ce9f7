#pragma once

// Memory a caller keeps about what the open transaction wrote on one connection (the
// transparency logs' right edge, store/log_frontier.hpp), so the next job of the same group
// commit need not read it back. The connection drops it whenever those writes may be undone or
// another connection may write: at every COMMIT and ROLLBACK, SQLite's own included after an
// error (its commit and rollback hooks), and at every Database::rollback_to() (SQLite has no hook
// for ROLLBACK TO, so a savepoint is rolled back only through that call). So it never describes
// rows that are gone, nor misses another connection's writes.

#include <memory>

#include <draaischijf/server/store/sqlite.hpp>

namespace draaischijf::server::sqlite {

class TransactionMemo {
 public:
  TransactionMemo() = default;
  TransactionMemo(const TransactionMemo&) = delete;
  TransactionMemo& operator=(const TransactionMemo&) = delete;
  virtual ~TransactionMemo() = default;
};

/// The open transaction's memo on `db` (nullptr when none was kept or it was dropped).
[[nodiscard]] TransactionMemo* transaction_memo(const Database& db);
/// Keeps `memo` on `db` until its transaction ends or rolls back to a savepoint; outside a
/// transaction nothing is kept (each statement is its own transaction then).
void keep_for_transaction(Database& db, std::unique_ptr<TransactionMemo> memo);

}  // namespace draaischijf::server::sqlite
