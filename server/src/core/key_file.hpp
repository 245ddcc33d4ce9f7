#pragma once

// The hub's own Ed25519 keys on disk: the raw 32-byte seed in a file of mode 0600, created once
// (the receipt key, and the development deployment's operator policy key).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <draaischijf/protocol/keys.hpp>

namespace draaischijf::server {

/// Reads the seed at `path`, or creates it (O_EXCL, fsync) when there is none. Throws
/// std::runtime_error (startup) when the file is damaged or cannot be written.
[[nodiscard]] protocol::SigningKey read_or_create_signing_key(const std::filesystem::path& path);

/// An operator's private key file for signing (the policy rule set, the directory bundle): the
/// raw 32-byte seed, read straight into a wiping SecretKey. A file others can read or write is
/// refused, as ssh does, so a careless copy is noticed before it signs anything. Without a key,
/// `problem` says why in words for the operator (`public_name` is the public half's file name,
/// which cannot sign).
[[nodiscard]] std::optional<protocol::SigningKey> read_operator_signing_key(
    const std::filesystem::path& path, std::string_view public_name, std::string& problem);

}  // namespace draaischijf::server
