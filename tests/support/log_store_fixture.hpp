#pragma once

// A hub database of its own for the transparency-log store tests: the storage (writer and
// reading connection), a way to hand the writer several jobs at once, and the log's size as the
// reading connection sees it.

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/server/store/storage.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "test_support.hpp"

namespace draaischijf::testing {

/// The bytes of the test's entry number `i` ("<prefix><i>").
inline std::vector<std::uint8_t> numbered_entry(std::string_view prefix, int i) {
  const std::string text = std::string(prefix) + std::to_string(i);
  return {text.begin(), text.end()};
}

struct LogStoreFixture {
  TempDir dir;
  std::shared_ptr<server::Storage> storage =
      server::Storage::open((dir.path() / "hub.db").string()).value();

  /// Submits every job at once (so they can share a group commit), runs `after_submit` (a test
  /// that holds the writer lets it go there), and waits for all of them: each job's outcome.
  std::vector<bool> submit_all(std::vector<server::GroupCommitWriter::Job> jobs,
                               const std::function<void()>& after_submit = {}) {
    std::vector<std::promise<bool>> done(jobs.size());
    std::vector<std::future<bool>> results;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      results.push_back(done[i].get_future());
      EXPECT_TRUE(storage->writer().submit(
          std::move(jobs[i]),
          [&done, i](server::sqlite::Result<void> r) { done[i].set_value(r.has_value()); }));
    }
    if (after_submit) {
      after_submit();
    }
    std::vector<bool> out;
    for (auto& r : results) {
      out.push_back(r.get());
    }
    return out;
  }

  std::uint64_t size(server::LogId log) {
    return storage->read(
        [&](server::sqlite::Database& db) { return server::log_size(db, log).value(); });
  }
};

}  // namespace draaischijf::testing
