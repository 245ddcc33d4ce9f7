#include "inbox_sync.hpp"

#include <algorithm>
#include <string>

#include <boost/asio/post.hpp>
#include <boost/json/object.hpp>

namespace draaischijf::ui {

InboxSync::InboxSync(boost::asio::io_context& io, Vault& vault)
    : io_(io), vault_(vault), thread_([this] { run(); }) {}

InboxSync::~InboxSync() {
  {
    const std::lock_guard guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void InboxSync::request(client::Client& client, ListAnswer answer, Answered answered) {
  const auto unlocked = vault_.unlocked();
  std::vector<Waiting> stale;
  {
    const std::lock_guard guard(mutex_);
    if (next_.unlocked != unlocked) {
      // Asked in an unlock that ended: those are answered `locked`, as any answer after it.
      stale = std::exchange(next_.waiting, {});
      next_.unlocked = unlocked;
      next_.copy.reset();
    }
    // The keys are copied here, on the server's thread, which alone uses `client`; the thread
    // connects with them.
    if (!next_.copy && vault_.background(unlocked) == nullptr) {
      next_.copy = client.session().copy();
    }
    next_.waiting.push_back({answer, std::move(answered)});
  }
  wake_.notify_one();
  for (auto& waiting : stale) {
    waiting.answered(problem_response(Problem::locked));
  }
}

std::uint64_t InboxSync::syncs() const {
  const std::lock_guard guard(mutex_);
  return syncs_;
}

void InboxSync::run() {
  while (true) {
    Round round;
    {
      std::unique_lock guard(mutex_);
      wake_.wait(guard, [this] { return stopping_ || !next_.waiting.empty(); });
      if (stopping_) {
        return;
      }
      round = std::exchange(next_, Round{});
    }
    sync(std::move(round));
  }
}

// The sync thread's client of the round's unlock: the one the vault keeps, or one opened now
// from the keys the server's thread copied (the vault keeps it until it locks).
std::shared_ptr<client::Client> InboxSync::client_for(Round& round, std::string& problem) {
  if (auto kept = vault_.background(round.unlocked)) {
    return kept;
  }
  if (!round.copy) {
    return nullptr;
  }
  auto opened = client::Client::open_copy(std::move(*round.copy));
  round.copy.reset();
  if (!opened) {
    problem = opened.error().message();
    return nullptr;
  }
  auto client = std::make_shared<client::Client>(std::move(*opened));
  return vault_.keep_background(round.unlocked, client) ? client : nullptr;
}

void InboxSync::sync(Round round) {
  std::optional<SyncedList> result;
  std::string problem;
  if (auto client = client_for(round, problem)) {
    const bool with_list =
        std::any_of(round.waiting.begin(), round.waiting.end(),
                    [](const Waiting& w) { return w.answer != ListAnswer::news; });
    result = synced_list(*client, vault_, round.unlocked, with_list);
  }
  {
    const std::lock_guard guard(mutex_);
    ++syncs_;
  }
  boost::asio::post(io_, [this, unlocked = round.unlocked, waiting = std::move(round.waiting),
                          result = std::move(result), problem = std::move(problem)] {
    // Back on the server's thread: an answer for an unlock that ended is `locked`; without a
    // client of its own (the hub could not be reached to open it) the list is the device's,
    // with the sync's problem, as after any sync that failed.
    client::Client* client = vault_.peek();
    for (const auto& w : waiting) {
      if (client == nullptr || vault_.unlocked() != unlocked) {
        w.answered(problem_response(Problem::locked));
      } else if (result) {
        w.answered(result->answer);
      } else if (w.answer == ListAnswer::news) {
        w.answered(
            json_response(200, boost::json::object{{"synced", true}, {"sync_problem", problem}}));
      } else {
        w.answered(device_list(*client, vault_, problem));
      }
    }
  });
}

}  // namespace draaischijf::ui
