#include "store/backup_files.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>

#include <openssl/evp.h>
#include <sodium.h>

#include <draaischijf/protocol/encoding.hpp>

#include "store/backup.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server::backup {
namespace {

namespace fs = std::filesystem;

bool sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

bool write_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

bool sync_folder(const fs::path& folder) { return sync_path(folder, O_RDONLY | O_DIRECTORY); }

protocol::Result<Streamed> stream_file(const fs::path& source, const fs::path* copy) {
  const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return make_error_code(errno == ENOENT ? errc::blob_missing : errc::write_failed);
  }
  const int out =
      copy != nullptr ? ::open(copy->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  crypto_generichash_state blake{};
  crypto_generichash_init(&blake, nullptr, 0, 32);
  bool ok = sha != nullptr && EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr) == 1 &&
            (copy == nullptr || out >= 0);
  Streamed streamed;
  std::vector<std::uint8_t> buffer(1 << 16);
  while (ok) {
    const ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    const auto size = static_cast<std::size_t>(n);
    streamed.size += size;
    ok = EVP_DigestUpdate(sha.get(), buffer.data(), size) == 1 &&
         (out < 0 || write_all(out, buffer.data(), size));
    crypto_generichash_update(&blake, buffer.data(), size);
  }
  ::close(in);
  if (out >= 0) {
    ok = ::fsync(out) == 0 && ok;
    ok = ::close(out) == 0 && ok;
  }
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  ok = ok && EVP_DigestFinal_ex(sha.get(), digest.data(), &length) == 1 && length == 32;
  crypto_generichash_final(&blake, streamed.blake2b.data(), streamed.blake2b.size());
  if (!ok) {
    return make_error_code(errc::write_failed);
  }
  streamed.sha256 = protocol::hex_encode(digest);
  return streamed;
}

bool write_atomically(const fs::path& path, std::string_view text) {
  const fs::path partial = path.string() + ".part";
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return false;
  }
  bool ok = write_all(fd, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  std::error_code renamed;
  if (ok) {
    fs::rename(partial, path, renamed);
  }
  return ok && !renamed && sync_folder(path.parent_path());
}

bool make_private_folder(const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (!ec) {
    fs::permissions(folder, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  return !ec;
}

sqlite::Result<std::vector<std::pair<std::string, std::int64_t>>> row_counts(sqlite::Database& db) {
  auto tables = db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "ORDER BY name");
  if (!tables) {
    return tables.error();
  }
  std::vector<std::string> names;
  auto listed = rows::for_each_row(
      *tables, [&names](sqlite::Statement& row) { names.push_back(row.column_text(0)); });
  if (!listed) {
    return listed.error();
  }
  std::vector<std::pair<std::string, std::int64_t>> counts;
  for (const auto& name : names) {
    // The names come from the database's own catalogue; quoted as identifiers all the same.
    std::string quoted = "\"";
    for (const char c : name) {
      quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    auto count = db.prepare("SELECT count(*) FROM " + quoted + "\"");
    if (!count) {
      return count.error();
    }
    if (auto row = count->step(); !row) {
      return row.error();
    }
    counts.emplace_back(name, count->column_int64(0));
  }
  return counts;
}

}  // namespace draaischijf::server::backup
