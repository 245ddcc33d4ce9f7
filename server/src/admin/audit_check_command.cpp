// draaischijf-hub audit check --export FILE --checkpoint FILE --vkey VKEY [--witness VKEY]...
// [--quorum N]: a DPO export with proofs checked by someone who holds neither the hub nor its
// database (admin/export_check.hpp): the checkpoint must be the record log's, signed by the key
// VKEY names (as `draaischijf-hub log vkeys` prints it) and cosigned by the quorum of the
// witnesses given; then every exported row must be the entry the proof puts in its tree.

#include <charconv>
#include <fstream>
#include <ostream>

#include <draaischijf/protocol/note.hpp>

#include "admin/audit_command.hpp"
#include "admin/command_words.hpp"
#include "admin/export_check.hpp"

namespace draaischijf::server {
namespace {

namespace note = protocol::note;

constexpr std::string_view kCheckSynopsis =
    "usage: draaischijf-hub audit check --export FILE --checkpoint FILE --vkey VKEY "
    "[--witness VKEY]... [--quorum N]\n"
    "  --export: written by `audit export --format jsonl --checkpoint FILE`\n"
    "  --vkey: the hub's record-log key (`draaischijf-hub log vkeys`, second line)\n"
    "  --witness: a witness whose cosignature counts; --quorum: how many must have cosigned "
    "(default: every witness given)\n";

int usage(std::ostream& err) {
  err << kCheckSynopsis;
  return 2;
}

// How many of `witnesses` cosigned the note.
std::size_t cosigned_by(const note::SignedNote& signed_note,
                        const std::vector<note::VerifierKey>& witnesses) {
  std::size_t count = 0;
  for (const auto& witness : witnesses) {
    if (note::verify_cosignature(signed_note, witness)) {
      ++count;
    }
  }
  return count;
}

}  // namespace

int audit_check_command(const std::vector<std::string_view>& args, std::ostream& out,
                        std::ostream& err) {
  Words words;
  if (!parse_words(args, {"export", "checkpoint", "vkey", "witness", "quorum"}, {}, "audit check",
                   "draaischijf-hub --help", words, err, {"witness"}) ||
      !words.positional.empty() || !words.has("export") || !words.has("checkpoint") ||
      !words.has("vkey")) {
    return usage(err);
  }
  const auto hub_key = note::parse_vkey(words.one("vkey"));
  if (!hub_key) {
    err << "error: --vkey " << words.one("vkey")
        << " is not a verifier key (name+id+key, as `draaischijf-hub log vkeys` prints it)\n";
    return 2;
  }
  std::vector<note::VerifierKey> witnesses;
  for (const auto& text : words.all("witness")) {
    auto witness = note::parse_vkey(text);
    if (!witness) {
      err << "error: --witness " << text << " is not a witness's verifier key\n";
      return 2;
    }
    witnesses.push_back(std::move(*witness));
  }
  std::size_t quorum = witnesses.size();
  if (words.has("quorum")) {
    const auto text = words.one("quorum");
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), quorum);
    if (ec != std::errc() || end != text.data() + text.size() || quorum > witnesses.size()) {
      err << "error: --quorum takes a number from 0 to the number of --witness keys given ("
          << witnesses.size() << ")\n";
      return 2;
    }
  }
  const auto opened =
      record_checkpoint_file(words.one("checkpoint"), *hub_key, "the key " + hub_key->name, err);
  if (!opened) {
    return 1;
  }
  if (const auto cosigned = cosigned_by(opened->note, witnesses); cosigned < quorum) {
    err << "refused: " << cosigned << " of the witnesses given cosigned the checkpoint, " << quorum
        << " must; check against a checkpoint your witnesses saw\n";
    return 1;
  }
  std::ifstream in(words.one("export"));
  if (!in) {
    err << "error: cannot read " << words.one("export") << "; check the path\n";
    return 1;
  }
  const auto report = export_check::check(in, opened->checkpoint);
  out << "rows read           " << report.rows << "\nproved              " << report.proved
      << " against the checkpoint of size " << opened->checkpoint.size << "\nwithout a proof     "
      << report.without
      << " (before the record log, after the checkpoint, or a disclosure whose decision "
         "retention deleted)\n";
  if (!report.indexes.empty()) {
    out << "record-log entries  " << *report.indexes.begin() << " to " << *report.indexes.rbegin()
        << ", " << report.gaps()
        << " of them not in the export (0 expected without --org or --pupil)\n";
  }
  for (const auto& problem : report.problems) {
    err << "FAILED: " << problem << "\n";
  }
  if (!report.problems.empty() || (!in.eof() && in.fail())) {
    err << report.problems.size()
        << " problem(s): the export is not the hub's record as its log holds it\n";
    return 1;
  }
  out << "ok: every row with a proof is in the record log as exported\n";
  return 0;
}

}  // namespace draaischijf::server
