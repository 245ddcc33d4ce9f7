#include "directory_log.hpp"

#include <algorithm>

#include <draaischijf/client/witness_quorum.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/merkle.hpp>

#include "hub_json.hpp"

namespace draaischijf::client {
namespace {

using protocol::Result;
using protocol::merkle::Hash;
using protocol::note::Checkpoint;

boost::system::error_code not_logged() { return make_error_code(client_errc::not_in_log); }

}  // namespace

// The `proof` array of a proof answer, as hashes (hub_answer_invalid for anything else).
Result<std::vector<Hash>> proof_of(const boost::json::object& body) {
  const auto* items = body.if_contains("proof");
  if (items == nullptr || !items->is_array()) {
    return invalid_answer();
  }
  std::vector<Hash> out;
  for (const auto& item : items->as_array()) {
    auto bytes = item.is_string() ? protocol::base64_decode(std::string(item.as_string()))
                                  : Result<std::vector<std::uint8_t>>(invalid_answer());
    if (!bytes || bytes->size() != Hash{}.size()) {
      return invalid_answer();
    }
    Hash h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    out.push_back(h);
  }
  return out;
}

Result<void> check_consistent(detail::SessionState& s, std::string_view log, const Checkpoint& seen,
                              const Checkpoint& next) {
  std::vector<Hash> proof;
  if (seen.size > 0 && next.size > seen.size) {
    auto body = s.get_json("/v1/log/" + std::string(log) + "/proof/consistency?from=" +
                           std::to_string(seen.size) + "&to=" + std::to_string(next.size));
    if (!body) {
      return body.error();
    }
    auto parsed = proof_of(*body);
    if (!parsed) {
      return parsed.error();
    }
    proof = std::move(*parsed);
  }
  const auto extends = protocol::check_extends(seen, next, proof);
  if (!extends) {
    return extends.error() == protocol::tlog_errc::log_rollback
               ? make_error_code(client_errc::log_rollback)
               : make_error_code(client_errc::log_fork);
  }
  return {};
}

namespace {

// Where `leaf` is in the tree of `checkpoint` and that it verifies; nullopt when the hub says
// no such leaf is in that tree (404).
Result<std::optional<std::uint64_t>> find_in(detail::SessionState& s, const Checkpoint& checkpoint,
                                             std::span<const std::uint8_t> entry) {
  if (checkpoint.size == 0) {
    return std::optional<std::uint64_t>();
  }
  const Hash leaf = protocol::merkle::leaf_hash(entry);
  auto body = s.get_json("/v1/log/directory/proof/by-hash?hash=" + hex(leaf) +
                         "&size=" + std::to_string(checkpoint.size));
  if (!body) {
    if (body.error() == client_errc::hub_refused && s.problem.status == 404) {
      return std::optional<std::uint64_t>();
    }
    return body.error();
  }
  const auto index = hub_json::count(*body, "index");
  auto proof = proof_of(*body);
  if (!index || !proof || hub_json::count(*body, "size") != checkpoint.size) {
    return invalid_answer();
  }
  if (!protocol::check_included(checkpoint, entry, *index, *proof)) {
    return not_logged();  // a proof that leads elsewhere: the hub claims what it cannot show
  }
  return std::optional<std::uint64_t>(*index);
}

// Whether `subject` was proved to be in the directory log before (this session, or any
// earlier one: the local state keeps it).
Result<bool> remembered(detail::SessionState& s, const std::vector<std::uint8_t>& subject) {
  if (s.logged.contains(subject)) {
    return true;
  }
  auto known = s.state.knows_logged(subject);
  if (known && *known) {
    s.logged.insert(subject);
  }
  return known;
}

// `subject` (what the caller relies on) is in the directory log as `entry`: remembered, or
// proved against the checkpoint accepted in this session and, if it is not there, against a
// fresh one (the object may be newer than the session's checkpoint).
Result<void> require_logged(detail::SessionState& s, std::vector<std::uint8_t> subject,
                            std::span<const std::uint8_t> entry) {
  if (auto known = remembered(s, subject); !known || *known) {
    return known ? Result<void>() : Result<void>(known.error());
  }
  const auto held = s.checkpoints.find(kDirectoryLog);
  std::optional<Checkpoint> checkpoint;
  if (held != s.checkpoints.end()) {
    checkpoint = held->second;
  }
  for (bool fresh = !checkpoint;; fresh = true) {
    if (fresh) {
      auto refreshed = refresh_checkpoint(s, kDirectoryLog);
      if (!refreshed) {
        return refreshed.error();
      }
      checkpoint = std::move(*refreshed);
    }
    auto found = find_in(s, *checkpoint, entry);
    if (!found) {
      return found.error();
    }
    if (*found) {
      if (auto noted = s.state.note_logged(subject, **found, checkpoint->size); !noted) {
        return noted.error();
      }
      s.logged.insert(std::move(subject));
      return {};
    }
    if (fresh) {
      return not_logged();
    }
  }
}

}  // namespace

Result<std::string> log_origin(const detail::SessionState& s, std::string_view log) {
  const auto& hub_key = s.trust.hub_key();
  if (!hub_key) {
    return make_error_code(client_errc::log_checkpoint_invalid);
  }
  const protocol::KeyId id = protocol::key_id_of(*hub_key);
  return "draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8)) + "/" + std::string(log);
}

Result<protocol::note::OpenedCheckpoint> open_hub_checkpoint(const detail::SessionState& s,
                                                             std::string_view log,
                                                             std::string_view note) {
  auto origin = log_origin(s, log);
  if (!origin) {
    return origin.error();
  }
  const protocol::note::VerifierKey hub{*origin, protocol::note::kEd25519, *s.trust.hub_key()};
  auto opened = protocol::note::open_checkpoint(note, hub, *origin);
  if (!opened) {
    return make_error_code(client_errc::log_checkpoint_invalid);
  }
  return opened;
}

Result<void> check_profile_quorum(const detail::SessionState& s,
                                  const protocol::note::SignedNote& note) {
  // Read on every check, not once per session: an operator who adds a witness or raises the
  // quorum expects the next checkpoint to demand it. A malformed file refuses rather than
  // trusting less.
  auto witnesses = read_witness_policy(s.profile.witnesses_file());
  if (!witnesses) {
    return witnesses.error();
  }
  return check_witness_quorum(note, witnesses->witnesses, witnesses->quorum);
}

Result<Checkpoint> adopt_checkpoint(detail::SessionState& s, std::string_view log,
                                    const std::string& note, QuorumOnNote quorum) {
  auto opened = open_hub_checkpoint(s, log, note);
  if (!opened) {
    return opened.error();
  }
  const auto cosigned = check_profile_quorum(s, opened->note);
  if (!cosigned && quorum == QuorumOnNote::required) {
    return cosigned.error();
  }
  const std::string& origin = opened->checkpoint.origin;
  const Checkpoint& next = opened->checkpoint;
  auto stored = s.state.checkpoint(origin);
  if (!stored) {
    return stored.error();
  }
  // Trust on first use: without a checkpoint there is nothing to be consistent with. The empty
  // tree's fixed head is still demanded of a first checkpoint of size 0.
  const Checkpoint seen = *stored ? Checkpoint{origin, (*stored)->size, (*stored)->root, {}}
                                  : Checkpoint{origin, 0, protocol::merkle::empty_root(), {}};
  if (auto step = check_consistent(s, log, seen, next); !step) {
    return step.error();
  }
  if (!*stored && next.size == 0 && next.root != protocol::merkle::empty_root()) {
    return make_error_code(client_errc::log_fork);
  }
  // Without its witnesses' quorum a checkpoint is checked, not kept: the next fetched one must
  // still bring the cosignatures the profile demands.
  if (!cosigned) {
    return next;
  }
  if (!*stored || next.size > seen.size) {
    if (auto kept = s.state.accept_checkpoint(origin, {note, next.size, next.root}); !kept) {
      return kept.error();
    }
  }
  s.checkpoints.insert_or_assign(std::string(log), next);
  return next;
}

Result<Checkpoint> refresh_checkpoint(detail::SessionState& s, std::string_view log) {
  auto reply = s.expect_ok(s.hub->get("/v1/log/" + std::string(log) + "/checkpoint"));
  if (!reply) {
    return reply.error();
  }
  return adopt_checkpoint(s, log, reply->body, QuorumOnNote::required);
}

Result<void> require_logged_entry(detail::SessionState& s, std::span<const std::uint8_t> entry) {
  const Hash leaf = protocol::merkle::leaf_hash(entry);
  return require_logged(s, {leaf.begin(), leaf.end()}, entry);
}

Result<void> require_logged_organisation(detail::SessionState& s, const protocol::Id& org_id,
                                         const protocol::SigningPublicKey& key,
                                         std::optional<protocol::OrgType> type) {
  // Remembered by organisation and key (48 bytes, never a 32-byte leaf hash): the type is only
  // needed to rebuild the entry the first time.
  std::vector<std::uint8_t> subject(org_id.begin(), org_id.end());
  subject.insert(subject.end(), key.begin(), key.end());
  if (auto known = remembered(s, subject); !known || *known) {
    return known ? Result<void>() : Result<void>(known.error());
  }
  if (!type) {
    auto body = s.get_json("/v1/organisations/" + hex(org_id));
    if (!body) {
      return body.error();
    }
    type = protocol::parse_name<protocol::OrgType>(hub_json::text(*body, "org_type").value_or(""));
    if (!type) {
      return invalid_answer();
    }
  }
  return require_logged(s, std::move(subject),
                        protocol::organisation_key_entry(org_id, *type, key));
}

Result<void> check_entry_at(detail::SessionState& s, const Checkpoint& checkpoint,
                            std::span<const std::uint8_t> entry, std::uint64_t index) {
  auto body = s.get_json("/v1/log/directory/proof/inclusion?index=" + std::to_string(index) +
                         "&size=" + std::to_string(checkpoint.size));
  if (!body) {
    return body.error();
  }
  auto proof = proof_of(*body);
  if (!proof) {
    return proof.error();
  }
  if (!protocol::check_included(checkpoint, entry, index, *proof)) {
    return not_logged();
  }
  return {};
}

Result<std::vector<std::uint8_t>> fetch_entry(detail::SessionState& s, std::uint64_t index) {
  auto body = s.get_json("/v1/log/directory/entries/" + std::to_string(index));
  if (!body) {
    return body.error();
  }
  auto entry = hub_json::base64(*body, "entry");
  if (!entry || hub_json::count(*body, "index") != index) {
    return invalid_answer();
  }
  return std::move(*entry);
}

}  // namespace draaischijf::client
