#pragma once

// Runs the real draaischijf-witness process on 127.0.0.1 (port 0) from a folder made by its own
// `init`, and talks to it as a log does: POST /add-checkpoint over TLS 1.3, verifying the
// witness's self-signed certificate. Blocking OpenSSL through Beast, nothing of the witness's
// own code.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <draaischijf/protocol/note.hpp>

#include "eventually.hpp"
#include "process.hpp"

namespace draaischijf::testing {

/// `draaischijf-witness init` in `dir` under `name`, with `logs` (origin, vkey text) appended to
/// its configuration and port 0; returns the witness's vkey as init printed it.
inline protocol::note::VerifierKey init_witness(
    const std::filesystem::path& dir, const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& logs) {
  const auto result = run_program(dir.parent_path(), {DRAAISCHIJF_WITNESS_BINARY, "init", "--dir",
                                                      dir.string(), "--name", name});
  if (result.exit != 0) {
    throw std::runtime_error("witness init failed: " + result.err);
  }
  const auto at = result.out.find("vkey: ");
  auto vkey =
      protocol::note::parse_vkey(result.out.substr(at + 6, result.out.find('\n', at) - at - 6));
  if (at == std::string::npos || !vkey) {
    throw std::runtime_error("witness init printed no vkey: " + result.out);
  }
  std::string config = slurp(dir / "witness.toml");
  config.replace(config.find("port = 7380"), 11, "port = 0");
  for (const auto& [origin, key] : logs) {
    config += "\n[[log]]\norigin = \"" + origin + "\"\nvkey = \"" + key + "\"\n";
  }
  std::ofstream(dir / "witness.toml") << config;
  return *vkey;
}

struct WitnessReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class WitnessProcess {
 public:
  explicit WitnessProcess(std::filesystem::path dir) : dir_(std::move(dir)) {
    log_ = dir_ / "witness.log";
    std::filesystem::remove(log_);  // not the previous run's "listening" line
    pid_ = start_program(
        {DRAAISCHIJF_WITNESS_BINARY, "serve", "--config", (dir_ / "witness.toml").string()}, log_,
        dir_ / "witness.err");
    const auto deadline = std::chrono::steady_clock::now() + kEventPatience;
    constexpr std::string_view kListening = "\"event\":\"listening\",\"port\":";
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = slurp(log_);
      const auto at = text.find(kListening);
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::stoi(text.substr(at + kListening.size())));
        return;
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("witness exited at startup: " + slurp(dir_ / "witness.err"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("witness did not start listening: " + slurp(log_));
  }
  WitnessProcess(const WitnessProcess&) = delete;
  WitnessProcess& operator=(const WitnessProcess&) = delete;
  ~WitnessProcess() { kill_now(); }

  /// SIGKILL: no goodbye, as a crash or a power cut.
  void kill_now() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

  /// POST /add-checkpoint with `body`, on a connection of its own.
  [[nodiscard]] WitnessReply add_checkpoint(const std::string& body) const {
    namespace net = boost::asio;
    namespace beast = boost::beast;
    namespace http = beast::http;
    net::io_context io;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.load_verify_file((dir_ / "tls.pem").string());
    tls.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    stream.next_layer().connect({net::ip::make_address("127.0.0.1"), port_});
    stream.handshake(net::ssl::stream_base::client);
    http::request<http::string_body> request{http::verb::post, "/add-checkpoint", 11};
    request.set(http::field::host, "127.0.0.1");
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return {response.result_int(), std::string(response[http::field::content_type]),
            response.body()};
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace draaischijf::testing
