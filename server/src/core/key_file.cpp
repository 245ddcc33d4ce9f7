#include "core/key_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace draaischijf::server {

protocol::SigningKey read_or_create_signing_key(const std::filesystem::path& path) {
  protocol::SecretKey<32> seed;
  const int existing = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (existing >= 0) {
    const auto n = ::read(existing, seed.expose_mutable().data(), seed.kSize);
    ::close(existing);
    if (n != static_cast<ssize_t>(seed.kSize)) {
      throw std::runtime_error(path.string() + " is damaged: restore it from backup");
    }
    return protocol::SigningKey::from_seed(seed);
  }
  seed = protocol::SecretKey<32>::random();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, seed.expose().data(), seed.kSize) != static_cast<ssize_t>(seed.kSize) ||
      ::fsync(fd) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    throw std::runtime_error("cannot write the key " + path.string() +
                             "; check that server.data_dir is writable");
  }
  ::close(fd);
  return protocol::SigningKey::from_seed(seed);
}

std::optional<protocol::SigningKey> read_operator_signing_key(const std::filesystem::path& path,
                                                              std::string_view public_name,
                                                              std::string& problem) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    problem = std::string("cannot be opened: ") + std::strerror(errno);
    return std::nullopt;
  }
  struct stat status {};
  protocol::SecretKey<32> seed;
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size != 32) {
    problem = "is not a policy signing key (32 bytes, as policy keygen writes it; the " +
              std::string(public_name) + " file is the public half and cannot sign)";
  } else if ((status.st_mode & 077U) != 0) {
    problem =
        "can be read or written by other users: run chmod 600 on it, and treat the key as "
        "exposed if anyone else could read it";
  } else if (::read(fd, seed.expose_mutable().data(), seed.kSize) !=
             static_cast<ssize_t>(seed.kSize)) {
    problem = "cannot be read";
  }
  ::close(fd);
  if (!problem.empty()) {
    return std::nullopt;
  }
  return protocol::SigningKey::from_seed(seed);
}

}  // namespace draaischijf::server
