#pragma once

// One device's connection to the hub: mutual TLS 1.3 with the device's certificate, HTTP/1.1
// keep-alive, and reconnection with exponential backoff when the hub goes away or restarts.
// Synchronous and single-threaded by design: a caller that wants concurrency opens several.
// The TLS and HTTP machinery stays behind the implementation; nothing here includes Asio.
//
// A request whose connection is lost before its answer arrives is sent again on a new
// connection. That is safe for every hub route: reads are reads, an envelope is deduplicated by
// its message id (a repeat gets the original receipt), and the directory's changes answer a
// repeat with 409.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <draaischijf/protocol/errors.hpp>

namespace draaischijf::client {

enum class connection_errc {
  tls_setup_failed = 1,   // the CA, certificate or key file cannot be used
  unreachable,            // no connection after every retry
  handshake_failed,       // the hub or this device's certificate was refused
  timeout,                // the hub did not answer within the I/O timeout
  bad_response,           // the answer is not HTTP/1.1
  upload_source_short,    // an upload's source gave fewer bytes than it announced
  handshake_interrupted,  // the hub closed or reset the connection during the TLS handshake
};

[[nodiscard]] const boost::system::error_category& connection_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(connection_errc e) noexcept {
  return {static_cast<int>(e), connection_category()};
}

struct HubAddress {
  std::string host = "localhost";  // also the name the server certificate must carry
  std::uint16_t port = 8443;
};

/// The device's mutual-TLS identity: PEM files.
struct DeviceTls {
  std::filesystem::path ca;           // the hub root
  std::filesystem::path certificate;  // device certificate and its organisation CA
  std::filesystem::path private_key;
};

struct RetryPolicy {
  int attempts = 6;                            // connections tried per request
  std::chrono::milliseconds first_delay{100};  // doubled after every failed attempt
  std::chrono::milliseconds max_delay{5000};
  std::chrono::seconds io_timeout{30};  // connect, handshake, and each exchange
};

struct HubReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  unsigned retry_after_seconds = 0;  // from Retry-After on 429 and 503
  [[nodiscard]] bool ok() const noexcept { return status >= 200 && status < 300; }
};

/// An upload body produced piece by piece, so a large attachment never sits in memory whole.
/// rewind() starts it over: a connection lost half-way sends it again from the start.
class UploadSource {
 public:
  UploadSource() = default;
  UploadSource(const UploadSource&) = delete;
  UploadSource& operator=(const UploadSource&) = delete;
  virtual ~UploadSource() = default;
  [[nodiscard]] virtual std::uint64_t size() const = 0;
  [[nodiscard]] virtual protocol::Result<void> rewind() = 0;
  /// Fills up to out.size() bytes and returns how many; 0 only once size() bytes were given.
  [[nodiscard]] virtual protocol::Result<std::size_t> read(std::span<std::uint8_t> out) = 0;

 protected:
  UploadSource(UploadSource&&) = default;
  UploadSource& operator=(UploadSource&&) = default;
};

/// Where a downloaded body goes as it arrives. rewind() drops what was written (a retried
/// download starts over).
class DownloadSink {
 public:
  DownloadSink() = default;
  DownloadSink(const DownloadSink&) = delete;
  DownloadSink& operator=(const DownloadSink&) = delete;
  virtual ~DownloadSink() = default;
  [[nodiscard]] virtual protocol::Result<void> rewind() = 0;
  [[nodiscard]] virtual protocol::Result<void> write(std::span<const std::uint8_t> bytes) = 0;

 protected:
  DownloadSink(DownloadSink&&) = default;
  DownloadSink& operator=(DownloadSink&&) = default;
};

/// The hub's notification stream: a WebSocket on a connection of its own (/v1/stream).
class HubNotifications {
 public:
  HubNotifications() = default;
  HubNotifications(const HubNotifications&) = delete;
  HubNotifications& operator=(const HubNotifications&) = delete;
  virtual ~HubNotifications() = default;
  /// The next text frame, waiting at most `wait`; an empty string when none came in time. An
  /// error means the stream ended: listen again (with backoff) and catch up by cursor.
  [[nodiscard]] virtual protocol::Result<std::string> next(std::chrono::milliseconds wait) = 0;

 protected:
  HubNotifications(HubNotifications&&) = default;
  HubNotifications& operator=(HubNotifications&&) = default;
};

/// What the rest of the library asks of the hub. HubConnection is the real one; tests put a
/// stand-in in between to play a hub that lies.
class HubTransport {
 public:
  HubTransport() = default;
  HubTransport(const HubTransport&) = delete;
  HubTransport& operator=(const HubTransport&) = delete;
  virtual ~HubTransport() = default;
  [[nodiscard]] virtual protocol::Result<HubReply> get(std::string_view target) = 0;
  [[nodiscard]] virtual protocol::Result<HubReply> post(std::string_view target,
                                                        std::span<const std::uint8_t> body,
                                                        std::string_view content_type) = 0;
  /// PUT with a streamed body of known size (Content-Length, Expect: 100-continue).
  [[nodiscard]] virtual protocol::Result<HubReply> put(std::string_view target, UploadSource& body,
                                                       std::string_view content_type) = 0;
  /// GET whose successful body goes to `sink` as it arrives (the reply's body stays empty);
  /// any other answer (a problem document) is read into the reply as usual.
  [[nodiscard]] virtual protocol::Result<HubReply> get_into(std::string_view target,
                                                            DownloadSink& sink) = 0;
  /// Opens the notification stream (one attempt: the caller decides how to retry).
  [[nodiscard]] virtual protocol::Result<std::unique_ptr<HubNotifications>> listen() = 0;

 protected:
  HubTransport(HubTransport&&) = default;
  HubTransport& operator=(HubTransport&&) = default;
};

class HubConnection final : public HubTransport {
 public:
  /// Loads the TLS identity and connects once, so a wrong file or a refused certificate is
  /// reported here rather than at the first request.
  [[nodiscard]] static protocol::Result<HubConnection> open(const HubAddress& address,
                                                            const DeviceTls& tls,
                                                            RetryPolicy retry = {});
  HubConnection(HubConnection&& other) noexcept;
  HubConnection& operator=(HubConnection&& other) noexcept;
  HubConnection(const HubConnection&) = delete;
  HubConnection& operator=(const HubConnection&) = delete;
  ~HubConnection() override;

  [[nodiscard]] protocol::Result<HubReply> get(std::string_view target) override;
  [[nodiscard]] protocol::Result<HubReply> post(std::string_view target,
                                                std::span<const std::uint8_t> body,
                                                std::string_view content_type) override;
  [[nodiscard]] protocol::Result<HubReply> put(std::string_view target, UploadSource& body,
                                               std::string_view content_type) override;
  [[nodiscard]] protocol::Result<HubReply> get_into(std::string_view target,
                                                    DownloadSink& sink) override;
  /// The stream shares this connection's TLS settings and must not outlive it.
  [[nodiscard]] protocol::Result<std::unique_ptr<HubNotifications>> listen() override;
  /// TCP+TLS connections made so far (1 after open; grows on reconnection).
  [[nodiscard]] std::uint64_t connections_made() const noexcept;

 private:
  struct Impl;
  explicit HubConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace draaischijf::client

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::client::connection_errc> : std::true_type {};
}  // namespace boost::system
