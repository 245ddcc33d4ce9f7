#pragma once

// The witness's state file (SQLite): the latest cosigned checkpoint per origin and the evidence
// of refused forks. One connection, synchronous=FULL: a COMMIT has reached the disk when it
// returns, which is what lets the witness answer only after it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/witness/witness.hpp>

struct sqlite3;

namespace draaischijf::witness {

class Witness::State {
 public:
  explicit State(const std::filesystem::path& file);
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  /// BEGIN IMMEDIATE: the check of the old size and the update are one step, whoever else opens
  /// the file.
  [[nodiscard]] bool begin();
  void rollback();
  [[nodiscard]] std::optional<Cosigned> read(std::string_view origin) const;
  /// Writes the new latest checkpoint and commits; false when either fails (rolled back).
  [[nodiscard]] bool store_and_commit(std::string_view origin, const Cosigned& latest,
                                      std::string_view note, std::int64_t at_ms);
  /// Evidence goes in its own transaction, outside begin()/rollback().
  void keep_evidence(std::string_view origin, std::string_view reason, std::string_view request,
                     std::int64_t at_ms);
  [[nodiscard]] std::vector<Evidence> evidence() const;

 private:
  [[nodiscard]] bool exec(const char* sql) const;
  sqlite3* db_ = nullptr;
};

}  // namespace draaischijf::witness
