// The hop from the group-commit writer thread back to a handler's coroutine (api/on_writer.hpp):
// the only place the API's coroutines meet Asio's executors.

#include <memory>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/on_writer.hpp"

namespace draaischijf::server {

namespace {

// A named initiation, and writer_hop itself no coroutine: GCC 12 destroys a lambda's
// init-captures twice when the lambda is created inside a co_await expression.
struct HopInitiation {
  std::function<bool(std::function<void()>)> start;

  template <class Handler>
  void operator()(Handler handler) {
    namespace net = boost::asio;
    auto shared = std::make_shared<Handler>(std::move(handler));
    auto executor = net::get_associated_executor(*shared);
    auto complete = [shared, executor](bool done) {
      net::post(executor, [shared, done]() mutable { std::move (*shared)(done); });
    };
    if (!start([complete] { complete(true); })) {
      complete(false);
    }
  }
};

}  // namespace

Task<bool> writer_hop(std::function<bool(std::function<void()>)> start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(bool)>(
      HopInitiation{std::move(start)}, boost::asio::use_awaitable);
}

}  // namespace draaischijf::server
