#include <algorithm>
#include <cctype>
#include <sstream>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/fingerprint.hpp>

#include "fixed_bytes.hpp"

namespace draaischijf::client {
// The forms people compare are the protocol's, which the hub's operator commands print too.
std::string fingerprint(const protocol::SigningPublicKey& key) {
  return protocol::fingerprint(key);
}

std::string device_fingerprint(const protocol::SigningPublicKey& signing_key,
                               const protocol::X25519PublicKey& encryption_key,
                               std::string_view role) {
  return protocol::device_fingerprint(signing_key, encryption_key, role);
}

bool same_fingerprint(std::string_view a, std::string_view b) {
  return protocol::same_fingerprint(a, b);
}

protocol::Result<TrustFile> TrustFile::parse(std::string_view text, TrustFileProblem* problem) {
  TrustFile file;
  std::istringstream lines{std::string(text)};
  std::string line;
  std::size_t number = 0;
  const auto refuse = [&](std::string reason) -> protocol::Result<TrustFile> {
    if (problem != nullptr) {
      *problem = {number, std::move(reason)};
    }
    return make_error_code(client_errc::trust_file_invalid);
  };
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (!protocol::is_display_safe(line)) {
      return refuse("holds a control, escape, bidi or line-separator character");
    }
    std::istringstream fields(line);
    std::string kind;
    std::string first;
    fields >> kind >> first;
    if (kind == "hub" || kind == "policy") {
      const auto key = exactly<32>(protocol::base64_decode(first));
      if (!key) {
        return refuse("the " + kind + " key is not 32 bytes of base64");
      }
      auto& slot = kind == "hub" ? file.hub_key_ : file.policy_key_;
      if (slot) {
        return refuse("a second `" + kind + "` line: a key is pinned once");
      }
      slot = *key;
      continue;
    }
    std::string key_text;
    fields >> key_text;
    std::string name;
    std::getline(fields >> std::ws, name);
    const auto org_id = exactly<16>(protocol::hex_decode(first));
    const auto key = exactly<32>(protocol::base64_decode(key_text));
    if (kind != "org") {
      return refuse("unknown kind of line (org, hub or policy)");
    }
    if (!org_id || !key) {
      return refuse("an `org` line is: org <32 hex digits> <key, base64> <name>");
    }
    if (file.find(*org_id) != nullptr) {
      return refuse("the organisation is pinned on an earlier line already");
    }
    file.organisations_.push_back({*org_id, *key, std::move(name)});
  }
  return file;
}

std::string TrustFile::to_text() const {
  std::string out = "# Draaischijf trust file: organisation signing keys, verified out of band.\n";
  for (const auto& organisation : organisations_) {
    out += "org " + protocol::hex_encode(organisation.org_id) + " " +
           protocol::base64_encode(organisation.key) + " " + organisation.name + "\n";
  }
  if (hub_key_) {
    out += "hub " + protocol::base64_encode(*hub_key_) + "\n";
  }
  if (policy_key_) {
    out += "policy " + protocol::base64_encode(*policy_key_) + "\n";
  }
  return out;
}

protocol::Result<void> TrustFile::pin(TrustedOrganisation organisation) {
  if (!protocol::is_display_safe(organisation.name)) {
    return make_error_code(client_errc::name_unsafe);
  }
  if (const auto* pinned = find(organisation.org_id); pinned != nullptr) {
    if (pinned->key != organisation.key) {
      return make_error_code(client_errc::already_pinned);
    }
    return {};
  }
  organisations_.push_back(std::move(organisation));
  return {};
}

protocol::Result<void> TrustFile::replace(TrustedOrganisation organisation) {
  if (!protocol::is_display_safe(organisation.name)) {
    return make_error_code(client_errc::name_unsafe);
  }
  const auto same = [&](const TrustedOrganisation& o) { return o.org_id == organisation.org_id; };
  if (const auto it = std::find_if(organisations_.begin(), organisations_.end(), same);
      it != organisations_.end()) {
    *it = std::move(organisation);
  } else {
    organisations_.push_back(std::move(organisation));
  }
  return {};
}

const TrustedOrganisation* TrustFile::find(const protocol::Id& org_id) const {
  const auto it = std::find_if(organisations_.begin(), organisations_.end(),
                               [&](const TrustedOrganisation& o) { return o.org_id == org_id; });
  return it == organisations_.end() ? nullptr : &*it;
}

protocol::TrustStore TrustFile::store() const {
  protocol::TrustStore store;
  for (const auto& organisation : organisations_) {
    store.add(organisation.org_id, organisation.key);
  }
  return store;
}

}  // namespace draaischijf::client
