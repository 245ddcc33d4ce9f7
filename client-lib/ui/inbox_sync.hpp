#pragma once

// The inbox's sync on a thread of its own, so the server's one thread never waits for the hub
// behind the page's list: GET /api/inbox and /api/inbox?news=1 (inbox_view.hpp) are answered
// from here, while a message the device holds opens, the list from the device is served, and
// everything else goes on, on the server's thread.
//
// The thread syncs with a client of its own for the same unlock (Session::open_copy: the keys
// copied, a hub connection and a connection to the local store of its own; the vault keeps it
// and drops it when it locks). The keys are copied on the server's thread; the hub is connected
// to on this one. What the two threads share is behind the vault's lock (Vault::learnt), held
// for map look-ups and writes only, and SQLite serialises their writes to the local store. The
// answers are handed back to the server's thread (asio::post), which writes them.
//
// Requests that come while a sync runs are answered by the next one, which starts after it: a
// message that arrived after the running sync asked the hub is not missed. Every request
// waiting then is answered by that one sync.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "api.hpp"
#include "inbox_view.hpp"
#include "vault.hpp"

namespace draaischijf::ui {

class InboxSync {
 public:
  /// Called on the server's thread with the answer.
  using Answered = std::function<void(Response)>;

  InboxSync(boost::asio::io_context& io, Vault& vault);
  InboxSync(const InboxSync&) = delete;
  InboxSync& operator=(const InboxSync&) = delete;
  /// Waits for a running sync to end (its exchange with the hub), then stops the thread.
  ~InboxSync();

  /// On the server's thread, with the vault unlocked (`client` its client): answers `answered`
  /// once a sync that starts after this call ended, with the window `query` asks for
  /// (ListAnswer::synced) or, for ListAnswer::news, that window only when the sync brought news;
  /// 423 locked when the vault locked meanwhile.
  void request(client::Client& client, ListAnswer answer, InboxQuery query, Answered answered);

  /// Syncs that ended (for tests).
  [[nodiscard]] std::uint64_t syncs() const;

 private:
  struct Waiting {
    ListAnswer answer;
    InboxQuery query;
    Answered answered;
  };
  struct Round {
    std::uint64_t unlocked = 0;
    std::vector<Waiting> waiting;
    std::optional<client::SessionCopy> copy;
  };

  void run();
  [[nodiscard]] std::shared_ptr<client::Client> client_for(Round& round, std::string& problem);
  void sync(Round round);

  boost::asio::io_context& io_;
  Vault& vault_;
  mutable std::mutex mutex_;  // guards what follows, shared with the thread
  std::condition_variable wake_;
  bool stopping_ = false;
  Round next_;
  std::uint64_t syncs_ = 0;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace draaischijf::ui
