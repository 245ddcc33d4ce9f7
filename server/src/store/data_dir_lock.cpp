#include "store/data_dir_lock.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace draaischijf::server {
namespace {

const char* describe(int value) noexcept {
  switch (static_cast<data_dir_lock_errc>(value)) {
    case data_dir_lock_errc::held:
      return "another process holds the data directory (hub.lock): a hub is running on it";
    case data_dir_lock_errc::cannot_open:
      return "hub.lock cannot be created in the data directory";
  }
  return "unknown data directory lock error";
}

}  // namespace

const boost::system::error_category& data_dir_lock_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.data_dir_lock", describe);
  return category;
}

protocol::Result<DataDirLock> DataDirLock::acquire(const std::filesystem::path& data_dir) {
  const auto path = data_dir / kFileName;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error_code(data_dir_lock_errc::cannot_open);
  }
  DataDirLock lock(fd);  // closes the descriptor on the early return below
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    return make_error_code(errno == EWOULDBLOCK ? data_dir_lock_errc::held
                                                : data_dir_lock_errc::cannot_open);
  }
  return lock;
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) {
    ::close(fd_);  // closing the only descriptor releases the flock
  }
}

}  // namespace draaischijf::server
