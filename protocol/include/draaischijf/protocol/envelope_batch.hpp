#pragma once

// A mailbox catch-up's envelopes in one HTTP answer (GET /v1/mailboxes/{id}/envelopes,
// docs/PROTOCOL.md 7.21): frames of the queue sequence (u64), the envelope's length (u32),
// big-endian, and the envelope's bytes, sequences strictly rising. The hub writes it; the client
// reads it as untrusted input (a frame cut short, a sequence that does not rise, a length past
// the end are refused), then checks every envelope as if it had been fetched alone.

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {

inline constexpr std::string_view kEnvelopeBatchType = "application/vnd.draaischijf.envelopes";

/// Appends one frame.
inline void append_envelope_frame(std::vector<std::uint8_t>& out, std::int64_t sequence,
                                  std::span<const std::uint8_t> envelope) {
  wire::Writer writer(out);
  writer.u64(static_cast<std::uint64_t>(sequence));
  writer.bytes32(envelope);
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
