#pragma once

// The hub's TLS stream: OpenSSL on a Beast tcp_stream, holding ciphertext only while it is
// on its way. Asio's ssl::stream keeps two 17 KiB record buffers and a BIO pair of two more
// for the whole life of a connection (about 68 KiB, most of the memory of an idle one); here
// OpenSSL reads and writes through a BIO of this class: a network read fetches exactly the
// bytes OpenSSL asked for (the 5-byte record header of an idle connection in a small array,
// a record's body in a buffer freed once it is consumed), and the records a write produces
// are sent and then freed. With SSL_MODE_RELEASE_BUFFERS (make_tls_context) OpenSSL frees
// its own record buffers too, so an idle connection holds only OpenSSL's connection state.
//
// It meets Beast's AsyncStream: http::async_read/async_write and websocket::stream work on it,
// beast::get_lowest_layer reaches the tcp_stream (its expires_after bounds every network read
// and write the stream makes). At most one read and one write at a time, on one strand (the
// same rules as Asio's ssl::stream). Output that a read produces (a TLS 1.3 KeyUpdate answer)
// goes out ahead of the next write.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

namespace draaischijf::server {

class TlsStream {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  TlsStream(next_layer_type tcp, boost::asio::ssl::context& context);
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  ~TlsStream();

  [[nodiscard]] executor_type get_executor() noexcept { return tcp_.get_executor(); }
  [[nodiscard]] next_layer_type& next_layer() noexcept { return tcp_; }
  [[nodiscard]] SSL* native_handle() noexcept { return ssl_; }

  /// The TLS handshake; completes with (error_code).
  template <class Token>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type type, Token&& token);

  /// Sends close_notify and completes with (error_code) once it is written; it does not wait
  /// for the peer's (RFC 8446 6.1 lets a side close after sending its own).
  template <class Token>
  auto async_shutdown(Token&& token);

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token);

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token);

 private:
  // What one OpenSSL call came to: done (with `bytes`), more ciphertext needed, or failed.
  enum class Need { done, input, failed };
  struct Progress {
    Need need = Need::done;
    std::size_t bytes = 0;
    boost::system::error_code error;
  };

  static int bio_read(BIO* bio, char* data, int size);
  static int bio_write(BIO* bio, const char* data, int size);

  [[nodiscard]] Progress handshake_step();
  [[nodiscard]] Progress read_step(boost::asio::mutable_buffer into);
  [[nodiscard]] Progress write_step(boost::asio::const_buffer from);
  void shutdown_step();
  [[nodiscard]] Progress outcome(int result);

  // Where the next network read goes: exactly what OpenSSL last asked for.
  [[nodiscard]] boost::asio::mutable_buffer input_space();
  void input_arrived(std::size_t bytes) { input_end_ = bytes; }
  // A failed network read as the TLS layer reports it (an end without close_notify is a
  // truncation).
  [[nodiscard]] boost::system::error_code network_error(boost::system::error_code error) const;

  // The records produced so far, handed to one network write at a time; `sent` frees them.
  [[nodiscard]] bool has_output() const noexcept { return !output_.empty(); }
  [[nodiscard]] boost::asio::const_buffer output_to_send();
  void output_sent() noexcept;

  template <class Self>
  void flush(Self& self) {
    boost::asio::async_write(tcp_, output_to_send(), std::move(self));
  }
  template <class Self>
  void fetch(Self& self) {
    tcp_.async_read_some(input_space(), std::move(self));
  }

  template <class Buffers>
  static boost::asio::mutable_buffer first_non_empty(const Buffers& buffers);

  struct HandshakeOp;
  struct ShutdownOp;
  struct ReadOp;
  struct WriteOp;

  next_layer_type tcp_;
  SSL* ssl_ = nullptr;

  // Ciphertext in: a record header (or any short want) in `small_`, larger wants in `large_`,
  // which is freed when the next small want arrives (an idle connection holds none).
  static constexpr std::size_t kSmallInput = 16;
  std::array<std::uint8_t, kSmallInput> small_{};
  std::unique_ptr<std::uint8_t[]> large_;
  std::size_t large_size_ = 0;
  std::uint8_t* input_ = nullptr;
  std::size_t input_begin_ = 0;
  std::size_t input_end_ = 0;
  std::size_t wanted_ = 0;  // how many bytes OpenSSL asked for when it found none

  // Ciphertext out: what OpenSSL wrote, and what a network write is sending.
  std::vector<std::uint8_t> output_;
  std::vector<std::uint8_t> sending_;
};

// --- the composed operations ------------------------------------------------------------------

// Each operation calls OpenSSL, sends what it produced, fetches what it asks for, and repeats.
// An operation that finishes without any I/O is posted, so no handler runs inside its
// initiating function.

struct TlsStream::HandshakeOp {
  explicit HandshakeOp(TlsStream& s) : stream(s) {}
  TlsStream& stream;
  enum class State { start, flushing, fetching, posted } state = State::start;
  Progress last;

  template <class Self>
  void operator()(Self& self, boost::system::error_code error = {}, std::size_t bytes = 0) {
    switch (state) {
      case State::flushing:
        stream.output_sent();
        if (error || last.need != Need::input) {
          return self.complete(last.error ? last.error : error);
        }
        state = State::fetching;
        return stream.fetch(self);
      case State::fetching:
        if (error) {
          return self.complete(stream.network_error(error));
        }
        stream.input_arrived(bytes);
        break;
      case State::posted:
        return self.complete(last.error);
      case State::start:
        break;
    }
    last = stream.handshake_step();
    // The flight OpenSSL produced (or its alert after a failure) goes out first.
    if (stream.has_output()) {
      state = State::flushing;
      return stream.flush(self);
    }
    if (last.need == Need::input) {
      state = State::fetching;
      return stream.fetch(self);
    }
    if (state == State::start) {
      state = State::posted;
      return boost::asio::post(stream.get_executor(), std::move(self));
    }
    self.complete(last.error);
  }
};

struct TlsStream::ShutdownOp {
  explicit ShutdownOp(TlsStream& s) : stream(s) {}
  TlsStream& stream;
  bool started = false;

  template <class Self>
  void operator()(Self& self, boost::system::error_code error = {}, std::size_t = 0) {
    if (!started) {
      started = true;
      stream.shutdown_step();
      if (stream.has_output()) {
        return stream.flush(self);
      }
      return boost::asio::post(stream.get_executor(), std::move(self));
    }
    stream.output_sent();
    self.complete(error);
  }
};

struct TlsStream::ReadOp {
  ReadOp(TlsStream& s, boost::asio::mutable_buffer target) : stream(s), into(target) {}
  TlsStream& stream;
  boost::asio::mutable_buffer into;
  enum class State { start, fetching, posted } state = State::start;
  Progress last;

  template <class Self>
  void operator()(Self& self, boost::system::error_code error = {}, std::size_t bytes = 0) {
    if (state == State::posted) {
      return self.complete(last.error, last.bytes);
    }
    if (state == State::fetching) {
      if (error) {
        return self.complete(stream.network_error(error), 0);
      }
      stream.input_arrived(bytes);
    }
    last = into.size() == 0 ? Progress{} : stream.read_step(into);
    if (last.need == Need::input) {
      state = State::fetching;
      return stream.fetch(self);
    }
    if (state == State::start) {
      state = State::posted;
      return boost::asio::post(stream.get_executor(), std::move(self));
    }
    self.complete(last.error, last.bytes);
  }
};

struct TlsStream::WriteOp {
  WriteOp(TlsStream& s, Progress encrypted) : stream(s), last(encrypted) {}
  TlsStream& stream;
  Progress last;
  bool started = false;

  template <class Self>
  void operator()(Self& self, boost::system::error_code error = {}, std::size_t = 0) {
    if (started) {
      stream.output_sent();
      return self.complete(error ? error : last.error, error ? 0 : last.bytes);
    }
    started = true;
    if (stream.has_output()) {
      return stream.flush(self);
    }
    return boost::asio::post(stream.get_executor(), std::move(self));
  }
};

template <class Buffers>
boost::asio::mutable_buffer TlsStream::first_non_empty(const Buffers& buffers) {
  for (auto it = boost::asio::buffer_sequence_begin(buffers);
       it != boost::asio::buffer_sequence_end(buffers); ++it) {
    if (boost::asio::buffer_size(*it) > 0) {
      const boost::asio::const_buffer piece(*it);
      return {const_cast<void*>(piece.data()), piece.size()};
    }
  }
  return {};
}

template <class Token>
auto TlsStream::async_handshake(boost::asio::ssl::stream_base::handshake_type type, Token&& token) {
  if (type == boost::asio::ssl::stream_base::server) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
  return boost::asio::async_compose<Token, void(boost::system::error_code)>(HandshakeOp{*this},
                                                                            token, tcp_);
}

template <class Token>
auto TlsStream::async_shutdown(Token&& token) {
  return boost::asio::async_compose<Token, void(boost::system::error_code)>(ShutdownOp{*this},
                                                                            token, tcp_);
}

template <class MutableBuffers, class Token>
auto TlsStream::async_read_some(const MutableBuffers& buffers, Token&& token) {
  return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
      ReadOp{*this, first_non_empty(buffers)}, token, tcp_);
}

template <class ConstBuffers, class Token>
auto TlsStream::async_write_some(const ConstBuffers& buffers, Token&& token) {
  // Encrypted now, into records OpenSSL appends to `output_`. Small pieces (an HTTP header and
  // its body, a WebSocket frame header and its payload) are joined first, so they go out as one
  // record, as Beast's flat_stream does for Asio's stream; a write_some may take less than it
  // was given.
  constexpr std::size_t kJoined = 16 * 1024;
  constexpr std::size_t kMostPerWrite = 64 * 1024;
  const std::size_t total = boost::asio::buffer_size(buffers);
  Progress encrypted;
  const auto first = boost::asio::buffer_sequence_begin(buffers);
  const auto last = boost::asio::buffer_sequence_end(buffers);
  const bool several = first != last && std::next(first) != last;
  if (several && total <= kJoined) {
    std::array<std::uint8_t, kJoined> joined;  // NOLINT: filled by the copy below
    const std::size_t n = boost::asio::buffer_copy(boost::asio::buffer(joined), buffers);
    encrypted = write_step({joined.data(), n});
  } else {
    for (auto it = first; it != last && encrypted.bytes < kMostPerWrite; ++it) {
      const boost::asio::const_buffer piece(*it);
      const Progress step =
          write_step({piece.data(), std::min(piece.size(), kMostPerWrite - encrypted.bytes)});
      if (step.need == Need::failed) {
        encrypted = step;
        break;
      }
      encrypted.bytes += step.bytes;
    }
  }
  if (encrypted.need == Need::failed) {
    encrypted.bytes = 0;
  }
  return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
      WriteOp{*this, encrypted}, token, tcp_);
}

/// A WebSocket on this stream ends with the TLS close (Beast finds these by argument lookup).
template <class TeardownHandler>
void async_teardown(boost::beast::role_type, TlsStream& stream, TeardownHandler&& handler) {
  stream.async_shutdown(std::forward<TeardownHandler>(handler));
}

}  // namespace draaischijf::server
