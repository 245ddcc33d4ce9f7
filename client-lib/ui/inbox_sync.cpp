#include "inbox_sync.hpp"

#include <optional>
#include <string>
#include <vector>

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

void InboxSync::request(client::Client& client, ListAnswer answer, InboxQuery query,
                        Answered answered) {
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
    next_.waiting.push_back({answer, std::move(query), std::move(answered)});
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
  SyncOutcome outcome;
  // Each request's window, made here with this thread's client (reading thousands of rows is
  // not left to the server's thread, where a message is being opened meanwhile).
  std::vector<std::optional<Response>> answers(round.waiting.size());
  if (auto client = client_for(round, outcome.problem)) {
    outcome = sync_inbox(*client, vault_, round.unlocked);
    for (std::size_t i = 0; i < answers.size(); ++i) {
      const auto& w = round.waiting[i];
      answers[i] = list_after_sync(*client, vault_, w.answer, outcome, w.query);
    }
  }
  {
    const std::lock_guard guard(mutex_);
    ++syncs_;
  }
  boost::asio::post(io_, [this, unlocked = round.unlocked, waiting = std::move(round.waiting),
                          answers = std::move(answers), outcome = std::move(outcome)]() mutable {
    // Back on the server's thread: an answer for an unlock that ended is `locked`. Without a
    // client of its own (the hub could not be reached to open it) the list is the device's,
    // made here, with the sync's problem, as after any sync that failed.
    client::Client* client = vault_.peek();
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      const auto& w = waiting[i];
      if (client == nullptr || vault_.unlocked() != unlocked) {
        w.answered(problem_response(Problem::locked));
      } else if (answers[i]) {
        w.answered(std::move(*answers[i]));
      } else {
        w.answered(list_after_sync(*client, vault_, w.answer, outcome, w.query));
      }
    }
  });
}

}  // namespace draaischijf::ui
