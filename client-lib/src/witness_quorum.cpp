#include <algorithm>
#include <fstream>
#include <sstream>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/witness_quorum.hpp>
#include <draaischijf/protocol/witness_request.hpp>

namespace draaischijf::client {

namespace note = protocol::note;

protocol::Result<WitnessPolicy> read_witness_policy(const std::filesystem::path& file) {
  WitnessPolicy policy;
  std::ifstream in(file);
  if (!in) {
    return policy;  // not configured
  }
  std::optional<std::uint64_t> quorum;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with('#')) {
      continue;
    }
    const std::size_t space = line.find(' ');
    const std::string_view word = std::string_view(line).substr(0, space);
    const std::string_view value =
        space == std::string::npos ? std::string_view() : std::string_view(line).substr(space + 1);
    if (word == "witness") {
      auto key = note::parse_vkey(value);
      if (!key || key->type != note::kCosignatureV1) {
        return client_errc::profile_invalid;
      }
      policy.witnesses.push_back(*key);
    } else if (word == "quorum" && !quorum) {
      quorum = protocol::witness::parse_decimal(value);
      if (!quorum) {
        return client_errc::profile_invalid;
      }
    } else {
      return client_errc::profile_invalid;
    }
  }
  policy.quorum = static_cast<std::size_t>(quorum.value_or(0));
  if (policy.quorum > policy.witnesses.size()) {
    return client_errc::profile_invalid;  // a quorum no checkpoint could ever meet
  }
  return policy;
}

protocol::Result<void> check_witness_quorum(const note::SignedNote& checkpoint,
                                            std::span<const note::VerifierKey> witnesses,
                                            std::size_t quorum) {
  std::vector<const note::VerifierKey*> counted;
  for (const note::VerifierKey& key : witnesses) {
    const bool seen = std::any_of(counted.begin(), counted.end(),
                                  [&](const note::VerifierKey* k) { return *k == key; });
    if (!seen && note::verify_cosignature(checkpoint, key)) {
      counted.push_back(&key);
    }
  }
  if (counted.size() < quorum) {
    return protocol::tlog_errc::witness_quorum_not_met;
  }
  return {};
}

}  // namespace draaischijf::client
