#pragma once

// The hub's side of c2sp.org/tlog-witness (docs/PROTOCOL.md 13.3): on the hub's timer strand,
// never on the write path, each round signs each log's current checkpoint, publishes it as the
// checkpoint the API serves, and submits it to every configured witness with a consistency
// proof from the size that witness last cosigned; the cosignatures that verify are attached to
// the served checkpoint. A witness that is down or refuses costs a metric and a log line, never
// a request.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <draaischijf/protocol/note.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/core/log.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

namespace draaischijf::server {

class WitnessRounds {
 public:
  /// Reads each witness's certificate; std::runtime_error (startup) when one cannot be used.
  WitnessRounds(const HubConfig::Transparency& config, TransparencyLogs& logs, Logger& log);
  WitnessRounds(const WitnessRounds&) = delete;
  WitnessRounds& operator=(const WitnessRounds&) = delete;

  /// Whether any witness is configured. This, replace() and round() run on the strand of the
  /// rounds (the hub's timer strand), or before the hub runs.
  [[nodiscard]] bool any() const noexcept { return !targets_.empty(); }
  /// The witnesses of `config` from now on (SIGHUP), returning how many: every certificate is
  /// read first, so one that cannot be used throws std::runtime_error naming it and leaves the
  /// witnesses in force. A witness kept (same url and vkey) keeps the sizes it cosigned; a round
  /// under way finishes with the witnesses it began with.
  std::size_t replace(const HubConfig::Transparency& config);
  /// One round: publish, then submit to each witness in turn (on the caller's strand).
  boost::asio::awaitable<void> round();
  /// Publishes the current checkpoints without submitting: before the hub listens, so the API
  /// serves a round's checkpoint from its first request on.
  void publish();

  [[nodiscard]] std::uint64_t cosignatures() const noexcept { return cosignatures_; }
  [[nodiscard]] std::uint64_t failures() const noexcept { return failures_; }

 private:
  struct Target {
    HubConfig::Witness config;
    protocol::note::VerifierKey key;
    std::shared_ptr<boost::asio::ssl::context> tls;
    std::uint64_t known[2] = {0, 0};  // the size it last cosigned, by log (directory, record)
  };
  struct Reply {
    unsigned status = 0;
    std::string content_type;
    std::string body;
  };
  struct Published {
    LogId log;
    std::string note;
    protocol::note::Checkpoint checkpoint;
  };
  static std::vector<std::shared_ptr<Target>> targets_of(const HubConfig::Transparency& config);
  std::vector<Published> publish_current();
  boost::asio::awaitable<void> submit(Target& target, const Published& current);
  boost::asio::awaitable<std::optional<Reply>> post(const Target& target, std::string body);
  void failed(const Target& target, LogId log, std::string_view reason, unsigned status = 0);

  TransparencyLogs& logs_;
  Logger& log_;
  std::vector<std::shared_ptr<Target>> targets_;
  std::atomic<std::uint64_t> cosignatures_{0};
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace draaischijf::server
