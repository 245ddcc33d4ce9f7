#pragma once

// Bridges the group-commit writer thread back into a session's coroutine.

#include <memory>
#include <optional>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace draaischijf::server {

// Runs a writer-thread change and resumes on the session's executor with its result; nullopt
// when the writer's queue was full (nothing happened).
template <class Result, class Start>
boost::asio::awaitable<std::optional<Result>> on_writer(Start start) {
  co_return co_await boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                                 void(std::optional<Result>)>(
      [start = std::move(start)](auto handler) mutable {
        using Handler = decltype(handler);
        auto shared = std::make_shared<Handler>(std::move(handler));
        auto executor = boost::asio::get_associated_executor(*shared);
        auto complete = [shared, executor](std::optional<Result> result) {
          boost::asio::post(executor, [shared, result = std::move(result)]() mutable {
            std::move (*shared)(std::move(result));
          });
        };
        if (!start([complete](Result result) { complete(std::move(result)); })) {
          complete(std::nullopt);
        }
      },
      boost::asio::use_awaitable);
}

}  // namespace draaischijf::server
