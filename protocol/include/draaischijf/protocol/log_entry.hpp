#pragma once

// The entries of the hub's directory log (docs/PROTOCOL.md 13.4): what a client rebuilds from a
// directory answer and then finds, by an inclusion proof, in a checkpoint it accepted. Each
// entry is a kind byte and the statement's canonical fields.

#include <cstdint>
#include <span>
#include <vector>

#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::protocol {

enum class DirectoryEntryKind : std::uint8_t {
  organisation_key = 1,   // an organisation and the Ed25519 key that signs its certificates
  epoch_certificate = 2,  // a mailbox epoch certificate, as the organisation signed it
};

/// kind 1 || org id (16) || organisation type (u8) || signing key (32).
[[nodiscard]] std::vector<std::uint8_t> organisation_key_entry(const Id& org_id, OrgType type,
                                                               const SigningPublicKey& key);
/// kind 2 || the encoded epoch certificate (PROTOCOL.md 5).
[[nodiscard]] std::vector<std::uint8_t> epoch_certificate_entry(
    std::span<const std::uint8_t> certificate);

}  // namespace draaischijf::protocol
