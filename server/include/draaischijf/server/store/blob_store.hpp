#pragma once

// Attachment blobs at the hub: secretstream ciphertext the hub cannot open (the key travels
// inside the envelope). Each blob is a file in data_dir/blobs, written as it arrives and made
// durable (fsync, rename, fsync of the folder) before its row is committed, so a blob the hub
// has acknowledged is on disk. The row names the uploading organisation and device; the upload
// names no mailboxes. A blob becomes readable for a mailbox only when an envelope that lists it
// in its signed outer labels is admitted for that mailbox: the storing transaction grants it
// (store/blob_grants.hpp, rows in blob_mailboxes).
//
// A file is named by blob id and content hash, so two uploads racing for one id never
// overwrite each other's file; the row's primary key decides which one stands.
//
// Quota: begin() reserves the announced size under a lock, against the stored blobs and every
// upload still under way, so parallel uploads cannot pass the quota together; the reservation
// ends when the upload fails or its row is committed (from then on the row counts).
//
// Orphans: a blob counts as used once an admitted envelope granted it to a mailbox; a blob
// still ungranted [retention] orphan_blobs after its upload (uploaded, then never sent, or only
// named by envelopes the hub refused) is deleted (row and file) by the hub's retention pass
// (store/retention.hpp). A used blob goes with the last envelope that names it.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

enum class blob_errc {
  too_large = 1,  // above limits.max_blob_bytes
  quota_full,     // the organisation's blobs would exceed limits.blob_quota_bytes
  id_taken,       // the id names another upload
  write_failed,   // the file could not be written (disk full, permissions)
  incomplete,     // fewer bytes arrived than announced
};
[[nodiscard]] const boost::system::error_category& blob_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(blob_errc e) noexcept {
  return {static_cast<int>(e), blob_category()};
}

/// The bytes available to an unprivileged writer in `folder`'s file system (statvfs); the
/// largest value when it cannot be read, so a failed look refuses nothing by itself.
[[nodiscard]] std::uint64_t available_space(const std::filesystem::path& folder);

/// A blob's id and content hash: what names its file.
using BlobFile = std::pair<protocol::Id, protocol::Hash256>;

struct BlobInfo {
  protocol::Id blob_id{};
  protocol::Id org_id{};
  protocol::Id device_id{};
  std::uint64_t size = 0;
  protocol::Hash256 hash{};  // BLAKE2b-256 of the bytes, as the attachment descriptor names it
  /// The mailboxes admitted envelopes granted the blob to (read by find(); an upload has none).
  std::vector<protocol::Id> mailboxes;
  std::int64_t created_at_ms = 0;
};

/// The name of a blob's file in data_dir/blobs: the id and the start of the content hash, so
/// racing uploads of one id never share a file (see the top of this file).
[[nodiscard]] std::string blob_file_name(const protocol::Id& blob_id,
                                         const protocol::Hash256& hash);

class BlobStore {
 public:
  struct Limits {
    std::uint64_t max_blob_bytes = std::uint64_t{1} << 30;
    std::uint64_t quota_bytes = std::uint64_t{20} << 30;  // per organisation
    /// An upload starts only while the blob folder's file system keeps this many bytes free
    /// beside it (else write_failed: 507 storage-full, nothing read of the body).
    std::uint64_t min_free_disk_bytes = 0;
    /// The bytes available to the hub in a folder's file system; injectable for tests.
    std::function<std::uint64_t(const std::filesystem::path&)> free_space = available_space;
  };

  /// An upload on its way to disk; dropping it without commit() removes the partial file.
  class Upload {
   public:
    Upload(Upload&&) noexcept;
    Upload& operator=(Upload&&) noexcept;
    Upload(const Upload&) = delete;
    Upload& operator=(const Upload&) = delete;
    ~Upload();
    [[nodiscard]] sqlite::Result<void> write(std::span<const std::uint8_t> bytes);
    [[nodiscard]] std::uint64_t received() const noexcept;

   private:
    friend class BlobStore;
    struct State;
    explicit Upload(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
  };

  /// Creates data_dir/blobs if needed and removes partial files a crash left behind.
  BlobStore(std::shared_ptr<Storage> storage, std::filesystem::path folder, Limits limits);

  /// Checks the announced size against the limit and the organisation's quota (stored blobs
  /// plus the uploads under way), reserves it, then opens a partial file.
  [[nodiscard]] sqlite::Result<Upload> begin(const BlobInfo& announced);
  /// Makes the file durable, then records the row (through the group-commit writer). `done`
  /// gets the stored info: this upload's, or an earlier upload's with the same id, organisation
  /// and bytes (a retried upload). Another upload under the id fails with id_taken.
  using Done = std::function<void(sqlite::Result<BlobInfo>)>;
  [[nodiscard]] bool commit(Upload upload, BlobInfo info, Done done);

  [[nodiscard]] sqlite::Result<std::optional<BlobInfo>> find(const protocol::Id& blob_id);
  /// The file of a stored blob.
  [[nodiscard]] std::filesystem::path path_of(const BlobInfo& info) const;
  [[nodiscard]] sqlite::Result<std::uint64_t> organisation_usage(const protocol::Id& org_id);
  [[nodiscard]] const Limits& limits() const noexcept { return limits_; }

  /// Where the files are (for remove_blob_files).
  [[nodiscard]] const std::filesystem::path& folder() const noexcept { return folder_; }

 private:
  // The bytes reserved per organisation by uploads under way.
  struct Reservations {
    std::mutex mutex;
    std::map<protocol::Id, std::uint64_t> reserved;
  };

  std::shared_ptr<Storage> storage_;
  std::filesystem::path folder_;
  Limits limits_;
  std::shared_ptr<Reservations> reservations_ = std::make_shared<Reservations>();
};

}  // namespace draaischijf::server

namespace draaischijf::server {
/// Removes from `folder` the files of blobs whose rows a committed transaction deleted. A
/// free function: completions that run after the BlobStore is gone hold the folder, not it.
void remove_blob_files(const std::filesystem::path& folder, const std::vector<BlobFile>& files);
}  // namespace draaischijf::server

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::server::blob_errc> : std::true_type {};
}  // namespace boost::system
