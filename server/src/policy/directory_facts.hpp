#pragma once

// What the policy gate reads from the directory for every envelope: the sender's staff id
// (from its device) and, per recipient mailbox, its organisation, that organisation's type and
// the function the mailbox's current epoch certificate names. Kept in memory while the
// directory's version holds (store/directory_version.hpp) and read again once it moves, so a
// change an admin made counts for every envelope after that change's commit, as before; between
// changes the gate costs the reading connection nothing.

#include <cstdint>
#include <map>
#include <mutex>

#include <draaischijf/policies/labels.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/directory_version.hpp>

namespace draaischijf::server {

class DirectoryFacts {
 public:
  /// `version`: nullptr, or one that does not watch, keeps nothing (every call reads).
  DirectoryFacts(Directory& directory, const DirectoryVersion* version)
      : directory_(directory), version_(version) {}

  /// The staff id the directory holds for the device (its error: not_found, storage).
  [[nodiscard]] sqlite::Result<protocol::Id> staff_of(const protocol::Id& device_id);
  /// The mailbox as the policy addresses it (its error: not_found, storage,
  /// certificate_invalid).
  [[nodiscard]] sqlite::Result<policies::RecipientFacts> recipient(const protocol::Id& mailbox_id);

  /// At most this many of each are kept; beyond it the memory starts over (a hub has a few
  /// thousand devices and mailboxes).
  static constexpr std::size_t kMaxKept = 16384;

 private:
  template <class T>
  using Kept = std::map<protocol::Id, T>;

  /// Looks `id` up in `kept`, or reads it with `read` and keeps it if the version did not move
  /// meanwhile.
  template <class T, class Read>
  sqlite::Result<T> kept_or_read(Kept<T>& kept, const protocol::Id& id, Read&& read);
  /// Forgets everything when the version moved since the last look (under mutex_).
  void follow_version();

  Directory& directory_;
  const DirectoryVersion* version_;
  std::mutex mutex_;
  std::uint64_t seen_version_ = 0;  // what `staff_` and `recipients_` were read at
  Kept<protocol::Id> staff_;
  Kept<policies::RecipientFacts> recipients_;
};

}  // namespace draaischijf::server
