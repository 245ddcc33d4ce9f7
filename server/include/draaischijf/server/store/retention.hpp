#pragma once

// Retention: the hub is a relay, not an archive (docs/POLICY.md, "Retention"). A pass, run on
// the group-commit writer like every other change, does in one transaction and at most
// `batch` rows of each step:
//
//   1. expires the queue entries nobody acknowledged within their unfetched period (the sender
//      learns it: delivery status `expired`, and an `expired` notice on /v1/stream);
//   2. deletes the ciphertext of envelopes that no recipient waits for any more, once their
//      settled period has passed since the last recipient acknowledged (or the entry expired
//      or was withdrawn); the row stays, without body, as the delivery record, and the blobs
//      no remaining envelope names go with it;
//   3. deletes attachment blobs no admitted envelope ever granted, after the orphan period;
//   4. deletes delivery records, audit rows and disclosure-register rows older than their
//      own (long) periods;
//
// and writes one audit row with the counts (never ids of what went, never content). A pass
// that filled a batch says so (`more`): the caller runs the next one, so a large backlog is
// worked off in short transactions that let submissions through in between.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/vocabulary.hpp>
#include <draaischijf/server/store/blob_store.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

inline constexpr std::int64_t kDayMs = std::int64_t{24} * 3600 * 1000;

/// How long a message's ciphertext may stay at the hub, fixed per envelope when it is stored.
struct MessagePeriods {
  std::int64_t settled_ms = 7 * kDayMs;     // after the last recipient acknowledged it
  std::int64_t unfetched_ms = 30 * kDayMs;  // a recipient that has not acknowledged it by then
};

/// Periods set for one message kind or data category; unset ones fall back (see for_message).
struct PeriodOverride {
  std::optional<std::int64_t> settled_ms;
  std::optional<std::int64_t> unfetched_ms;
};

struct RetentionPolicy {
  MessagePeriods messages;
  std::map<protocol::MessageKind, PeriodOverride> kinds;
  std::map<protocol::DataCategory, PeriodOverride> categories;
  std::int64_t orphan_blob_ms = kDayMs;     // an uploaded blob no envelope granted
  std::int64_t records_ms = 1827 * kDayMs;  // audit rows and delivery records (5 years)
  std::int64_t disclosures_ms = 1827 * kDayMs;
  // A referral that ended (declined, closed, cancelled) and a closed case, after they ended.
  std::int64_t workflow_ms = 730 * kDayMs;
  // A hub notice's signed body, after the notice was made (docs/POLICY.md 11).
  std::int64_t notices_ms = 365 * kDayMs;
  std::size_t batch = 500;  // rows per step and pass at most

  /// The periods of a message of `kind` with `categories`: for each period, the shortest value
  /// set for its kind or any of its categories (the most protective rule wins), else the
  /// default.
  [[nodiscard]] MessagePeriods for_message(protocol::MessageKind kind,
                                           protocol::CategorySet categories) const;
};

/// One queue entry that expired: the sender organisation hears of it.
struct Expiry {
  protocol::Id mailbox_id{};
  std::int64_t sequence = 0;
  protocol::Id message_id{};
  protocol::Id sender_org{};
};

/// What one pass deleted, by step.
/// What retention passes deleted, by step: one pass's counts, or a running total.
struct PurgeCounts {
  std::size_t expired = 0;       // queue entries expired unfetched
  std::size_t envelopes = 0;     // envelopes whose ciphertext was deleted
  std::size_t blobs = 0;         // blobs deleted with the last envelope that named them
  std::size_t orphan_blobs = 0;  // blobs no envelope granted
  std::size_t records = 0;       // delivery records past the records period
  std::size_t audit = 0;         // audit rows past the records period
  std::size_t disclosures = 0;   // disclosure-register rows past their period
  std::size_t referrals = 0;     // ended referrals past the workflow period, with statements
  std::size_t cases = 0;         // closed cases past the workflow period, with statements, links
  std::size_t notices = 0;       // hub notices past their period, and their records once moot

  PurgeCounts& operator+=(const PurgeCounts& other);
  /// Calls `each(name, count)` for every step, under the names /metrics uses.
  template <class Each>
  void for_each(Each&& each) const {
    each("expired", expired);
    each("envelopes", envelopes);
    each("blobs", blobs);
    each("orphan_blobs", orphan_blobs);
    each("records", records);
    each("audit", audit);
    each("disclosures", disclosures);
    each("referrals", referrals);
    each("cases", cases);
    each("notices", notices);
  }
  [[nodiscard]] std::size_t total() const {
    std::size_t sum = 0;
    for_each([&sum](std::string_view, std::size_t n) { sum += n; });
    return sum;
  }
};

struct PurgeReport : PurgeCounts {
  std::vector<Expiry> expiries;
  bool more = false;  // a step filled its batch: run another pass

  /// Adds another pass's counts and expiries (`more` stays this one's).
  PurgeReport& operator+=(const PurgeReport& other);
};

class Retention {
 public:
  /// The files of the blobs a pass deleted are removed from `blobs`' folder after its COMMIT.
  Retention(std::shared_ptr<Storage> storage, const BlobStore& blobs, RetentionPolicy policy)
      : storage_(std::move(storage)), blob_folder_(blobs.folder()), policy_(std::move(policy)) {}

  [[nodiscard]] RetentionPolicy policy() const {
    const std::lock_guard lock(mutex_);
    return policy_;
  }
  /// Replaces the policy (a reload, SIGHUP): the next pass uses it; a pass already queued
  /// finishes under the one it began with.
  void set_policy(RetentionPolicy policy) {
    const std::lock_guard lock(mutex_);
    policy_ = std::move(policy);
  }

  /// One pass as of `now_ms`, through the writer. `done` runs after the COMMIT (on the writer
  /// thread). false when the writer's queue is full (nothing done, `done` not called).
  using Done = std::function<void(sqlite::Result<PurgeReport>)>;
  [[nodiscard]] bool purge(std::int64_t now_ms, Done done);

 private:
  std::shared_ptr<Storage> storage_;
  std::filesystem::path blob_folder_;
  mutable std::mutex mutex_;  // the policy is replaced on an I/O thread, read where a pass starts
  RetentionPolicy policy_;
};

}  // namespace draaischijf::server
