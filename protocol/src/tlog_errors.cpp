#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/tlog_errors.hpp>

namespace draaischijf::protocol {
namespace {

// Fixed strings only: a refusal never carries the note's text or a key into a log line.
const char* describe(int value) noexcept {
  switch (static_cast<tlog_errc>(value)) {
    case tlog_errc::proof_malformed:
      return "the Merkle proof's sizes, index or length are impossible";
    case tlog_errc::proof_mismatch:
      return "the Merkle proof does not lead to the claimed tree head";
    case tlog_errc::hash_missing:
      return "a subtree hash the proof needs is not stored";
    case tlog_errc::note_malformed:
      return "not a well-formed signed note";
    case tlog_errc::note_signature_malformed:
      return "a signed note's signature line is malformed";
    case tlog_errc::note_not_signed:
      return "the signed note carries no signature by the expected key";
    case tlog_errc::note_signature_invalid:
      return "the signed note's signature by the expected key does not verify";
    case tlog_errc::checkpoint_malformed:
      return "the note is not a well-formed log checkpoint";
    case tlog_errc::checkpoint_wrong_origin:
      return "the checkpoint is of another log";
    case tlog_errc::cosignature_malformed:
      return "the cosignature is malformed";
    case tlog_errc::cosignature_invalid:
      return "the cosignature does not verify";
    case tlog_errc::log_rollback:
      return "the log's checkpoint is older than one already seen";
    case tlog_errc::log_fork:
      return "the log's checkpoint is not consistent with one already seen";
    case tlog_errc::key_malformed:
      return "the note verifier key is malformed";
    case tlog_errc::witness_request_malformed:
      return "the witness request is not an old size, proof lines and a checkpoint";
    case tlog_errc::witness_quorum_not_met:
      return "the log checkpoint lacks the cosignatures of enough of the witnesses this device "
             "knows (witnesses.txt); nothing was used. Right after a directory change the "
             "witnesses cosign at their next round: try again in a minute, and tell the hub "
             "operator if it persists";
  }
  return "unknown transparency log error";
}

}  // namespace

const boost::system::error_category& tlog_category() noexcept {
  static const FixedMessageCategory category("draaischijf.tlog", describe);
  return category;
}

}  // namespace draaischijf::protocol
