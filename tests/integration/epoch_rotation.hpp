#pragma once

// The body of a mailbox rotation as an admin's client makes it, for the tests that rotate
// mailboxes through the real hub with the development deployment's keys.

#include <ctime>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/epoch.hpp>

namespace draaischijf::testing {

/// The body of `POST /v1/mailboxes/{id}/epochs` that rotates `current` (opened with
/// `current_seed`) to its next epoch under `seed`, sealed to `members` (device id, encryption
/// key) and signed with `signer` (the organisation key).
inline boost::json::object next_epoch(
    const protocol::MailboxEpochCertificate& current, const protocol::EpochSeed& current_seed,
    const protocol::EpochSeed& seed,
    const std::vector<std::pair<protocol::Id, protocol::X25519PublicKey>>& members,
    const protocol::SigningKey& signer) {
  protocol::MailboxEpochCertificate next;
  next.mailbox_id = current.mailbox_id;
  next.org_id = current.org_id;
  next.epoch = current.epoch + 1;
  next.mailbox_key = protocol::mailbox_identity(seed).public_key();
  std::vector<protocol::Id> ids;
  boost::json::array boxes;
  for (const auto& [id, key] : members) {
    ids.push_back(id);
    boxes.push_back(
        {{"device_id", protocol::hex_encode(id)},
         {"seed_box",
          protocol::base64_encode(
              protocol::seal_seed_to_device(seed, next.mailbox_id, next.epoch, key).value())}});
  }
  next.members_hash = protocol::members_hash(ids);
  next.previous_certificate = protocol::certificate_hash(current);
  next.function = current.function;
  protocol::set_default_window(next, static_cast<std::uint64_t>(std::time(nullptr)));
  next = protocol::issue(next, signer);
  return {{"certificate", protocol::base64_encode(protocol::encode(next))},
          {"previous_seed_box", protocol::base64_encode(protocol::seal_previous_seed(
                                    seed, next.mailbox_id, next.epoch, current_seed))},
          {"members", std::move(boxes)}};
}

}  // namespace draaischijf::testing
