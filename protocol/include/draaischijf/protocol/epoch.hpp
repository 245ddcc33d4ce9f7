#pragma once

// Mailbox epoch seeds (Keybase-style key generations). Each epoch of a mailbox has a random
// 32-byte seed; the mailbox's age identity and a chain key derive from it. The seed is sealed to
// every member device, and each new seed boxes the previous one, so a member holding the newest
// seed can walk back through the whole history, while a device removed before epoch n never
// receives seed n.

#include <cstdint>
#include <span>
#include <vector>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/secret.hpp>

namespace draaischijf::protocol {

using EpochSeed = SecretKey<32>;

inline constexpr std::size_t kSeedBoxSize = 48 + 32 + 16 + 4;      // sealed box of seed+binding
inline constexpr std::size_t kPreviousSeedBoxSize = 24 + 32 + 16;  // nonce, seed, tag

/// The mailbox identity of an epoch: an ordinary age X25519 identity, so the stock `age` tool
/// opens archived messages with it.
[[nodiscard]] age::X25519Identity mailbox_identity(const EpochSeed& seed);

/// Seals `seed` to one member device's X25519 key, bound to (mailbox, epoch).
/// field_out_of_range for a small-order device key (no one could open the box).
[[nodiscard]] Result<std::vector<std::uint8_t>> seal_seed_to_device(
    const EpochSeed& seed, const Id& mailbox_id, std::uint32_t epoch,
    const X25519PublicKey& device_key);

/// Opens a seed box with the device key, then checks the binding and that the seed derives the
/// mailbox key the (already verified) epoch certificate names. Anyone can write a sealed box,
/// so the derivation check is what makes the seed trustworthy.
[[nodiscard]] Result<EpochSeed> open_seed_box(std::span<const std::uint8_t> box,
                                              const age::X25519Identity& device_key,
                                              const MailboxEpochCertificate& certificate);

/// Boxes the previous epoch's seed under the current seed's chain key.
[[nodiscard]] std::vector<std::uint8_t> seal_previous_seed(const EpochSeed& current,
                                                           const Id& mailbox_id,
                                                           std::uint32_t current_epoch,
                                                           const EpochSeed& previous);

/// Recovers seed n-1 from seed n and checks it against epoch n-1's certificate.
[[nodiscard]] Result<EpochSeed> open_previous_seed(
    std::span<const std::uint8_t> box, const EpochSeed& current,
    const MailboxEpochCertificate& current_certificate,
    const MailboxEpochCertificate& previous_certificate);

}  // namespace draaischijf::protocol
