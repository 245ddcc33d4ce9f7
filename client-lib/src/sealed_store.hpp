#pragma once

// The sealed file both key stores share (key_store.hpp describes the layout): a header that
// names the kind of store by its magic and the unlock method and cost, and the payload sealed
// with XChaCha20-Poly1305 under the header as associated data. The device store ("DRKS") and
// the organisation key store ("DROK") differ only in magic and payload, so one can never be
// opened as the other.

#include <array>
#include <cstdint>
#include <filesystem>

#include <draaischijf/client/key_store.hpp>

namespace draaischijf::client {

/// Writes `payload` sealed under `unlock` to a new file (0600, never over an existing file).
[[nodiscard]] protocol::Result<void> seal_store(const std::filesystem::path& path,
                                                const std::array<std::uint8_t, 4>& magic,
                                                const protocol::SecretBuffer& payload,
                                                const Unlock& unlock, KdfCost cost);
/// The payload of a store of the kind `magic` names (damaged for another kind).
[[nodiscard]] protocol::Result<protocol::SecretBytes> open_store(
    const std::filesystem::path& path, const std::array<std::uint8_t, 4>& magic,
    const Unlock& unlock);

}  // namespace draaischijf::client
