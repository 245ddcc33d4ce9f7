#include "core/key_file.hpp"

#include <fcntl.h>
#include <stdexcept>
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

}  // namespace draaischijf::server
