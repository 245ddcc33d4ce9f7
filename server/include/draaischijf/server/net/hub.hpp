#pragma once

// draaischijf-hub as an object: TLS 1.3 with mutual authentication, HTTP/1.1 under /v1, the
// message store behind it. Asio and Beast stay inside net/; this header shows neither.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <draaischijf/protocol/clock.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/core/log.hpp>
#include <draaischijf/server/store/consent_registry.hpp>
#include <draaischijf/server/store/directory.hpp>
#include <draaischijf/server/store/retention.hpp>
#include <draaischijf/server/store/workflow_pass.hpp>

namespace draaischijf::server {

/// PEM material for the listener.
struct TlsMaterial {
  std::string certificate_chain;  // server certificate first
  std::string private_key;
  std::string client_ca;  // the hub root that device chains must reach
};

/// What a reload replaces besides the CRLs and the rule set, read again by the caller
/// (draaischijf-hub re-reads its configuration file on SIGHUP).
struct ReloadedSettings {
  /// Its [retention] applies from now on (envelopes stored before keep their periods), and its
  /// [workflow] (referrals stored before keep their due dates); every other setting is read at
  /// startup only.
  std::optional<HubConfig> config;
  /// A renewed server certificate and key (and the client CA): new handshakes use them.
  std::optional<TlsMaterial> tls;
};

class Hub {
 public:
  /// Opens the store, loads or creates the hub's signing key in data_dir, binds the listener.
  /// Throws std::runtime_error at startup only, with a message that says what to fix.
  /// `clock` stamps what the hub stores and checks envelopes' creation times; it must outlive
  /// the hub.
  [[nodiscard]] static std::unique_ptr<Hub> create(
      const HubConfig& config, const TlsMaterial& tls, Logger& log,
      const protocol::Clock& clock = protocol::system_clock());
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;
  ~Hub();

  [[nodiscard]] std::uint16_t port() const;
  /// The directory, for the development deployment to fill before run().
  [[nodiscard]] Directory& directory();
  [[nodiscard]] ConsentRegistry& consents();
  /// Runs before every periodic CRL reload, on an I/O thread (the development deployment
  /// re-issues its CRLs here). An exception it throws is logged and the reload goes on. Set it
  /// before run().
  void before_crl_reload(std::function<void()> hook);
  /// Runs retention passes (store/retention.hpp) as of the hub's clock until nothing is left,
  /// and returns what they deleted together. The hub runs them by itself every
  /// retention.purge_interval_seconds; this is for tests and tools. Blocks until the passes
  /// committed, so never call it on an I/O thread. Throws std::runtime_error when a pass fails.
  PurgeReport purge_now();
  /// Runs workflow passes (store/workflow_pass.hpp) as of the hub's clock until no finder has
  /// more, announces the notices they wrote and returns them. The hub runs them by itself every
  /// workflow.pass_interval_seconds; this is for tests and tools, like purge_now().
  WorkflowReport workflow_now();
  /// Re-reads the CRLs and the signed rule set now (the operator's SIGHUP), and applies
  /// `fresh`'s retention settings and TLS material, without dropping a connection: new
  /// handshakes use the new CRLs and certificate, new envelopes the new rules and periods. A
  /// part that fails keeps what is in force, is logged (crl.reload_failed,
  /// policy.reload_failed, tls.reload_failed) and counted in /metrics. Thread-safe; returns at
  /// once, the reload runs on an I/O thread.
  void reload(ReloadedSettings fresh = {});
  /// Serves until stop(); runs the I/O threads and returns when they are done.
  void run();
  /// Stops accepting, lets requests in flight finish, then ends run(). Thread-safe.
  void stop();

  struct Impl;

 private:
  explicit Hub(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace draaischijf::server
