#include "net/tls_stream.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>

namespace draaischijf::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;

// TLS 1.3 adds at most a 5-byte header, the content type and a 16-byte tag to a record of at
// most 16 KiB: room reserved ahead of a write so OpenSSL's records are appended in one go.
constexpr std::size_t kRecordPlaintext = 16 * 1024;
constexpr std::size_t kRecordOverhead = 5 + 1 + 16;

long bio_control(BIO*, int command, long, void*) {
  // OpenSSL flushes after each flight; the bytes are already in `output_` by then.
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

}  // namespace

int TlsStream::bio_read(BIO* bio, char* data, int size) {
  auto& stream = *static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const std::size_t available = stream.input_end_ - stream.input_begin_;
  if (available == 0) {
    stream.wanted_ = static_cast<std::size_t>(std::max(size, 1));
    BIO_set_retry_read(bio);
    return -1;
  }
  const std::size_t n = std::min(available, static_cast<std::size_t>(size));
  std::memcpy(data, stream.input_ + stream.input_begin_, n);
  stream.input_begin_ += n;
  return static_cast<int>(n);
}

int TlsStream::bio_write(BIO* bio, const char* data, int size) {
  auto& stream = *static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
  stream.output_.insert(stream.output_.end(), bytes, bytes + size);
  return size;
}

TlsStream::TlsStream(next_layer_type tcp, ssl::context& context)
    : tcp_(std::move(tcp)), ssl_(SSL_new(context.native_handle())) {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "draaischijf-tls");
    if (m == nullptr || BIO_meth_set_read(m, &TlsStream::bio_read) != 1 ||
        BIO_meth_set_write(m, &TlsStream::bio_write) != 1 ||
        BIO_meth_set_ctrl(m, bio_control) != 1 || BIO_meth_set_create(m, bio_create) != 1) {
      throw std::runtime_error("OpenSSL cannot make the TLS stream's BIO method");
    }
    return m;
  }();
  BIO* bio = ssl_ == nullptr ? nullptr : BIO_new(method);
  if (bio == nullptr) {
    SSL_free(ssl_);
    throw std::bad_alloc();
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // one reference, for both directions
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

TlsStream::Progress TlsStream::outcome(int result) {
  if (result > 0) {
    return {};
  }
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      return {Need::input, 0, {}};
    case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
      return {Need::failed, 0, net::error::eof};
    default: {
      // As Asio's ssl::stream reports it: OpenSSL's first error in the SSL category.
      const unsigned long reason = ERR_get_error();
      if (reason == 0) {
        return {Need::failed, 0, ssl::error::stream_truncated};
      }
      return {Need::failed, 0,
              boost::system::error_code(static_cast<int>(reason), net::error::get_ssl_category())};
    }
  }
}

TlsStream::Progress TlsStream::handshake_step() {
  ERR_clear_error();
  return outcome(SSL_do_handshake(ssl_));
}

TlsStream::Progress TlsStream::read_step(net::mutable_buffer into) {
  ERR_clear_error();
  std::size_t read = 0;
  Progress progress = outcome(SSL_read_ex(ssl_, into.data(), into.size(), &read));
  progress.bytes = read;
  return progress;
}

TlsStream::Progress TlsStream::write_step(net::const_buffer from) {
  if (from.size() == 0) {
    return {};
  }
  const std::size_t records = (from.size() + kRecordPlaintext - 1) / kRecordPlaintext;
  output_.reserve(output_.size() + from.size() + records * kRecordOverhead);
  ERR_clear_error();
  std::size_t written = 0;
  Progress progress = outcome(SSL_write_ex(ssl_, from.data(), from.size(), &written));
  progress.bytes = written;
  return progress;
}

void TlsStream::shutdown_step() {
  // Only a finished handshake has a session to close; a failed one already sent its alert.
  if (SSL_is_init_finished(ssl_) == 1) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
  }
}

net::mutable_buffer TlsStream::input_space() {
  input_begin_ = 0;
  input_end_ = 0;
  const std::size_t want = std::max<std::size_t>(wanted_, 1);
  if (want <= kSmallInput) {
    // An idle connection waits here, for the next record's header: nothing on the heap.
    large_.reset();
    large_size_ = 0;
    input_ = small_.data();
    return {input_, want};
  }
  if (want > large_size_) {
    large_ = std::make_unique_for_overwrite<std::uint8_t[]>(want);
    large_size_ = want;
  }
  input_ = large_.get();
  return {input_, want};
}

boost::system::error_code TlsStream::network_error(boost::system::error_code error) const {
  if (error == net::error::eof && (SSL_get_shutdown(ssl_) & SSL_RECEIVED_SHUTDOWN) == 0) {
    return ssl::error::stream_truncated;
  }
  return error;
}

net::const_buffer TlsStream::output_to_send() {
  sending_.swap(output_);
  return net::buffer(sending_);
}

void TlsStream::output_sent() noexcept {
  // Freed, not kept: an idle connection holds no record it has sent.
  std::vector<std::uint8_t>().swap(sending_);
}

}  // namespace draaischijf::server
