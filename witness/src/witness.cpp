#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/witness_request.hpp>
#include <draaischijf/witness/witness.hpp>

#include "state.hpp"

namespace draaischijf::witness {
namespace note = protocol::note;
namespace {

Answer refuse(unsigned status, std::string why) {
  return {status, "text/plain; charset=utf-8", why + "\n"};
}

// The signature line as a note carries it ("— name base64\n"): the note's encoding after its
// text and the blank line, so the line is written by the one encoder of notes.
std::string signature_line(const std::string& text, const note::Signature& signature) {
  return note::encode(note::SignedNote{text, {signature}}).substr(text.size() + 1);
}

}  // namespace

Witness::Witness(const std::filesystem::path& state_file, std::string name,
                 protocol::SigningKey key, std::vector<LogKey> logs, const protocol::Clock& clock)
    : state_(std::make_unique<State>(state_file)),
      name_(std::move(name)),
      key_(std::move(key)),
      logs_(std::move(logs)),
      clock_(clock) {}

Witness::~Witness() = default;

note::VerifierKey Witness::verifier_key() const {
  return {name_, note::kCosignatureV1, key_.public_key()};
}

std::optional<Cosigned> Witness::cosigned(std::string_view origin) const {
  return state_->read(origin);
}

std::vector<Witness::Evidence> Witness::evidence() const { return state_->evidence(); }

Answer Witness::add_checkpoint(std::string_view body) {
  auto request = protocol::witness::parse_add_checkpoint(body);
  if (!request) {
    return refuse(400,
                  "The body is not \"old <size>\", proof lines, a blank line and a checkpoint "
                  "(c2sp.org/tlog-witness).");
  }
  auto signed_note = note::parse(request->checkpoint);
  auto checkpoint = signed_note ? note::parse_checkpoint_text(signed_note->text)
                                : protocol::Result<note::Checkpoint>(signed_note.error());
  if (!checkpoint) {
    return refuse(400, std::string("The checkpoint is not a signed tlog-checkpoint: ") +
                           checkpoint.error().message() + ".");
  }
  const auto log = std::find_if(logs_.begin(), logs_.end(),
                                [&](const LogKey& l) { return l.origin == checkpoint->origin; });
  if (log == logs_.end()) {
    return refuse(404, "This witness does not follow that origin; ask its operator to add it.");
  }
  if (auto verified = note::verify(*signed_note, log->key); !verified) {
    return refuse(403, "The checkpoint is not signed by the log's key this witness knows: " +
                           verified.error().message() + ".");
  }
  if (request->old_size > checkpoint->size) {
    return refuse(400, "The old size is above the checkpoint's size.");
  }
  if (request->old_size == 0 && !request->proof.empty()) {
    return refuse(400, "A request from size 0 carries no consistency proof.");
  }
  // From here to the COMMIT the file is locked: the size checked is the size replaced.
  if (!state_->begin()) {
    return refuse(503, "The witness cannot lock its state; try again later.");
  }
  const auto latest = state_->read(checkpoint->origin);
  const std::uint64_t cosigned_size = latest ? latest->size : 0;
  if (request->old_size != cosigned_size) {
    state_->rollback();
    return {409, std::string(protocol::witness::kSizeContentType),
            protocol::witness::encode_size(cosigned_size)};
  }
  if (latest) {
    const note::Checkpoint seen{checkpoint->origin, latest->size, latest->root, {}};
    if (auto extends = protocol::check_extends(seen, *checkpoint, request->proof); !extends) {
      state_->rollback();
      const bool same_size = latest->size == checkpoint->size;
      const std::string reason = same_size ? "another root at the cosigned size"
                                           : "no consistency with the cosigned checkpoint";
      state_->keep_evidence(checkpoint->origin, reason, body, clock_.now_ms());
      if (same_size) {
        return refuse(409,
                      "The checkpoint has another root than the one cosigned at this size: a "
                      "fork, kept as evidence.");
      }
      return refuse(422,
                    "The consistency proof from the cosigned checkpoint does not verify: "
                    "kept as evidence.");
    }
  }
  // Durable before the cosignature exists: a witness that crashes after this has only cosigned
  // less than it recorded, never more.
  if (!state_->store_and_commit(checkpoint->origin, {checkpoint->size, checkpoint->root},
                                request->checkpoint, clock_.now_ms())) {
    return refuse(503, "The witness cannot write its state; nothing was cosigned.");
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  const note::Signature cosignature =
      note::cosign(key_, name_, signed_note->text, static_cast<std::uint64_t>(seconds));
  return {200, "text/plain; charset=utf-8", signature_line(signed_note->text, cosignature)};
}

protocol::SigningKey read_key_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error("cannot open the witness key " + path.string() + ": " +
                             std::strerror(errno) + "; create it with draaischijf-witness init");
  }
  struct stat status {};
  protocol::SecretKey<32> seed;
  std::string problem;
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size != 32) {
    problem = " is not a witness key (32 bytes, as draaischijf-witness init writes it)";
  } else if ((status.st_mode & 077U) != 0) {
    problem =
        " can be read or written by other users: chmod 600 it, and treat the key as exposed "
        "if anyone else could read it";
  } else if (::read(fd, seed.expose_mutable().data(), seed.kSize) !=
             static_cast<ssize_t>(seed.kSize)) {
    problem = " cannot be read";
  }
  ::close(fd);
  if (!problem.empty()) {
    throw std::runtime_error(path.string() + problem);
  }
  return protocol::SigningKey::from_seed(seed);
}

protocol::SigningKey create_key_file(const std::filesystem::path& path) {
  const auto seed = protocol::SecretKey<32>::random();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("cannot create the witness key " + path.string() + ": " +
                             std::strerror(errno) + " (an existing key is never replaced)");
  }
  const bool written =
      ::write(fd, seed.expose().data(), seed.kSize) == static_cast<ssize_t>(seed.kSize) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    std::filesystem::remove(path);
    throw std::runtime_error("cannot write the witness key " + path.string());
  }
  return protocol::SigningKey::from_seed(seed);
}

}  // namespace draaischijf::witness
