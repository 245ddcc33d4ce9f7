#pragma once

// What every draaischijf command shares: the exit codes of --help, the global options, and how
// a failure, a policy refusal or a refused consent is told (stderr for people; with --json the
// refusal also as one JSON object on stdout, for scripts).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include <draaischijf/client/client.hpp>

namespace draaischijf::cli {

enum Exit { kOk = 0, kFailed = 1, kUsageError = 2, kPolicy = 3, kSecurity = 4, kUnreachable = 5 };

struct Context {
  std::filesystem::path profile_dir;
  std::optional<std::filesystem::path> key_file;
  /// The organisation key store (admin devices, `admin org ...`) and the key file that opens it;
  /// without the key file, the passphrase in $DRAAISCHIJF_ORG_PASSPHRASE or one typed.
  std::optional<std::filesystem::path> org_keys;
  std::optional<std::filesystem::path> org_key_file;
  bool json_output = false;
};

int usage_error(const std::string& message);

/// Prints why on stderr (with the hub's problem, a policy refusal's reasons and what to do, or
/// a refused consent's issues) and returns the exit code for `error`.
int fail(const boost::system::error_code& error, const client::Client* client = nullptr);

/// fail(), and with --json first the policy refusal or the consent issues on stdout.
int refused(const Context& context, const client::Client& client,
            const boost::system::error_code& error);

[[nodiscard]] std::string hex(std::span<const std::uint8_t> bytes);
[[nodiscard]] std::optional<protocol::Id> parse_id(std::string_view text);
void print_json(const boost::json::value& value);
/// "2026-03-10 12:00:00 UTC".
[[nodiscard]] std::string when(std::int64_t ms);

/// A refusal as JSON: outcome, rules, who must consent or approve, reasons, what to do.
[[nodiscard]] boost::json::object refusal_json(const client::PolicyRefusal& refusal);

}  // namespace draaischijf::cli
