#pragma once

// What a connection and a notification stream need from the hub that owns them: its parts,
// its counters and its stop. Hub::Impl (hub.cpp) holds one for its lifetime.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/core/log.hpp>
#include <draaischijf/server/core/notifier.hpp>
#include <draaischijf/server/store/directory.hpp>

#include "api/api.hpp"
#include "net/blob_transfer.hpp"
#include "net/stop_signal.hpp"

namespace draaischijf::server {

struct Metrics {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> handshakes_failed{0};
  std::atomic<std::uint64_t> crl_reloads_failed{0};
  std::atomic<std::size_t> connections{0};
};

struct Services {
  const HubConfig& config;
  Logger& log;
  Directory& directory;
  Api& api;
  BlobRouteParts blobs;
  Notifier& notifier;
  Metrics& metrics;
  StopSignal& stop_signal;
  const std::atomic<bool>& stopping;
  std::atomic<std::uint64_t>& next_request;
  std::function<std::string()> metrics_text;  // GET /metrics
};

}  // namespace draaischijf::server
