// draaischijf-hub audit verify --config FILE [--checkpoint FILE]: proves that no audit row was
// deleted, edited or reordered since it was written (store/audit_verify.hpp), and, given a
// checkpoint of the record log the hub signed earlier, that the log still extends it.

#include <ostream>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/store/sqlite.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "admin/audit_command.hpp"
#include "admin/command_words.hpp"
#include "admin/hub_database.hpp"
#include "store/audit_verify.hpp"

namespace draaischijf::server {
namespace {

constexpr std::string_view kVerifySynopsis =
    "usage: draaischijf-hub audit verify --config FILE [--checkpoint FILE]\n"
    "  FILE of --checkpoint: a record-log checkpoint the hub signed (GET "
    "/v1/log/record/checkpoint), kept or witnessed earlier\n";

}  // namespace

std::optional<protocol::note::OpenedCheckpoint> record_checkpoint_file(
    const std::string& path, const protocol::note::VerifierKey& key, std::string_view signer,
    std::ostream& err) {
  const auto text = certs::read_text_file(path);
  if (!text) {
    err << "error: cannot read " << path << "; check the path\n";
    return std::nullopt;
  }
  auto opened = protocol::note::open_checkpoint(*text, key, key.name);
  if (!opened) {
    err << "refused: " << path << " is not a record-log checkpoint signed by " << signer << " ("
        << opened.error().message() << ")\n";
    return std::nullopt;
  }
  return std::move(*opened);
}

std::optional<protocol::note::Checkpoint> hub_record_checkpoint(const HubConfig& config,
                                                                const std::string& path,
                                                                std::ostream& err) {
  const auto key_text = certs::read_text_file(config.server.data_dir / "hub-signing.pub");
  std::vector<std::uint8_t> key_bytes;
  if (key_text) {
    if (auto decoded = protocol::base64_decode(key_text->substr(0, key_text->find('\n')))) {
      key_bytes = std::move(*decoded);
    }
  }
  if (key_bytes.size() != 32) {
    err << "error: cannot read the hub's public key hub-signing.pub in "
        << config.server.data_dir.string() << "; check server.data_dir\n";
    return std::nullopt;
  }
  protocol::SigningPublicKey key{};
  std::copy(key_bytes.begin(), key_bytes.end(), key.begin());
  auto opened =
      record_checkpoint_file(path, log_verifier(key, LogId::record), "this hub's key", err);
  if (!opened) {
    return std::nullopt;
  }
  return std::move(opened->checkpoint);
}

int audit_verify_command(const std::vector<std::string_view>& args, std::ostream& out,
                         std::ostream& err) {
  Words words;
  if (!parse_words(args, {"config", "checkpoint"}, {}, "audit verify", "draaischijf-hub --help",
                   words, err) ||
      !words.positional.empty() || !words.has("config")) {
    err << kVerifySynopsis;
    return 2;
  }
  const auto config = command_config(words.one("config"), err);
  if (!config) {
    return 2;
  }
  const auto path = config->server.data_dir / "hub.db";
  auto db = sqlite::Database::open_unmigrated(path.string(), sqlite::Database::Access::read_only);
  if (!db) {
    err << "error: cannot open " << path.string() << ": " << db.error().message()
        << "; check server.data_dir\n";
    return 1;
  }
  std::optional<protocol::note::Checkpoint> checkpoint;
  if (words.has("checkpoint")) {
    checkpoint = hub_record_checkpoint(*config, words.one("checkpoint"), err);
    if (!checkpoint) {
      return 1;
    }
  }
  audit_verify::Report report;
  // One read transaction: a running hub's later commits are not half seen.
  auto checked = db->exec("BEGIN");
  if (checked) {
    checked = audit_verify::verify(*db, report);
  }
  (void)db->exec("COMMIT");
  if (!checked) {
    err << "error: reading the audit log failed: " << checked.error().message() << "\n";
    return 1;
  }
  if (checkpoint) {
    audit_verify::check_checkpoint(*checkpoint, report);
  }
  out << "audit rows checked  " << report.rows << "\nrows before the log " << report.rows_unlogged
      << "\nrecord-log entries  " << report.entries << " (" << report.purged
      << " of them for rows retention deleted)\nrecomputed head     "
      << protocol::base64_encode(report.root) << "\n";
  if (checkpoint) {
    out << "checkpoint          size " << checkpoint->size << ": "
        << (report.problems.empty() ? "extended by the log" : "see below") << "\n";
  }
  for (const auto& problem : report.problems) {
    err << "FAILED: " << problem << "\n";
  }
  if (!report.problems.empty()) {
    err << report.problems.size()
        << " problem(s): the audit log is not as the hub wrote it. Keep this database file "
           "as evidence and compare it with your last backup\n";
    return 1;
  }
  out << "ok: every audit row is in the record log as written\n";
  return 0;
}

}  // namespace draaischijf::server
