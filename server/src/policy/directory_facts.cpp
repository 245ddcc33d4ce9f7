#include "policy/directory_facts.hpp"

#include <draaischijf/protocol/certificate.hpp>

namespace draaischijf::server {

void DirectoryFacts::follow_version() {
  const std::uint64_t now = version_->current();
  if (now != seen_version_) {
    staff_.clear();
    recipients_.clear();
    seen_version_ = now;
  }
}

template <class T, class Read>
sqlite::Result<T> DirectoryFacts::kept_or_read(Kept<T>& kept, const protocol::Id& id, Read&& read) {
  if (version_ == nullptr || !version_->watching()) {
    return read();
  }
  std::uint64_t read_at = 0;
  {
    const std::lock_guard lock(mutex_);
    follow_version();
    if (auto found = kept.find(id); found != kept.end()) {
      return found->second;
    }
    read_at = seen_version_;
  }
  // Read outside the lock: the reading connection has its own. The version is taken before
  // the read, so a commit that lands during it leaves the answer unkept.
  sqlite::Result<T> fresh = read();
  if (fresh) {
    const std::lock_guard lock(mutex_);
    follow_version();
    if (seen_version_ == read_at) {
      if (kept.size() >= kMaxKept) {
        kept.clear();
      }
      kept.emplace(id, *fresh);
    }
  }
  return fresh;
}

sqlite::Result<protocol::Id> DirectoryFacts::staff_of(const protocol::Id& device_id) {
  return kept_or_read(staff_, device_id, [&]() -> sqlite::Result<protocol::Id> {
    auto device = directory_.device(device_id);
    if (!device) {
      return device.error();
    }
    return device->staff_id;
  });
}

sqlite::Result<policies::RecipientFacts> DirectoryFacts::recipient(const protocol::Id& mailbox_id) {
  return kept_or_read(recipients_, mailbox_id, [&]() -> sqlite::Result<policies::RecipientFacts> {
    auto mailbox = directory_.mailbox(mailbox_id);
    if (!mailbox) {
      return mailbox.error();
    }
    auto organisation = directory_.organisation(mailbox->org_id);  // always there (foreign key)
    if (!organisation) {
      return organisation.error();
    }
    const auto epoch = protocol::parse_epoch_certificate(mailbox->certificate);
    if (!epoch) {
      return make_error_code(directory_errc::certificate_invalid);  // stored only when valid
    }
    // The role the mailbox serves as its organisation signed it, never as its name suggests.
    return policies::RecipientFacts{mailbox->org_id, organisation->type, epoch->function};
  });
}

}  // namespace draaischijf::server
