#include "gossip.hpp"

#include <draaischijf/client/errors.hpp>
#include <draaischijf/protocol/merkle.hpp>

#include "directory_log.hpp"

namespace draaischijf::client {
namespace {

using protocol::Result;
using protocol::note::Checkpoint;

constexpr std::string_view kLogs[] = {kDirectoryLog, kRecordLog};

// The log of this hub that `origin` names; empty when it names none (another hub key, another
// log): such a checkpoint cannot be compared with anything this device holds.
std::string_view log_named(const detail::SessionState& s, std::string_view origin) {
  for (const auto log : kLogs) {
    if (auto own = log_origin(s, log); own && *own == origin) {
      return log;
    }
  }
  return {};
}

void add_flag(std::string& flags, std::string_view flag) {
  if (flags.find(flag) == std::string::npos) {
    flags += flags.empty() ? "" : " ";
    flags += flag;
  }
}

// Whether a failed consistency check shows a split view: a proof that does not verify, and
// equally a hub that will not give one or gives a malformed one (an honest hub proves any two
// sizes of its log). Unreachable hubs and local failures are not evidence: they are returned.
Result<bool> shows_fork(const boost::system::error_code& error) {
  if (error == client_errc::log_fork || error == client_errc::log_rollback ||
      error == client_errc::hub_refused || error == client_errc::hub_answer_invalid) {
    return true;
  }
  return Result<bool>(boost::system::in_place_error, error);
}

// One gossiped checkpoint of `log`, its hub signature verified, against this device's own.
Result<bool> is_fork(detail::SessionState& s, std::string_view log, const AcceptedCheckpoint& own,
                     const protocol::note::OpenedCheckpoint& gossiped, std::string_view note) {
  const Checkpoint& other = gossiped.checkpoint;
  const Checkpoint mine{other.origin, own.size, own.root, {}};
  if (other.size == mine.size) {
    return other.root != mine.root;
  }
  // The smaller must be a prefix of the larger: the hub proves it or is caught.
  const bool newer = other.size > mine.size;
  if (auto step =
          newer ? check_consistent(s, log, mine, other) : check_consistent(s, log, other, mine);
      !step) {
    return shows_fork(step.error());
  }
  // Proved consistent. A newer one is taken as this device's own when it carries what the
  // device demands of any checkpoint (the witness quorum); an older one changes nothing.
  if (newer && check_profile_quorum(s, gossiped.note)) {
    if (auto kept =
            s.state.accept_checkpoint(other.origin, {std::string(note), other.size, other.root});
        !kept) {
      return Result<bool>(boost::system::in_place_error, kept.error());
    }
    s.checkpoints.insert_or_assign(std::string(log), other);
  }
  return false;
}

}  // namespace

Result<std::vector<std::string>> checkpoints_to_gossip(detail::SessionState& s) {
  std::vector<std::string> out;
  for (const auto log : kLogs) {
    auto origin = log_origin(s, log);
    if (!origin) {
      return out;  // no hub key pinned: nothing was ever accepted
    }
    auto stored = s.state.checkpoint(*origin);
    if (!stored) {
      return stored.error();
    }
    if (*stored) {
      out.push_back(std::move((*stored)->note));
    }
  }
  return out;
}

Result<std::string> check_gossip(detail::SessionState& s, std::span<const std::string> checkpoints,
                                 const protocol::Id& message_id) {
  std::string flags;
  for (const std::string& note : checkpoints) {
    // The protocol parser let only well-formed checkpoint notes through.
    const auto text = protocol::note::parse(note);
    const auto body =
        text ? protocol::note::parse_checkpoint_text(text->text) : Result<Checkpoint>(text.error());
    const std::string_view log = body ? log_named(s, body->origin) : std::string_view();
    auto gossiped = log.empty() ? Result<protocol::note::OpenedCheckpoint>(
                                      make_error_code(client_errc::log_checkpoint_invalid))
                                : open_hub_checkpoint(s, log, note);
    if (!gossiped) {
      // Not the hub's signature: the sender's own act (it signed the inner part), and no
      // evidence against the hub. Ignored, and the reader is told.
      add_flag(flags, "gossip_unverified");
      continue;
    }
    auto own = s.state.checkpoint(gossiped->checkpoint.origin);
    if (own && !*own) {
      // Nothing to compare with yet: this device's first view of the log, from the hub.
      if (auto first = refresh_checkpoint(s, log); !first) {
        return first.error();
      }
      own = s.state.checkpoint(gossiped->checkpoint.origin);
    }
    if (!own || !*own) {
      return own ? make_error_code(client_errc::state_failed) : own.error();
    }
    auto fork = is_fork(s, log, **own, *gossiped, note);
    if (!fork) {
      return fork.error();
    }
    if (*fork) {
      if (auto kept = s.state.record_fork(
              {gossiped->checkpoint.origin, (*own)->note, note, message_id, s.clock.now_ms()});
          !kept) {
        return kept.error();
      }
      add_flag(flags, "log_fork");
    }
  }
  return flags;
}

}  // namespace draaischijf::client
