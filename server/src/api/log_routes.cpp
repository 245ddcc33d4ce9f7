// The transparency logs' routes (docs/TRANSPARENCY.md): a log's signed checkpoint, inclusion
// and consistency proofs, and its entries, for clients, witnesses and monitors. Public to every
// participant: a log is useful only if anyone can check it.

#include "api/log_routes.hpp"

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

namespace draaischijf::server::log_routes {
namespace {

using namespace api_call;

// The refusals a proof request can get: past the log's end or an impossible pair of sizes is
// the caller's mistake (400); anything else is the hub's.
Reply refusal(const Call& call, const boost::system::error_code& error) {
  if (error == protocol::tlog_errc::proof_malformed) {
    return call.problem(ProblemKind::invalid_field,
                        "The index or sizes are not within the log: ask for its checkpoint "
                        "first and stay within its size (index < size, 1 <= from <= to).");
  }
  return call.problem(error);
}

// The {log} placeholder and the named counts of the query, or the problem to answer.
std::optional<Reply> read_request(
    const Call& call, LogId& log,
    std::initializer_list<std::pair<std::string_view, std::uint64_t*>> counts) {
  const auto parsed = parse_log_name(call.params.at(0));
  if (!parsed) {
    return call.problem(ProblemKind::not_found, "The logs are `directory` and `record`.");
  }
  log = *parsed;
  for (const auto& [name, out] : counts) {
    const auto value = parse_count(call.query_value(name).value_or(""));
    if (!value) {
      return call.problem(ProblemKind::invalid_field,
                          "Give ?" + std::string(name) + "= as a decimal count.");
    }
    *out = static_cast<std::uint64_t>(*value);
  }
  return std::nullopt;
}

}  // namespace

Task<Reply> get_checkpoint(Call& call) {
  LogId log{};
  if (auto refused = read_request(call, log, {})) {
    co_return *refused;
  }
  auto note = call.parts.logs.checkpoint(log);
  if (!note) {
    co_return call.problem(note.error());
  }
  co_return Reply{200, "text/plain; charset=utf-8", std::move(*note), {}};
}

Task<Reply> get_inclusion_proof(Call& call) {
  LogId log{};
  std::uint64_t index = 0;
  std::uint64_t size = 0;
  if (auto refused = read_request(call, log, {{"index", &index}, {"size", &size}})) {
    co_return *refused;
  }
  auto proof = call.parts.logs.inclusion(log, index, size);
  if (!proof) {
    co_return refusal(call, proof.error());
  }
  co_return call.json(Status::ok,
                      {{"index", index}, {"size", size}, {"proof", hashes_json(*proof)}});
}

Task<Reply> get_consistency_proof(Call& call) {
  LogId log{};
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  if (auto refused = read_request(call, log, {{"from", &from}, {"to", &to}})) {
    co_return *refused;
  }
  auto proof = call.parts.logs.consistency(log, from, to);
  if (!proof) {
    co_return refusal(call, proof.error());
  }
  co_return call.json(Status::ok, {{"from", from}, {"to", to}, {"proof", hashes_json(*proof)}});
}

// RFC 6962's get-proof-by-hash: a client rebuilds a directory entry from what the hub served
// (an organisation key, an epoch certificate) and asks where its leaf is, so one request gives
// the index and the proof, and the hub never chooses which entry the client checks.
Task<Reply> get_proof_by_hash(Call& call) {
  LogId log{};
  std::uint64_t size = 0;
  if (auto refused = read_request(call, log, {{"size", &size}})) {
    co_return *refused;
  }
  if (log != LogId::directory) {
    co_return call.problem(ProblemKind::not_found,
                           "Leaves are looked up by hash in the `directory` log only.");
  }
  const auto hash = protocol::hex_decode(call.query_value("hash").value_or(""));
  if (!hash || hash->size() != protocol::merkle::Hash{}.size()) {
    co_return call.problem(ProblemKind::invalid_field,
                           "Give ?hash= as the entry's leaf hash (SHA-256(0x00 || entry)), 64 "
                           "hex digits.");
  }
  protocol::merkle::Hash leaf{};
  std::copy(hash->begin(), hash->end(), leaf.begin());
  auto found = call.parts.logs.find_leaf(leaf, size);
  if (!found) {
    co_return refusal(call, found.error());
  }
  if (!*found) {
    co_return call.problem(ProblemKind::not_found,
                           "No entry with that leaf hash is in the directory log's tree of that "
                           "size: the hub did not log it (or not yet at that size).");
  }
  co_return call.json(
      Status::ok,
      {{"index", (*found)->index}, {"size", size}, {"proof", hashes_json((*found)->proof)}});
}

Task<Reply> get_entry(Call& call) {
  LogId log{};
  if (auto refused = read_request(call, log, {})) {
    co_return *refused;
  }
  const auto index = parse_count(call.params.at(1));
  if (!index) {
    co_return call.problem(ProblemKind::invalid_field, "The entry index is a decimal count.");
  }
  auto entry = call.parts.logs.entry(log, static_cast<std::uint64_t>(*index));
  if (!entry) {
    co_return refusal(call, entry.error());
  }
  co_return call.json(Status::ok, {{"index", *index}, {"entry", b64(*entry)}});
}

}  // namespace draaischijf::server::log_routes
