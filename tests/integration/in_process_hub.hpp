#pragma once

// The development deployment served by a hub in the test's own process (Hub::create with a
// manual clock), for tests that move the hub's time: retention, and the disk-full behaviour.
// Clients talk to it over real TLS as to the hub process (DevHub attached to its port).

#include <fstream>
#include <thread>

#include <draaischijf/server/net/hub.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {

/// The development deployment served in this process, on a clock the test moves.
class InProcessHub {
 public:
  /// `extra_config` is appended to [server] listen_port = 0 / data_dir (may open new tables).
  /// `start`: the hub's time when the deployment is made (a workflow test starts on a date).
  explicit InProcessHub(const std::filesystem::path& dir, const std::string& extra_config = "",
                        protocol::TimePoint start = std::chrono::system_clock::now())
      : clock_(start),
        log_file_(dir / "hub.log", std::ios::app),
        log_(log_file_, server::LogLevel::info),
        dir_(dir) {
    config_ = parsed(extra_config);
    pki_ = config_.server.data_dir / "dev-pki";
    const auto tls = server::ensure_dev_pki(pki_, config_, clock_);
    config_.server.metrics_devices = {hex(server::load_dev_device_keys(pki_ / "clb").device_id)};
    hub_ = server::Hub::create(config_, tls, log_, clock_);
    server::ensure_dev_directory(hub_->directory(), hub_->consents(), pki_, clock_);
    thread_ = std::thread([this] { hub_->run(); });
  }
  InProcessHub(const InProcessHub&) = delete;
  InProcessHub& operator=(const InProcessHub&) = delete;
  ~InProcessHub() {
    hub_->stop();
    thread_.join();
  }

  [[nodiscard]] server::Hub& hub() { return *hub_; }
  /// What SIGHUP does with the configuration file, with `extra_config` in place of the one the
  /// hub started with. The reload runs on an I/O thread: the caller waits for its effect.
  void reload(const std::string& extra_config) {
    server::ReloadedSettings fresh;
    fresh.config = parsed(extra_config);
    hub_->reload(std::move(fresh));
  }
  [[nodiscard]] std::uint16_t port() const { return hub_->port(); }
  [[nodiscard]] const std::filesystem::path& pki() const { return pki_; }
  void advance(std::chrono::milliseconds by) { clock_.advance(by); }
  /// Puts the hub's clock at `unix_ms` (milliseconds since 1970), backwards too.
  void set_time_ms(std::int64_t unix_ms) { clock_.set(protocol::from_unix_ms(unix_ms)); }
  [[nodiscard]] protocol::TimePoint now() const { return clock_.now(); }

 private:
  [[nodiscard]] server::HubConfig parsed(const std::string& extra_config) const {
    auto result = server::parse_config("[server]\nlisten_port = 0\ndata_dir = \"" +
                                       (dir_ / "data").string() + "\"\n" + extra_config);
    EXPECT_TRUE(result.ok()) << (result.ok()
                                     ? ""
                                     : result.errors[0].key + ": " + result.errors[0].message);
    return result.config;
  }

  protocol::ManualClock clock_;
  std::ofstream log_file_;
  server::Logger log_;
  std::filesystem::path dir_;
  server::HubConfig config_;
  std::filesystem::path pki_;
  std::unique_ptr<server::Hub> hub_;
  std::thread thread_;
};

}  // namespace draaischijf::testing
