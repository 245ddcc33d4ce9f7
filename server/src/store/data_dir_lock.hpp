#pragma once

// The claim on a data directory: an exclusive flock(2) on data_dir/hub.lock. The hub holds it
// for as long as it runs, and `draaischijf-hub restore` holds it while it replaces the database,
// so neither starts while the other is at work. The kernel drops the lock when its holder
// exits, also after SIGKILL or a crash: a stale hub.lock never blocks anything. The lock is a
// file of its own, never hub.db: closing any descriptor of the database file would drop
// SQLite's own POSIX locks on it.

#include <filesystem>

#include <draaischijf/protocol/errors.hpp>

namespace draaischijf::server {

enum class data_dir_lock_errc {
  held = 1,         // another process holds it: a hub runs on this data directory
  cannot_open = 2,  // hub.lock cannot be created or opened
};
[[nodiscard]] const boost::system::error_category& data_dir_lock_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(data_dir_lock_errc e) noexcept {
  return {static_cast<int>(e), data_dir_lock_category()};
}

class DataDirLock {
 public:
  static constexpr const char* kFileName = "hub.lock";

  /// Takes the lock without waiting: `held` when another process has it.
  [[nodiscard]] static protocol::Result<DataDirLock> acquire(const std::filesystem::path& data_dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::data_dir_lock_errc> : std::true_type {};
}  // namespace boost::system
