#pragma once

// The witness of c2sp.org/tlog-witness (docs/PROTOCOL.md 13.3): it answers add-checkpoint for the
// logs it is configured for, and cosigns a checkpoint only when it extends the last one it
// cosigned for that origin. Its state (the latest cosigned size and root per origin) is in a
// SQLite file, written and synced BEFORE the cosignature leaves, so no restart makes it cosign
// a rollback or a fork. No sockets here: the program's HTTPS server (src/server.cpp) hands the
// body in and sends the Answer back, and a test can drive it with a ManualClock.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/clock.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/note.hpp>

namespace draaischijf::witness {

/// A log the witness follows: its origin line and the key its checkpoints are signed with.
struct LogKey {
  std::string origin;
  protocol::note::VerifierKey key;
};

/// What the HTTP layer sends: status, content type and body.
struct Answer {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// The latest checkpoint cosigned for an origin.
struct Cosigned {
  std::uint64_t size = 0;
  protocol::merkle::Hash root{};
};

class Witness {
 public:
  /// Opens (or creates) the state file. Throws std::runtime_error (startup) when it cannot.
  Witness(const std::filesystem::path& state_file, std::string name, protocol::SigningKey key,
          std::vector<LogKey> logs, const protocol::Clock& clock);
  ~Witness();
  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  /// The add-checkpoint call: 200 with one cosignature line; 400 (malformed body or checkpoint,
  /// old size above the checkpoint's, a proof from size 0), 403 (not signed by the log's key),
  /// 404 (unknown origin), 409 with text/x.tlog.size (old size is not the cosigned size, or the
  /// same size with another root), 422 (the consistency proof does not verify), 503 (the state
  /// could not be written: nothing is cosigned). Refusals of a checkpoint the log did sign are
  /// kept as evidence (evidence()).
  [[nodiscard]] Answer add_checkpoint(std::string_view body);

  /// The witness's cosigning key as a vkey (type 0x04, under its name).
  [[nodiscard]] protocol::note::VerifierKey verifier_key() const;
  /// What the state file holds for `origin`.
  [[nodiscard]] std::optional<Cosigned> cosigned(std::string_view origin) const;
  /// Signed checkpoints refused as a fork (why, and the request as received), oldest first.
  struct Evidence {
    std::string origin;
    std::string reason;
    std::string request;
  };
  [[nodiscard]] std::vector<Evidence> evidence() const;

 private:
  class State;
  std::unique_ptr<State> state_;
  std::string name_;
  protocol::SigningKey key_;
  std::vector<LogKey> logs_;
  const protocol::Clock& clock_;
};

/// The witness's Ed25519 seed at `path` (32 raw bytes). Startup errors (std::runtime_error) say
/// what to do: a missing file (run init), a file others may read (chmod 600), a damaged one.
[[nodiscard]] protocol::SigningKey read_key_file(const std::filesystem::path& path);
/// Creates the key file with mode 0600 (O_EXCL: an existing key is never replaced) and syncs it.
[[nodiscard]] protocol::SigningKey create_key_file(const std::filesystem::path& path);

}  // namespace draaischijf::witness
