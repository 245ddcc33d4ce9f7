#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <limits>
#include <unistd.h>

#include <sodium.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/blob_store.hpp>

#include "store/blob_grants.hpp"
#include "store/store_rows.hpp"

namespace draaischijf::server {
namespace {

using protocol::Id;
constexpr std::string_view kPartial = ".part";

const char* describe(int value) noexcept {
  switch (static_cast<blob_errc>(value)) {
    case blob_errc::too_large:
      return "the blob is larger than the hub accepts";
    case blob_errc::quota_full:
      return "the organisation's attachment quota is full";
    case blob_errc::id_taken:
      return "the blob id is taken by another upload";
    case blob_errc::write_failed:
      return "the blob could not be written to disk";
    case blob_errc::incomplete:
      return "the upload ended before the announced size";
  }
  return "unknown blob error";
}

bool sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

BlobInfo info_from(sqlite::Statement& row) {
  BlobInfo info;
  info.blob_id = rows::fixed<16>(row.column_blob(0));
  info.org_id = rows::fixed<16>(row.column_blob(1));
  info.device_id = rows::fixed<16>(row.column_blob(2));
  info.size = static_cast<std::uint64_t>(row.column_int64(3));
  info.hash = rows::fixed<32>(row.column_blob(4));
  info.created_at_ms = row.column_int64(5);
  return info;
}

sqlite::Result<std::optional<BlobInfo>> find_in(sqlite::Database& db, const Id& blob_id) {
  auto select = db.prepare(
      "SELECT blob_id, org_id, device_id, size, hash, created_at_ms FROM blobs WHERE blob_id = ?");
  if (!select) {
    return select.error();
  }
  select->bind(1, blob_id);
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return std::optional<BlobInfo>();
  }
  BlobInfo info = info_from(*select);
  auto mailboxes = db.prepare("SELECT mailbox_id FROM blob_mailboxes WHERE blob_id = ?");
  if (!mailboxes) {
    return mailboxes.error();
  }
  mailboxes->bind(1, blob_id);
  if (auto listed =
          rows::for_each_row(*mailboxes,
                             [&info](sqlite::Statement& s) {
                               info.mailboxes.push_back(rows::fixed<16>(s.column_blob(0)));
                             });
      !listed) {
    return listed.error();
  }
  return std::optional<BlobInfo>(std::move(info));
}

}  // namespace

std::string blob_file_name(const Id& blob_id, const protocol::Hash256& hash) {
  // The hash in the name keeps racing uploads of one id apart (see the header).
  return protocol::hex_encode(blob_id) + "." + protocol::hex_encode(std::span(hash).first(8));
}

const boost::system::error_category& blob_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.blob", describe);
  return category;
}

struct BlobStore::Upload::State {
  std::filesystem::path partial;
  int fd = -1;
  std::uint64_t announced = 0;
  std::uint64_t received = 0;
  crypto_generichash_state hash{};
  std::shared_ptr<void> reservation;  // the quota this upload holds until its row is committed

  ~State() {
    if (fd >= 0) {
      ::close(fd);
    }
    if (!partial.empty()) {
      std::error_code ignored;
      std::filesystem::remove(partial, ignored);
    }
  }
};

BlobStore::Upload::Upload(std::unique_ptr<State> state) : state_(std::move(state)) {}
BlobStore::Upload::Upload(Upload&&) noexcept = default;
BlobStore::Upload& BlobStore::Upload::operator=(Upload&&) noexcept = default;
BlobStore::Upload::~Upload() = default;

std::uint64_t BlobStore::Upload::received() const noexcept { return state_->received; }

sqlite::Result<void> BlobStore::Upload::write(std::span<const std::uint8_t> bytes) {
  State& s = *state_;
  if (bytes.size() > s.announced - s.received) {
    return make_error_code(blob_errc::too_large);
  }
  crypto_generichash_update(&s.hash, bytes.data(), bytes.size());
  while (!bytes.empty()) {
    const ssize_t n = ::write(s.fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return make_error_code(blob_errc::write_failed);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
    s.received += static_cast<std::uint64_t>(n);
  }
  return {};
}

BlobStore::BlobStore(std::shared_ptr<Storage> storage, std::filesystem::path folder, Limits limits)
    : storage_(std::move(storage)), folder_(std::move(folder)), limits_(limits) {
  std::filesystem::create_directories(folder_);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder_, ec)) {
    if (entry.path().extension() == kPartial) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

std::filesystem::path BlobStore::path_of(const BlobInfo& info) const {
  return folder_ / blob_file_name(info.blob_id, info.hash);
}

sqlite::Result<std::uint64_t> BlobStore::organisation_usage(const Id& org_id) {
  return storage_->read([&](sqlite::Database& db) -> sqlite::Result<std::uint64_t> {
    auto select = db.prepare("SELECT coalesce(sum(size), 0) FROM blobs WHERE org_id = ?");
    if (!select) {
      return select.error();
    }
    select->bind(1, org_id);
    auto row = select->step();
    if (!row) {
      return row.error();
    }
    return static_cast<std::uint64_t>(select->column_int64(0));
  });
}

sqlite::Result<std::optional<BlobInfo>> BlobStore::find(const Id& blob_id) {
  return storage_->read([&](sqlite::Database& db) { return find_in(db, blob_id); });
}

sqlite::Result<BlobStore::Upload> BlobStore::begin(const BlobInfo& announced) {
  if (announced.size > limits_.max_blob_bytes) {
    return make_error_code(blob_errc::too_large);
  }
  // A disk that cannot take the blob and the margin beside it is refused before a byte of the
  // body is read; one that fills anyway fails the write (ENOSPC), with the same answer.
  if (limits_.free_space(folder_) < announced.size + limits_.min_free_disk_bytes) {
    return make_error_code(blob_errc::write_failed);
  }
  auto state = std::make_unique<Upload::State>();
  {
    // Checked and reserved under one lock: two uploads cannot both see the same free space.
    const std::lock_guard lock(reservations_->mutex);
    auto used = organisation_usage(announced.org_id);
    if (!used) {
      return used.error();
    }
    std::uint64_t& reserved = reservations_->reserved[announced.org_id];
    if (*used + reserved + announced.size > limits_.quota_bytes) {
      if (reserved == 0) {
        reservations_->reserved.erase(announced.org_id);
      }
      return make_error_code(blob_errc::quota_full);
    }
    reserved += announced.size;
  }
  state->reservation = std::shared_ptr<void>(
      nullptr,
      [reservations = reservations_, org = announced.org_id, size = announced.size](void*) {
        const std::lock_guard lock(reservations->mutex);
        auto it = reservations->reserved.find(org);
        if (it != reservations->reserved.end()) {
          it->second -= std::min(it->second, size);
          if (it->second == 0) {
            reservations->reserved.erase(it);
          }
        }
      });
  state->partial = folder_ / (protocol::hex_encode(protocol::random_id()) + std::string(kPartial));
  state->announced = announced.size;
  crypto_generichash_init(&state->hash, nullptr, 0, 32);
  state->fd = ::open(state->partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (state->fd < 0) {
    state->partial.clear();
    return make_error_code(blob_errc::write_failed);
  }
  return Upload(std::move(state));
}

// Over 80 lines on purpose: the file's move into place and its row are one writer job, and
// the order of the steps inside it (quota, rename, insert, rollback of the file) is the point.
bool BlobStore::commit(Upload upload, BlobInfo info, Done done) {
  Upload::State& s = *upload.state_;
  if (s.received != s.announced) {
    done(make_error_code(blob_errc::incomplete));
    return true;
  }
  crypto_generichash_final(&s.hash, info.hash.data(), info.hash.size());
  info.size = s.received;
  const auto final_path = path_of(info);
  const bool durable = ::fsync(s.fd) == 0 && ::close(s.fd) == 0;
  s.fd = -1;
  std::error_code renamed;
  if (durable) {
    std::filesystem::rename(s.partial, final_path, renamed);
  }
  if (!durable || renamed || !sync_folder(folder_)) {
    done(make_error_code(blob_errc::write_failed));
    return true;
  }
  s.partial.clear();  // the file is the blob's now
  // The reservation ends with the writer's answer: then the row counts, or nothing does.
  auto reservation = std::move(s.reservation);
  auto stored = std::make_shared<BlobInfo>(std::move(info));
  // Our file goes again unless a row names it: the same bytes under the same id share it.
  auto shared_file = std::make_shared<bool>(false);
  auto drop_file = [final_path, shared_file] {
    if (!*shared_file) {
      std::error_code ignored;
      std::filesystem::remove(final_path, ignored);
    }
  };
  const bool queued = storage_->writer().submit(
      [stored, shared_file](sqlite::Database& db) -> sqlite::Result<void> {
        auto existing = find_in(db, stored->blob_id);
        if (!existing) {
          return existing.error();
        }
        if (*existing) {
          *shared_file = (*existing)->hash == stored->hash;
          // The same bytes from the same organisation: a retried upload, answered alike.
          if ((*existing)->org_id != stored->org_id || (*existing)->hash != stored->hash) {
            return make_error_code(blob_errc::id_taken);
          }
          *stored = std::move(**existing);
          return {};
        }
        auto insert = db.prepare(
            "INSERT INTO blobs (blob_id, org_id, device_id, size, hash, created_at_ms) "
            "VALUES (?, ?, ?, ?, ?, ?)");
        if (!insert) {
          return insert.error();
        }
        insert->bind(1, stored->blob_id)
            .bind(2, stored->org_id)
            .bind(3, stored->device_id)
            .bind(4, static_cast<std::int64_t>(stored->size))
            .bind(5, stored->hash)
            .bind(6, stored->created_at_ms);
        if (auto inserted = insert->run(); !inserted) {
          return inserted.error();
        }
        return rows::insert_audit(db, stored->created_at_ms, "blob.stored", stored->org_id,
                                  stored->device_id, stored->blob_id,
                                  "size=" + std::to_string(stored->size));
      },
      [stored, drop_file, reservation, done = std::move(done)](sqlite::Result<void> result) {
        if (!result) {
          drop_file();
          done(result.error());
        } else {
          done(*stored);
        }
      });
  if (!queued) {
    drop_file();
  }
  return queued;
}

std::uint64_t available_space(const std::filesystem::path& folder) {
  std::error_code failed;
  const auto space = std::filesystem::space(folder, failed);
  return failed ? std::numeric_limits<std::uint64_t>::max() : space.available;
}

void remove_blob_files(const std::filesystem::path& folder, const std::vector<BlobFile>& files) {
  for (const auto& [blob_id, hash] : files) {
    std::error_code ignored;
    std::filesystem::remove(folder / blob_file_name(blob_id, hash), ignored);
  }
}

}  // namespace draaischijf::server
