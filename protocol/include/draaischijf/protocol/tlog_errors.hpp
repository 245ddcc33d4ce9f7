#pragma once

// The refusals of the transparency log's structures (Merkle proofs, signed notes, checkpoints,
// cosignatures) and of a client's checks on a log. Their own category ("draaischijf.tlog"), so
// the protocol's errc values stay as they are.

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace draaischijf::protocol {

/// Stable values: new ones are only ever appended.
enum class tlog_errc {
  proof_malformed = 1,        // a size, index or proof length that no honest proof has
  proof_mismatch,             // the proof does not lead to the claimed tree head(s)
  hash_missing,               // the hash source does not hold a subtree the proof needs
  note_malformed,             // not a signed note (C2SP signed-note): text, separator or lines
  note_signature_malformed,   // a signature line that is not "— name base64"
  note_not_signed,            // no signature by the expected key (name and key id)
  note_signature_invalid,     // a signature by the expected key that does not verify
  checkpoint_malformed,       // the note's text is not a C2SP tlog-checkpoint body
  checkpoint_wrong_origin,    // a checkpoint of another log
  cosignature_malformed,      // a tlog-cosignature/v1 signature of the wrong length
  cosignature_invalid,        // a cosignature that does not verify
  log_rollback,               // a checkpoint smaller than one already accepted
  log_fork,                   // a checkpoint of the same size with another root, or no consistency
  key_malformed,              // a verifier key string that is not "name+hexid+base64(0x01||key)"
  witness_request_malformed,  // a tlog-witness add-checkpoint body that is not "old N", proof, note
  witness_quorum_not_met,     // fewer valid cosignatures by known witnesses than the quorum asks
};

[[nodiscard]] const boost::system::error_category& tlog_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(tlog_errc e) noexcept {
  return {static_cast<int>(e), tlog_category()};
}

}  // namespace draaischijf::protocol

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::protocol::tlog_errc> : std::true_type {};
}  // namespace boost::system
