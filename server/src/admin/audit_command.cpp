#include "admin/audit_command.hpp"

#include <fcntl.h>
#include <fstream>
#include <optional>
#include <ostream>
#include <unistd.h>

#include <boost/json.hpp>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/tlog_errors.hpp>
#include <draaischijf/server/core/config.hpp>

#include "admin/command_words.hpp"
#include "admin/hub_database.hpp"
#include "core/utc_time.hpp"
#include "store/audit_export.hpp"

namespace draaischijf::server {
namespace {

constexpr std::string_view kSynopsis =
    "audit export --config FILE --from DATE --to DATE [--org ORG_ID_HEX] [--pupil PSEUDONYM_HEX] "
    "--format csv|jsonl [--out FILE] [--checkpoint FILE]";

int usage(std::ostream& err) {
  err << "usage: draaischijf-hub " << kSynopsis
      << "\n  DATE: YYYY-MM-DD (a whole day in UTC) or YYYY-MM-DDTHH:MM[:SS]Z (or +HH:MM)"
         "\n  --checkpoint: a record-log checkpoint of this hub (GET /v1/log/record/checkpoint, "
         "witnessed); every row is proved against it (jsonl only)\n"
         "   or: draaischijf-hub audit check --export FILE --checkpoint FILE --vkey VKEY "
         "[--witness VKEY]... [--quorum N]\n";
  return 2;
}

// The options as a filter; nullopt after saying what is wrong.
std::optional<audit_export::Filter> filter_of(const Words& words, std::ostream& err) {
  audit_export::Filter filter;
  const auto from = parse_utc_ms(words.one("from"), DateBound::start_of_day);
  const auto to = parse_utc_ms(words.one("to"), DateBound::end_of_day);
  for (const auto& [name, parsed] : {std::pair{"from", from}, std::pair{"to", to}}) {
    if (!parsed) {
      err << "error: --" << name << " " << words.one(name)
          << " is not an ISO 8601 date (YYYY-MM-DD) or timestamp with a zone "
             "(YYYY-MM-DDTHH:MM:SSZ); give one such as 2026-09-01\n";
      return std::nullopt;
    }
  }
  if (*from > *to) {
    err << "error: --from " << words.one("from") << " is after --to " << words.one("to")
        << "; swap them\n";
    return std::nullopt;
  }
  filter.from_ms = *from;
  filter.to_ms = *to;
  if (words.has("org")) {
    filter.org = fixed_hex<16>(words.one("org"));
    if (!filter.org) {
      err << "error: --org takes the 32 hexadecimal digits of an organisation id\n";
      return std::nullopt;
    }
  }
  if (words.has("pupil")) {
    filter.pupil = fixed_hex<32>(words.one("pupil"));
    if (!filter.pupil) {
      err << "error: --pupil takes the pupil's pseudonym, 64 hexadecimal digits (the CLB's "
             "`draaischijf disclosures --pupil REF` prints it); the hub never knows the "
             "pupil's own reference\n";
      return std::nullopt;
    }
  }
  return filter;
}

void write_csv_line(std::ostream& out, const auto& values) {
  bool first = true;
  for (const auto& value : values) {
    out << (first ? "" : ",") << csv_field(value);
    first = false;
  }
  out << "\r\n";
}

void write_jsonl(std::ostream& out, const audit_export::Row& row, bool with_proofs) {
  boost::json::object object;
  for (std::size_t i = 0; i < audit_export::kColumns.size(); ++i) {
    const auto key = audit_export::kColumns[i];
    if (key == "at_ms") {
      object[key] = std::stoll(row.values[i]);
    } else {
      object[key] = row.values[i];
    }
  }
  if (with_proofs) {
    // null: the row has no entry in the log, or its entry came after the checkpoint.
    const auto* path = row.proof && row.proof->path ? &*row.proof->path : nullptr;
    object["row_id"] = row.proof ? boost::json::value(row.proof->row_id) : nullptr;
    object["log_index"] = row.proof ? boost::json::value(row.proof->index) : nullptr;
    object["log_proof"] = nullptr;
    if (path != nullptr) {
      boost::json::array hashes;
      for (const auto& hash : *path) {
        hashes.emplace_back(protocol::base64_encode(hash));
      }
      object["log_proof"] = std::move(hashes);
    }
  }
  out << boost::json::serialize(object) << "\n";
}

// --out: a new file only others cannot read (it names pupils' pseudonyms and staff ids).
bool open_new_file(const std::string& path, std::ofstream& file, std::ostream& err) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    err << "error: cannot create " << path
        << (errno == EEXIST ? ": it exists; choose another name\n" : ": check the folder\n");
    return false;
  }
  ::close(fd);
  file.open(path, std::ios::binary | std::ios::trunc);
  return static_cast<bool>(file);
}

int export_rows(const Words& words, std::ostream& out, std::ostream& err) {
  const std::string format = words.one("format");
  if (format != "csv" && format != "jsonl") {
    err << "error: --format takes csv or jsonl\n";
    return usage(err);
  }
  auto filter = filter_of(words, err);
  if (!filter) {
    return 2;
  }
  if (words.has("checkpoint") && format != "jsonl") {
    err << "error: --checkpoint writes each row's proof, which only --format jsonl holds\n";
    return 2;
  }
  const auto config = command_config(words.one("config"), err);
  if (!config) {
    return 2;
  }
  if (words.has("checkpoint")) {
    filter->prove_against = hub_record_checkpoint(*config, words.one("checkpoint"), err);
    if (!filter->prove_against) {
      return 1;
    }
  }
  const auto database = config->server.data_dir / "hub.db";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(database, ec)) {
    err << "error: no hub.db in " << config->server.data_dir.string()
        << "; check server.data_dir\n";
    return 1;
  }
  std::ofstream file;
  if (words.has("out") && !open_new_file(words.one("out"), file, err)) {
    return 1;
  }
  std::ostream& sink = words.has("out") ? file : out;
  if (format == "csv") {
    write_csv_line(sink, audit_export::kColumns);
  }
  auto exported = audit_export::read(database, *filter, [&](const audit_export::Row& row) {
    if (format == "csv") {
      write_csv_line(sink, row.values);
    } else {
      write_jsonl(sink, row, filter->prove_against.has_value());
    }
  });
  sink.flush();
  if (!exported && (exported.error() == protocol::tlog_errc::log_rollback ||
                    exported.error() == protocol::tlog_errc::log_fork)) {
    err << "FAILED: the record log does not extend the checkpoint of size "
        << filter->prove_against->size
        << ": the entries up to it changed after it was signed. Nothing was proved; run "
           "`draaischijf-hub audit verify --checkpoint` and keep the database as evidence\n";
    return 1;
  }
  if (!exported || !sink) {
    err << "error: the export failed: "
        << (exported ? std::string("writing the output failed") : exported.error().message())
        << "; check the disk and the data directory\n";
    return 1;
  }
  err << "exported " << *exported << " rows (" << format << ")"
      << (words.has("out") ? " to " + words.one("out") : std::string()) << "\n";
  return 0;
}

}  // namespace

int audit_command(const std::vector<std::string_view>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] == "verify") {
    return audit_verify_command(args, out, err);
  }
  if (!args.empty() && args[0] == "check") {
    return audit_check_command(args, out, err);
  }
  Words words;
  if (args.empty() || args[0] != "export" ||
      !parse_words(args, {"config", "from", "to", "org", "pupil", "format", "out", "checkpoint"},
                   {}, "audit export", "draaischijf-hub --help", words, err) ||
      !words.positional.empty() || !words.has("config") || !words.has("from") || !words.has("to") ||
      !words.has("format")) {
    return usage(err);
  }
  return export_rows(words, out, err);
}

}  // namespace draaischijf::server
