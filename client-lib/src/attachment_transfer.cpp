#include "attachment_transfer.hpp"

#include <cerrno>
#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE
#include <sys/stat.h>
#include <unistd.h>

#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::client {
namespace {

using protocol::kAttachmentChunk;
using protocol::kAttachmentChunkOverhead;
using protocol::Result;

boost::system::error_code unreadable() { return make_error_code(client_errc::file_unreadable); }
boost::system::error_code unwritable() { return make_error_code(client_errc::file_unwritable); }
boost::system::error_code invalid() { return make_error_code(client_errc::attachment_invalid); }

void report(const ProgressCallback& progress, std::string_view name, std::uint64_t done,
            std::uint64_t total, bool upload) {
  if (progress) {
    progress({name, done, total, upload});
  }
}

}  // namespace

Result<protocol::Hash256> hash_file(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return unreadable();
  }
  protocol::StreamHash hash;
  std::vector<std::uint8_t> chunk(kAttachmentChunk);
  std::size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), file)) > 0) {
    hash.update(std::span(chunk).first(n));
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  protocol::secure_wipe(chunk.data(), chunk.size());
  if (failed) {
    return unreadable();
  }
  return hash.digest();
}

// --- upload ----------------------------------------------------------------------------------

SealingFileSource::SealingFileSource(std::FILE* file, std::uint64_t plain_size, std::string name,
                                     const ProgressCallback& progress)
    : file_(file),
      plain_size_(plain_size),
      name_(std::move(name)),
      progress_(progress),
      sealer_(protocol::AttachmentSealer::start()),
      plain_(kAttachmentChunk) {
  cipher_.reserve(protocol::kAttachmentCipherChunk);
}

SealingFileSource::~SealingFileSource() {
  std::fclose(file_);
  protocol::secure_wipe(plain_.data(), plain_.size());
}

Result<std::unique_ptr<SealingFileSource>> SealingFileSource::open(
    const std::filesystem::path& path, std::string name, const ProgressCallback& progress) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  struct stat info {};
  if (file == nullptr || ::fstat(::fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) {
    if (file != nullptr) {
      std::fclose(file);
    }
    return unreadable();
  }
  return std::unique_ptr<SealingFileSource>(new SealingFileSource(
      file, static_cast<std::uint64_t>(info.st_size), std::move(name), progress));
}

std::uint64_t SealingFileSource::size() const {
  return protocol::attachment_ciphertext_size(plain_size_);
}

Result<void> SealingFileSource::rewind() {
  if (std::fseek(file_, 0, SEEK_SET) != 0) {
    return unreadable();
  }
  sealer_.rewind();
  cipher_hash_.restart();
  plain_hash_.restart();
  cipher_.clear();
  cipher_at_ = 0;
  plain_read_ = 0;
  served_ = 0;
  return {};
}

Result<void> SealingFileSource::seal_next_chunk() {
  const auto want = static_cast<std::size_t>(
      std::min<std::uint64_t>(kAttachmentChunk, plain_size_ - plain_read_));
  if (want > 0 && std::fread(plain_.data(), 1, want, file_) != want) {
    return unreadable();  // the file shrank or cannot be read any more
  }
  plain_read_ += want;
  cipher_.resize(want + kAttachmentChunkOverhead);
  plain_hash_.update(std::span(plain_).first(want));
  sealer_.seal_chunk(std::span(plain_).first(want), plain_read_ == plain_size_, cipher_);
  cipher_hash_.update(cipher_);
  cipher_at_ = 0;
  return {};
}

Result<std::size_t> SealingFileSource::read(std::span<std::uint8_t> out) {
  std::size_t given = 0;
  while (given < out.size() && served_ < size()) {
    if (cipher_at_ == cipher_.size()) {
      if (auto sealed = seal_next_chunk(); !sealed) {
        return sealed.error();
      }
    }
    const std::size_t n = std::min(out.size() - given, cipher_.size() - cipher_at_);
    std::copy_n(cipher_.begin() + static_cast<std::ptrdiff_t>(cipher_at_), n,
                out.begin() + static_cast<std::ptrdiff_t>(given));
    cipher_at_ += n;
    given += n;
    served_ += n;
  }
  report(progress_, name_, served_, size(), true);
  return given;
}

// --- download --------------------------------------------------------------------------------

OpeningFileSink::OpeningFileSink(std::filesystem::path target,
                                 const protocol::AttachmentDescriptor& descriptor,
                                 const ProgressCallback& progress, bool replace_existing)
    : target_(std::move(target)),
      descriptor_(descriptor),
      progress_(progress),
      plain_(kAttachmentChunk),
      replace_existing_(replace_existing) {
  partial_ = target_;
  partial_ += ".part";
}

OpeningFileSink::~OpeningFileSink() {
  if (file_ != nullptr) {
    std::fclose(file_);
    std::error_code ignored;
    std::filesystem::remove(partial_, ignored);  // never verified: it must not stay
  }
  protocol::secure_wipe(plain_.data(), plain_.size());
}

Result<std::unique_ptr<OpeningFileSink>> OpeningFileSink::create(
    const std::filesystem::path& target, const protocol::AttachmentDescriptor& descriptor,
    const ProgressCallback& progress, bool replace_existing) {
  std::unique_ptr<OpeningFileSink> sink(
      new OpeningFileSink(target, descriptor, progress, replace_existing));
  std::error_code ignored;
  if (!replace_existing &&
      std::filesystem::exists(std::filesystem::symlink_status(target, ignored))) {
    return make_error_code(client_errc::file_exists);
  }
  if (auto created = sink->create_partial(); !created) {
    return created.error();
  }
  if (auto rewound = sink->rewind(); !rewound) {
    return rewound.error();
  }
  return sink;
}

// The partial file is made here and nowhere else: O_EXCL and O_NOFOLLOW, so a file or a
// symbolic link planted at its name is never written through (it is replaced, not followed,
// only when asked to replace).
Result<void> OpeningFileSink::create_partial() {
  if (replace_existing_) {
    ::unlink(partial_.c_str());  // removes a link itself, never its target
  }
  const int fd =
      ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return errno == EEXIST || errno == ELOOP ? make_error_code(client_errc::file_exists)
                                             : unwritable();
  }
  ::fchmod(fd, 0600);
  file_ = ::fdopen(fd, "wb");
  if (file_ == nullptr) {
    ::close(fd);
    ::unlink(partial_.c_str());
    return unwritable();
  }
  return {};
}

Result<void> OpeningFileSink::rewind() {
  // The same partial file again, emptied (a download sent again from the start).
  if (std::fflush(file_) != 0 || ::ftruncate(::fileno(file_), 0) != 0 ||
      std::fseek(file_, 0, SEEK_SET) != 0) {
    return unwritable();
  }
  auto opener = protocol::AttachmentOpener::start(descriptor_.key, descriptor_.stream_header,
                                                  descriptor_.ciphertext_size);
  if (!opener) {
    return invalid();
  }
  opener_.emplace(std::move(*opener));
  cipher_hash_.restart();
  plain_hash_.restart();
  pending_.clear();
  received_ = 0;
  written_ = 0;
  return {};
}

Result<void> OpeningFileSink::open_pending_chunk() {
  auto opened = opener_->open_chunk(pending_, plain_);
  if (!opened) {
    return invalid();
  }
  if (std::fwrite(plain_.data(), 1, *opened, file_) != *opened) {
    return unwritable();
  }
  plain_hash_.update(std::span(plain_).first(*opened));
  written_ += *opened;
  pending_.clear();
  return {};
}

Result<void> OpeningFileSink::write(std::span<const std::uint8_t> bytes) {
  if (received_ + bytes.size() > descriptor_.ciphertext_size) {
    return invalid();  // longer than the sender signed
  }
  cipher_hash_.update(bytes);
  received_ += bytes.size();
  while (!bytes.empty()) {
    const std::size_t want = opener_->next_chunk_size() - pending_.size();
    const std::size_t n = std::min(want, bytes.size());
    pending_.insert(pending_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    bytes = bytes.subspan(n);
    if (pending_.size() == opener_->next_chunk_size()) {
      if (auto opened = open_pending_chunk(); !opened) {
        return opened.error();
      }
    }
  }
  report(progress_, descriptor_.file_name, received_, descriptor_.ciphertext_size, false);
  return {};
}

Result<std::uint64_t> OpeningFileSink::finish() {
  // The plaintext hash too: it is what a second approval approved (approval.hpp).
  if (received_ != descriptor_.ciphertext_size || !opener_->finished() ||
      !protocol::ct_equal(cipher_hash_.digest(), descriptor_.ciphertext_hash) ||
      !protocol::ct_equal(plain_hash_.digest(), descriptor_.plaintext_hash)) {
    return invalid();
  }
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  std::fclose(file_);
  file_ = nullptr;
  auto moved = flushed ? move_into_place() : Result<void>(unwritable());
  if (!moved) {
    std::error_code ignored;
    std::filesystem::remove(partial_, ignored);
    return moved.error();
  }
  return written_;
}

// rename(2) replaces what is at the target (a link itself, never what it points to); without
// replace_existing, RENAME_NOREPLACE, or link(2) and unlink(2) where the file system lacks it,
// so a file that appeared during the download is not overwritten either.
Result<void> OpeningFileSink::move_into_place() {
  if (replace_existing_) {
    return ::rename(partial_.c_str(), target_.c_str()) == 0 ? Result<void>{} : unwritable();
  }
  if (::renameat2(AT_FDCWD, partial_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) == 0) {
    return {};
  }
  if (errno != EINVAL && errno != ENOSYS) {
    return errno == EEXIST ? make_error_code(client_errc::file_exists) : unwritable();
  }
  if (::link(partial_.c_str(), target_.c_str()) != 0) {
    return errno == EEXIST ? make_error_code(client_errc::file_exists) : unwritable();
  }
  ::unlink(partial_.c_str());
  return {};
}

}  // namespace draaischijf::client
