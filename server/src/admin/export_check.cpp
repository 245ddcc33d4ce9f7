#include "admin/export_check.hpp"

#include <boost/json.hpp>

#include <draaischijf/policies/record.hpp>
#include <draaischijf/policies/record_json.hpp>
#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/note.hpp>

#include "admin/command_words.hpp"

namespace draaischijf::server::export_check {
namespace {

namespace json = boost::json;

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A disclosure row as the audit row of its decision: its sender as the user, its approvers as
// on-behalf-of, the decision's device and detail as the export copied them.
json::object decision_fields(const json::object& o) {
  json::object row = o;
  row["event"] = policies::kPolicyDecisionEvent;
  row["on_behalf_of"] = text_of(o, "approved_by");
  return row;
}

// The disclosure the row states, for comparison with the decision's detail.
std::optional<policies::Disclosure> stated_disclosure(const json::object& o) {
  json::object line = o;
  line["sender_staff"] = text_of(o, "user_id");
  line["sender_role"] = text_of(o, "role");
  return policies::disclosure_from_json(line);
}

std::optional<std::vector<protocol::merkle::Hash>> path_of(const json::value& proof) {
  if (!proof.is_array()) {
    return std::nullopt;
  }
  std::vector<protocol::merkle::Hash> path;
  for (const auto& hash : proof.as_array()) {
    if (!hash.is_string()) {
      return std::nullopt;
    }
    const auto bytes = protocol::base64_decode(hash.as_string());
    if (!bytes || bytes->size() != protocol::merkle::Hash{}.size()) {
      return std::nullopt;
    }
    path.emplace_back();
    std::copy(bytes->begin(), bytes->end(), path.back().begin());
  }
  return path;
}

// One line: "" when proved or given without proof, else what is wrong with it.
std::string check_line(const std::string& line, const protocol::note::Checkpoint& checkpoint,
                       Report& report) {
  boost::system::error_code ec;
  const auto parsed = json::parse(line, ec);
  if (ec || !parsed.is_object()) {
    return "is not a JSON object";
  }
  const auto& o = parsed.as_object();
  const auto* proof = o.if_contains("log_proof");
  const auto* index = o.if_contains("log_index");
  if (proof == nullptr || index == nullptr) {
    return "has no log_index or log_proof: export it with --checkpoint";
  }
  if (proof->is_null()) {
    ++report.without;
    return "";
  }
  const std::string source = text_of(o, "record");
  const bool disclosure = source == "disclosure";
  if (!disclosure && source != "audit") {
    return "is neither an audit row nor a disclosure";
  }
  auto row = policies::audit_record_from_json(disclosure ? decision_fields(o) : o);
  const auto path = path_of(*proof);
  if (!row || !path || !index->is_int64() || index->as_int64() < 0) {
    return "has a malformed field";
  }
  if (disclosure) {
    const auto stated = stated_disclosure(o);
    const auto org = fixed_hex<16>(text_of(o, "org_id"));
    const auto pupil = fixed_hex<32>(text_of(o, "pupil"));
    if (!stated || !org || !pupil ||
        !policies::records_disclosure(row->view(), *stated, *org, *pupil)) {
      return "is a disclosure that its decision's audit row does not state (edited)";
    }
  }
  const auto at = static_cast<std::uint64_t>(index->as_int64());
  const auto entry = protocol::audit_record_entry(row->view());
  if (!protocol::check_included(checkpoint, entry, at, *path)) {
    return "is not record-log entry " + std::to_string(at) +
           " of the checkpoint's tree (the row was edited, or the proof is not its own)";
  }
  // A disclosure shares its entry with its decision's audit row; two rows of one kind never do.
  auto& seen = disclosure ? report.disclosure_indexes : report.audit_indexes;
  if (!seen.insert(at).second) {
    return "names record-log entry " + std::to_string(at) + " again (a duplicated row)";
  }
  report.indexes.insert(at);
  ++report.proved;
  return "";
}

}  // namespace

std::uint64_t Report::gaps() const {
  if (indexes.empty()) {
    return 0;
  }
  return *indexes.rbegin() - *indexes.begin() + 1 - indexes.size();
}

Report check(std::istream& in, const protocol::note::Checkpoint& checkpoint) {
  Report report;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    ++report.rows;
    if (auto problem = check_line(line, checkpoint, report); !problem.empty()) {
      report.problems.push_back("line " + std::to_string(report.rows) + " " + problem);
    }
  }
  return report;
}

}  // namespace draaischijf::server::export_check
