#pragma once

// The hub notices on record (store/workflow_pass.hpp writes them): read by organisation, each
// with its signed bytes as the hub stored them, and acknowledged like a message. Scoped by the
// organisation in every query; which of its mailboxes a device may see is the caller's check.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

struct StoredNotice {
  std::int64_t sequence = 0;
  protocol::Id notice_id{};
  protocol::Id mailbox_id{};       // all zero: for the organisation as a whole
  std::vector<std::uint8_t> body;  // the signed notice (protocol/hub_notice.hpp)
  std::optional<std::int64_t> acked_at_ms;
};

class NoticeStore {
 public:
  explicit NoticeStore(std::shared_ptr<Storage> storage) : storage_(std::move(storage)) {}

  /// The organisation's notices after `after`, oldest first, at most `limit` rows looked at.
  [[nodiscard]] sqlite::Result<std::vector<StoredNotice>> list(const protocol::Id& org_id,
                                                               std::int64_t after,
                                                               std::size_t limit);
  /// One notice of the organisation; not_found (directory_errc) for another's or none.
  [[nodiscard]] sqlite::Result<StoredNotice> find(const protocol::Id& org_id,
                                                  const protocol::Id& notice_id);
  /// Marks it acknowledged (the first acknowledgement is kept) with an audit row.
  using Done = std::function<void(sqlite::Result<void>)>;
  [[nodiscard]] bool acknowledge(const protocol::Id& org_id, const protocol::Id& notice_id,
                                 const protocol::Id& device_id, std::int64_t at_ms, Done done);

 private:
  std::shared_ptr<Storage> storage_;
};

}  // namespace draaischijf::server
