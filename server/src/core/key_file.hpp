#pragma once

// The hub's own Ed25519 keys on disk: the raw 32-byte seed in a file of mode 0600, created once
// (the receipt key, and the development deployment's operator policy key).

#include <filesystem>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::server {

/// Reads the seed at `path`, or creates it (O_EXCL, fsync) when there is none. Throws
/// std::runtime_error (startup) when the file is damaged or cannot be written.
[[nodiscard]] protocol::SigningKey read_or_create_signing_key(const std::filesystem::path& path);

}  // namespace draaischijf::server
