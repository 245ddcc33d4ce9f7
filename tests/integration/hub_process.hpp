#pragma once

// Runs the real draaischijf-hub process on 127.0.0.1 with port 0 and talks to it over real
// TLS 1.3 with client certificates, using OpenSSL directly (blocking), so the tests depend on
// nothing of the hub's own network code.

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <optional>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/fingerprint.hpp>
#include <draaischijf/protocol/registration.hpp>

#include "eventually.hpp"
#include "test_support.hpp"

namespace draaischijf::testing {

/// Runs `draaischijf-hub <args>` (its PKI and organisation commands) and returns what it
/// printed, standard error included; fails the test on another exit status than `expected_exit`.
inline std::string hub_command(const std::string& args, int expected_exit = 0) {
  const std::string command = std::string(DRAAISCHIJF_HUB_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[512];
  while (pipe != nullptr && fgets(buffer, sizeof buffer, pipe) != nullptr) {
    out += buffer;
  }
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == expected_exit) << command << "\n" << out;
  return out;
}

/// The serial number in `pki device`'s output ("serial: <hex>").
inline std::string serial_in(const std::string& output) {
  const auto at = output.find("serial: ");
  return at == std::string::npos ? "" : output.substr(at + 8, output.find('\n', at) - at - 8);
}

/// The device id in `pki device`'s output ("device <id>: <path>").
inline std::string device_id_in(const std::string& output) {
  const auto at = output.find("device ");
  return at == std::string::npos ? "" : output.substr(at + 7, 32);
}

class HubProcess {
 public:
  /// Starts the hub with `config_text` written to a config file in `dir`, and waits for it to
  /// log the port it listens on.
  HubProcess(const std::filesystem::path& dir, const std::string& config_text) : dir_(dir) {
    const auto config = dir / "hub.toml";
    write_file(config, view_of(config_text));
    log_ = dir / "hub.log";
    // Removed before the fork: until the child truncates it, the parent would otherwise read the
    // previous hub's "listening" line and its port.
    std::filesystem::remove(log_);
    pid_ = fork();
    if (pid_ == 0) {
      // The hub dies with the test process, whatever ends it, and keeps none of its pipes.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(DRAAISCHIJF_HUB_BINARY, "draaischijf-hub", "--config", config.c_str(), nullptr);
      _exit(127);
    }
    // Starting under the sanitizers on a busy machine can take seconds: wait for the line.
    const auto deadline = std::chrono::steady_clock::now() + kEventPatience;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = log_text();
      constexpr std::string_view kListening = "\"event\":\"listening\",\"port\":";
      const auto at = text.find(kListening);
      // Only a whole line: a port read while its digits are still being written would be wrong.
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        port_ = static_cast<std::uint16_t>(std::stoi(text.substr(at + kListening.size())));
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("hub exited at startup: " + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("hub did not start listening: " + log_text());
  }
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;
  ~HubProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// The hub's process id (for a test that stops and continues it).
  [[nodiscard]] pid_t pid() const { return pid_; }
  /// The hub's peak resident memory so far (VmHWM), in KiB; 0 when it cannot be read.
  [[nodiscard]] long peak_rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmHWM:", 0) == 0) {
        return std::strtol(line.c_str() + 6, nullptr, 10);
      }
    }
    return 0;
  }
  [[nodiscard]] std::string log_text() const {
    std::ifstream in(log_);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  /// Sends `signal_number` (SIGHUP: reload) to the hub.
  void send_signal(int signal_number) const { kill(pid_, signal_number); }
  /// How many times the log holds `"event":"<event>"` so far.
  [[nodiscard]] std::size_t count_events(std::string_view event) const {
    const std::string text = log_text();
    const std::string needle = "\"event\":\"" + std::string(event) + "\"";
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++count;
    }
    return count;
  }
  /// Waits for the log to hold `event` `times` times; false when it does not come (eventually()).
  [[nodiscard]] bool wait_for_event(std::string_view event, std::size_t times) const {
    return eventually([&] { return count_events(event) >= times; });
  }
  /// SIGTERM, then the exit status (or -1 when it did not exit within `patience`).
  int terminate(std::chrono::milliseconds patience = kEventPatience) {
    kill(pid_, SIGTERM);
    for (auto i = patience.count() / 10; i > 0; --i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

struct HttpResponse {
  int status = 0;
  std::string head;
  std::string body;
};

/// One TLS connection to the hub. `certificate` and `key` may be empty: no client certificate.
class TlsClient {
 public:
  TlsClient(std::uint16_t port, const std::filesystem::path& ca,
            const std::filesystem::path& certificate, const std::filesystem::path& key) {
    signal(SIGPIPE, SIG_IGN);  // a refused connection must fail a write, not kill the test
    context_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(context_, ca.c_str(), nullptr);
    SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
    if (!certificate.empty()) {
      SSL_CTX_use_certificate_chain_file(context_, certificate.c_str());
      SSL_CTX_use_PrivateKey_file(context_, key.c_str(), SSL_FILETYPE_PEM);
    }
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    // A hub that never answers fails the test instead of hanging it.
    const timeval patience{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      return;
    }
    ssl_ = SSL_new(context_);
    SSL_set_fd(ssl_, fd_);
    SSL_set1_host(ssl_, "localhost");
    handshake_ok_ = SSL_connect(ssl_) == 1;
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;
  ~TlsClient() {
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
    }
    if (fd_ >= 0) {
      close(fd_);
    }
    SSL_CTX_free(context_);
  }

  [[nodiscard]] bool handshake_ok() const { return handshake_ok_; }

  /// Sends bytes without reading; false when the connection is gone.
  bool send(const std::string& raw) {
    return handshake_ok_ && SSL_write(ssl_, raw.data(), static_cast<int>(raw.size())) > 0;
  }

  /// Whatever arrives next (up to 16 KiB); empty when the connection is gone.
  std::string read_some() {
    char buffer[16384];
    const int n = handshake_ok_ ? SSL_read(ssl_, buffer, sizeof buffer) : 0;
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }

  /// true when the hub has closed the connection: a read returns end of stream, a close alert or
  /// a reset. false when bytes arrive, and false when the read only timed out (20 s): a hub that
  /// keeps the connection open silently has not closed it.
  bool closed_by_peer() {
    if (!handshake_ok_) {
      return true;
    }
    char byte = 0;
    errno = 0;
    const int n = SSL_read(ssl_, &byte, 1);
    if (n > 0) {
      return false;
    }
    const int error = SSL_get_error(ssl_, n);
    const bool timed_out = (error == SSL_ERROR_SYSCALL || error == SSL_ERROR_WANT_READ) &&
                           (errno == EAGAIN || errno == EWOULDBLOCK);
    return !timed_out;
  }

  /// Sends raw bytes and reads one response (the request should ask for Connection: close).
  /// nullopt when the hub refused the connection at any point.
  std::optional<HttpResponse> exchange(const std::string& raw) {
    if (!handshake_ok_) {
      return std::nullopt;
    }
    if (SSL_write(ssl_, raw.data(), static_cast<int>(raw.size())) <= 0) {
      return std::nullopt;
    }
    std::string text;
    char buffer[16384];
    int n = 0;
    while ((n = SSL_read(ssl_, buffer, sizeof buffer)) > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
    }
    const auto end = text.find("\r\n\r\n");
    if (text.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) {
      return std::nullopt;
    }
    return HttpResponse{std::stoi(text.substr(9, 3)), text.substr(0, end), text.substr(end + 4)};
  }

 private:
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool handshake_ok_ = false;
};

/// Registers an organisation as the operator does (`org add --request --fingerprint`), from a
/// registration request signed with `key`; the request file goes beside `config`.
inline void register_organisation(const std::filesystem::path& config, const std::string& org_id,
                                  const std::string& type, const std::string& name,
                                  const protocol::SigningKey& key) {
  protocol::OrganisationRegistration request;
  const auto id = protocol::hex_decode(org_id).value();
  std::copy(id.begin(), id.end(), request.org_id.begin());
  request.org_type = protocol::parse_name<protocol::OrgType>(type).value();
  request.name = name;
  request.created_at = static_cast<std::uint64_t>(std::time(nullptr));
  const auto file = config.parent_path() / ("request-" + org_id + ".txt");
  write_file(
      file,
      view_of(protocol::registration_text(protocol::sign_registration(std::move(request), key))));
  hub_command("org add --config " + config.string() + " --request " + file.string() +
              " --fingerprint '" + protocol::fingerprint(key.public_key()) + "'");
}

inline std::string post(const std::string& target, const std::string& body,
                        const std::string& extra_headers = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
         "Content-Type: application/octet-stream\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

inline std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
}

}  // namespace draaischijf::testing
