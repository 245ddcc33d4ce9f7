#pragma once

// The C2SP tlog-witness protocol's bodies (c2sp.org/tlog-witness, docs/PROTOCOL.md 13.3): what a
// log sends to a witness's add-checkpoint and the size a witness answers with on a conflict.
// Pure; the hub (which submits) and draaischijf-witness (which answers) share it, so both read
// and write the same bytes.
//
//   old 20                                          <- the size the log believes the witness has
//   PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=    <- consistency proof, one hash a line
//                                                   <- blank line
//   draaischijf-hub/0123456789abcdef/record         <- the checkpoint, a signed note
//   ...

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/merkle.hpp>
#include <draaischijf/protocol/note.hpp>

namespace draaischijf::protocol::witness {

/// tlog-witness: a log MUST NOT send more proof lines than this.
inline constexpr std::size_t kMaxProofLines = 63;
/// The largest body a witness reads: the proof lines and a note of note::kMaxNoteSize.
inline constexpr std::size_t kMaxRequestSize = 64 + kMaxProofLines * 46 + note::kMaxNoteSize;
/// The content type of the 409 answer's body.
inline constexpr std::string_view kSizeContentType = "text/x.tlog.size";

struct AddCheckpoint {
  std::uint64_t old_size = 0;
  std::vector<merkle::Hash> proof;
  std::string checkpoint;  // the signed note, as sent
  bool operator==(const AddCheckpoint&) const = default;
};

[[nodiscard]] std::string encode_add_checkpoint(const AddCheckpoint& request);
/// witness_request_malformed: no "old N" line (a leading zero, not decimal), a proof line that is
/// not 32 bytes of padded base64, more than 63 of them, no blank line, a body over
/// kMaxRequestSize. The checkpoint itself is not parsed here.
[[nodiscard]] Result<AddCheckpoint> parse_add_checkpoint(std::string_view body);

/// "<size>\n", the body of a 409 (text/x.tlog.size).
[[nodiscard]] std::string encode_size(std::uint64_t size);
[[nodiscard]] Result<std::uint64_t> parse_size(std::string_view body);

/// A decimal count with no leading zero ("0" itself allowed), as checkpoints and the witness
/// protocol write sizes; nullopt otherwise.
[[nodiscard]] std::optional<std::uint64_t> parse_decimal(std::string_view text) noexcept;

}  // namespace draaischijf::protocol::witness
