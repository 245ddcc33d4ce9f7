#pragma once

// A mailbox catch-up's envelopes in one HTTP answer (GET /v1/mailboxes/{id}/envelopes,
// docs/PROTOCOL.md 7.21): frames of the queue sequence (u64), the envelope's length (u32),
// big-endian, and the envelope's bytes, sequences strictly rising. The hub writes it; the client
// reads it as untrusted input (a frame cut short, a sequence that does not rise, a length past
// the end are refused), then checks every envelope as if it had been fetched alone.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {

inline constexpr std::string_view kEnvelopeBatchType = "application/vnd.draaischijf.envelopes";
/// A frame's sequence (8 bytes) and length (4 bytes) before the envelope.
inline constexpr std::size_t kEnvelopeFrameHeaderBytes = 12;

/// Appends one frame to a byte container (a vector, or the std::string of an HTTP answer, so
/// the hub writes a batch once, straight into its answer).
template <class Bytes>
void append_envelope_frame(Bytes& out, std::int64_t sequence,
                           std::span<const std::uint8_t> envelope) {
  using Byte = typename Bytes::value_type;
  const auto put = [&out](std::uint64_t value, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
      out.push_back(static_cast<Byte>((value >> shift) & 0xff));
    }
  };
  put(static_cast<std::uint64_t>(sequence), 8);
  put(envelope.size(), 4);
  out.insert(out.end(), envelope.begin(), envelope.end());
}

/// One frame of a batch; `envelope` views the batch's bytes.
struct EnvelopeFrame {
  std::int64_t sequence = 0;
  std::span<const std::uint8_t> envelope;
};

/// The frames of a batch, or the first reason it is malformed. An empty batch is valid.
[[nodiscard]] inline Result<std::vector<EnvelopeFrame>> parse_envelope_batch(
    std::span<const std::uint8_t> batch) {
  wire::Reader reader(batch);
  std::vector<EnvelopeFrame> frames;
  while (reader.ok() && reader.remaining() > 0) {
    const auto sequence = reader.u64();
    const auto envelope = reader.bytes32();
    const auto previous = frames.empty() ? std::uint64_t{0} : std::uint64_t(frames.back().sequence);
    if (sequence <= previous ||
        sequence > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      reader.fail(errc::non_canonical);
    }
    if (reader.ok()) {
      frames.push_back({static_cast<std::int64_t>(sequence), envelope});
    }
  }
  if (auto finished = reader.finish(); !finished) {
    return finished.error();
  }
  return frames;
}

}  // namespace draaischijf::protocol
