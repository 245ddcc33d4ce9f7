// How fast the hub lists referrals (GET /v1/referrals, docs/WORKFLOW.md 3): 10,000 referrals of
// one CLB to 20 partners in a real hub database (the schema's migrations, WAL, the reading
// connection), in mixed states with statements; then each filter the route offers, timed on
// the store the route calls (ReferralStore::list, plus the statements of every listed row as
// the route reads them). Prints the median and the worst of RUNS runs per query in ms.
//
//   referral_listing DIR [REFERRALS] [RUNS]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/store/referral_store.hpp>

namespace {

using draaischijf::protocol::Id;
using namespace draaischijf::server;

// The rows as the message store and the status route write them, in one transaction.
void fill(Storage& storage, const Id& clb, const std::vector<Id>& partners, int count) {
  std::promise<sqlite::Result<void>> done;
  const bool queued = storage.writer().submit(
      [&](sqlite::Database& db) -> sqlite::Result<void> {
        auto referral = db.prepare(
            "INSERT INTO referrals (referral_id, referrer_org, partner_org, kind, sent_at_ms, "
            "state, last_sequence, updated_at_ms, sent_day, received_due_day, answered_due_day) "
            "VALUES (?, ?, ?, 3, ?, ?, ?, ?, ?, ?, ?)");
        auto statement = db.prepare(
            "INSERT INTO referral_statements (referral, sequence, state, code, day, device_id, "
            "recorded_at_ms, statement) VALUES (?, ?, ?, 0, 0, ?, ?, zeroblob(366))");
        if (!referral || !statement) {
          return !referral ? referral.error() : statement.error();
        }
        const Id device = draaischijf::protocol::random_id();
        for (int i = 0; i < count; ++i) {
          const std::int64_t day = 20'000 + i / 40;  // about 40 referrals a day
          const std::int64_t state = i % 9;          // every state
          const std::int64_t statements = state == 0 ? 0 : 1 + i % 3;
          referral->reset();
          referral->bind(1, draaischijf::protocol::random_id())
              .bind(2, clb)
              .bind(3, partners[static_cast<std::size_t>(i) % partners.size()])
              .bind(4, day * 86'400'000)
              .bind(5, state)
              .bind(6, statements)
              .bind(7, day * 86'400'000)
              .bind(8, day)
              .bind(9, day + 3)
              .bind(10, day + 14);
          if (auto ok = referral->run(); !ok) {
            return ok;
          }
          const std::int64_t id = db.last_insert_rowid();
          for (std::int64_t s = 1; s <= statements; ++s) {
            statement->reset();
            statement->bind(1, id).bind(2, s).bind(3, state).bind(4, device).bind(5, day);
            if (auto ok = statement->run(); !ok) {
              return ok;
            }
          }
        }
        return {};
      },
      [&](sqlite::Result<void> result) { done.set_value(result); });
  if (!queued || !done.get_future().get()) {
    std::fprintf(stderr, "referral_listing: filling the database failed\n");
    std::exit(1);
  }
}

// One listing as the route answers it: the page, then each row's statements.
std::size_t listing(ReferralStore& store, const ReferralQuery& q) {
  auto rows = store.list(q);
  if (!rows) {
    std::fprintf(stderr, "referral_listing: %s\n", rows.error().message().c_str());
    std::exit(1);
  }
  for (const ReferralRow& r : *rows) {
    if (!store.statements(r.referral_id, r.partner_org)) {
      std::exit(1);
    }
  }
  return rows->size();
}

// The median and worst of `runs` calls of `list`, in ms, and the rows it gave.
struct Timing {
  double median_ms = 0;
  double worst_ms = 0;
  std::size_t rows = 0;
};

template <typename List>
Timing time_runs(List&& list, int runs) {
  std::vector<double> ms;
  Timing out;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    out.rows = list();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  out.median_ms = ms[ms.size() / 2];
  out.worst_ms = ms.back();
  return out;
}

// The baseline of the same run: the first 100 rows of the referrals table in key order on the
// same reading connection, with no filter, no index choice and no statements read.
Timing time_baseline(Storage& storage, int runs) {
  return time_runs(
      [&storage] {
        return storage.read([](sqlite::Database& db) -> std::size_t {
          auto select = db.prepare("SELECT * FROM referrals ORDER BY id LIMIT 100");
          std::size_t rows = 0;
          while (select) {
            auto row = select->step();
            if (!row || !*row) {
              break;
            }
            ++rows;
          }
          return rows;
        });
      },
      runs);
}

void time_query(ReferralStore& store, const char* name, const ReferralQuery& q, int runs,
                const Timing& baseline) {
  const Timing t = time_runs([&] { return listing(store, q); }, runs);
  std::printf("%-40s rows=%-5zu median_ms=%.2f max_ms=%.2f median_x_baseline=%.1f\n", name, t.rows,
              t.median_ms, t.worst_ms, t.median_ms / baseline.median_ms);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: referral_listing DIR [REFERRALS] [RUNS]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int count = argc > 2 ? std::stoi(argv[2]) : 10'000;
  const int runs = argc > 3 ? std::stoi(argv[3]) : 21;
  std::filesystem::create_directories(dir);
  const auto file = dir / "referral-listing.db";
  std::filesystem::remove(file);
  auto storage = Storage::open(file.string());
  if (!storage) {
    std::fprintf(stderr, "referral_listing: %s\n", storage.error().message().c_str());
    return 1;
  }
  const Id clb = draaischijf::protocol::random_id();
  std::vector<Id> partners;
  for (int i = 0; i < 20; ++i) {
    partners.push_back(draaischijf::protocol::random_id());
  }
  fill(**storage, clb, partners, count);
  ReferralStore store(*storage);

  ReferralQuery base;
  base.org = clb;
  base.today = 20'000 + static_cast<std::uint32_t>(count / 40);
  base.limit = 100;
  std::printf("referrals=%d partners=20 runs=%d\n", count, runs);
  const Timing baseline = time_baseline(**storage, runs);
  std::printf("%-40s rows=%-5zu median_ms=%.2f max_ms=%.2f\n", "baseline: 100 rows, no filter",
              baseline.rows, baseline.median_ms, baseline.worst_ms);
  time_query(store, "first page (100)", base, runs, baseline);
  ReferralQuery waitlisted = base;
  waitlisted.state = draaischijf::protocol::ReferralState::waitlisted;
  time_query(store, "state=waitlisted (100)", waitlisted, runs, baseline);
  ReferralQuery partner = base;
  partner.counterpart = partners[7];
  time_query(store, "partner=one of 20 (100)", partner, runs, baseline);
  ReferralQuery overdue = base;
  overdue.overdue_only = true;
  time_query(store, "overdue=true (100)", overdue, runs, baseline);
  ReferralQuery combined = overdue;
  combined.counterpart = partners[3];
  combined.state = draaischijf::protocol::ReferralState::sent;
  time_query(store, "overdue+partner+state=sent (100)", combined, runs, baseline);
  ReferralQuery last = base;
  last.limit = 1000;
  last.after = count - 500;
  time_query(store, "last page, limit 1000", last, runs, baseline);
  ReferralQuery partner_side = base;
  partner_side.org = partners[5];
  partner_side.side = ReferralSide::received;
  partner_side.limit = 1000;
  time_query(store, "a partner's incoming (limit 1000)", partner_side, runs, baseline);
  return 0;
}
