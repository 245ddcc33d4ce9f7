#pragma once

// Bridges the group-commit writer thread back into a handler's coroutine. The hop itself
// (resuming on the session's executor) is the transport's: net/writer_hop.cpp.

#include <functional>
#include <memory>
#include <optional>

#include "api/reply.hpp"

namespace draaischijf::server {

/// Calls `start(resume)`; the coroutine resumes on its own executor once `resume` has been
/// called, from any thread, with true; at once with false when `start` returns false.
[[nodiscard]] Task<bool> writer_hop(std::function<bool(std::function<void()>)> start);

// Runs a writer-thread change and resumes on the session's executor with its result; nullopt
// when the writer's queue was full (nothing happened).
template <class Result, class Start>
Task<std::optional<Result>> on_writer(Start start) {
  auto result = std::make_shared<std::optional<Result>>();
  std::function<bool(std::function<void()>)> begin =
      [result, start = std::move(start)](std::function<void()> resume) mutable {
        return start([result, resume = std::move(resume)](Result outcome) {
          *result = std::move(outcome);
          resume();
        });
      };
  if (!co_await writer_hop(std::move(begin))) {
    co_return std::nullopt;
  }
  co_return std::move(*result);
}

}  // namespace draaischijf::server
