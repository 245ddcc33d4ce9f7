#pragma once

// `draaischijf-hub audit export --config FILE --from DATE --to DATE [--org ORG_ID_HEX]
// [--pupil PSEUDONYM_HEX] --format csv|jsonl [--out FILE]`: the audit log and the disclosure
// register for the data-protection officer (store/audit_export.hpp says what is in a row).
// CSV follows RFC 4180 (header row, CRLF, fields with a comma, quote or line break quoted),
// and a value a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
// return) gets a leading apostrophe. JSONL: one object per line, values as recorded.
// Exit codes: 0 exported, 1 failed, 2 usage error.
//
// With `--checkpoint FILE` (jsonl only) every row carries its proof against that record-log
// checkpoint: row_id, log_index and log_proof (store/audit_export.hpp, RowProof).
//
// `draaischijf-hub audit check --export FILE --checkpoint FILE --vkey VKEY [--witness VKEY]...
// [--quorum N]` (audit_check_command.cpp): such an export checked without the database.
// Exit codes: 0 every row proved, 1 a finding or a refused checkpoint, 2 usage error.
//
// `draaischijf-hub audit verify --config FILE [--checkpoint FILE]` (audit_verify_command.cpp):
// every audit row against the record log, and the log against a checkpoint the hub signed.
// Exit codes: 0 every row as written, 1 a finding (each names the row id or log index) or a
// failure, 2 usage error.

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/csv.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/server/core/config.hpp>

namespace draaischijf::server {

/// `args` are the words after "audit".
[[nodiscard]] int audit_command(const std::vector<std::string_view>& args, std::ostream& out,
                                std::ostream& err);

/// `args` are the words after "audit" ("verify", then the options).
[[nodiscard]] int audit_verify_command(const std::vector<std::string_view>& args, std::ostream& out,
                                       std::ostream& err);

/// `args` are the words after "audit" ("check", then the options): audit_check_command.cpp.
[[nodiscard]] int audit_check_command(const std::vector<std::string_view>& args, std::ostream& out,
                                      std::ostream& err);

/// The record-log checkpoint in the file at `path`, a note signed by `key` whose origin is the
/// key's name; nullopt after saying why (`signer`: the key in words).
[[nodiscard]] std::optional<protocol::note::OpenedCheckpoint> record_checkpoint_file(
    const std::string& path, const protocol::note::VerifierKey& key, std::string_view signer,
    std::ostream& err);

/// The record-log checkpoint in the file at `path`, signed by this hub's key (hub-signing.pub
/// in the data directory); nullopt after saying why.
[[nodiscard]] std::optional<protocol::note::Checkpoint> hub_record_checkpoint(
    const HubConfig& config, const std::string& path, std::ostream& err);

/// One CSV field as the export writes it: formula-neutralised, then quoted per RFC 4180 when
/// it needs to be (shared with the CLI's reports).
using protocol::csv_field;

}  // namespace draaischijf::server
