// [[witness]] and [transparency] of the hub's configuration: where each witness answers, the key
// its cosignatures verify with, and the certificate its TLS is checked against.

#include <charconv>

#include <draaischijf/protocol/note.hpp>

#include "core/config_readers.hpp"

namespace draaischijf::server::config_detail {
namespace {

constexpr std::string_view kWitnessKeys =
    "a [[witness]] has url (https://HOST:PORT[/prefix]), vkey (the witness's cosignature key, "
    "as draaischijf-witness init prints it) and certificate (its TLS certificate, PEM)";

// "https://HOST[:PORT][/prefix]"; false when it is not that.
bool read_url(std::string_view url, HubConfig::Witness& out) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) {
    return false;
  }
  url.remove_prefix(kScheme.size());
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.prefix = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
  if (out.prefix.ends_with('/')) {
    out.prefix.pop_back();
  }
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (error != std::errc() || end != port.data() + port.size() || out.port == 0) {
      return false;
    }
    authority = authority.substr(0, colon);
  }
  out.host = std::string(authority);
  return !out.host.empty() && out.prefix.find_first_of(" ?#") == std::string::npos;
}

std::string read_witness(const toml::node& node, HubConfig& config) {
  const auto* table = node.as_table();
  if (table == nullptr) {
    return std::string(kWitnessKeys);
  }
  HubConfig::Witness witness;
  std::string url;
  for (const auto& [key, value] : *table) {
    std::string text;
    if (auto error = read_string(value, text); !error.empty() || text.empty()) {
      return std::string(kWitnessKeys);
    }
    if (key == "url") {
      url = text;
    } else if (key == "vkey") {
      witness.vkey = text;
    } else if (key == "certificate") {
      witness.certificate = text;
    } else {
      return "unknown key " + std::string(key.str()) + ": " + std::string(kWitnessKeys);
    }
  }
  if (!read_url(url, witness)) {
    return "url must be https://HOST:PORT with an optional path prefix";
  }
  const auto key = protocol::note::parse_vkey(witness.vkey);
  if (!key || key->type != protocol::note::kCosignatureV1) {
    return "vkey must be the witness's cosignature key (name+hexid+base64 of type 0x04), as "
           "draaischijf-witness init or vkey prints it";
  }
  if (witness.certificate.empty()) {
    return std::string(kWitnessKeys);
  }
  config.transparency.witnesses.push_back(std::move(witness));
  return {};
}

}  // namespace

std::optional<std::string> read_transparency_setting(std::string_view name, const toml::node& node,
                                                     HubConfig& config) {
  if (name == "transparency.witness_interval_seconds") {
    std::int64_t seconds = 0;
    auto error = read_integer(node, seconds, 1, 86400);
    config.transparency.witness_interval = std::chrono::seconds(seconds);
    return error;
  }
  if (name != "witness") {
    return std::nullopt;
  }
  const auto* array = node.as_array();
  if (array == nullptr) {
    return "write each witness as a [[witness]] table: " + std::string(kWitnessKeys);
  }
  for (const auto& element : *array) {
    if (auto error = read_witness(element, config); !error.empty()) {
      return error;
    }
  }
  return std::string();
}

}  // namespace draaischijf::server::config_detail
