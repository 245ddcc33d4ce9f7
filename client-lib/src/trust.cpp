#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <sstream>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/trust.hpp>
#include <draaischijf/protocol/directory_bundle.hpp>
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

namespace {

// A whole decimal number, nothing before or after it.
std::optional<std::uint64_t> decimal(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

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
    if (kind == "bundle") {
      const auto sequence = decimal(first);
      if (!sequence) {
        return refuse("a `bundle` line is: bundle <sequence number>");
      }
      if (file.bundle_sequence_) {
        return refuse("a second `bundle` line: the last import is recorded once");
      }
      file.bundle_sequence_ = *sequence;
      continue;
    }
    if (kind == "removed") {
      std::string at_text;
      std::string reason;
      fields >> at_text >> reason;
      const auto org_id = exactly<16>(protocol::hex_decode(first));
      const auto at = decimal(at_text);
      if (!org_id || !at || !protocol::parse_removal_reason(reason)) {
        return refuse("a `removed` line is: removed <32 hex digits> <time, ms> <reason>");
      }
      if (file.removal(*org_id) != nullptr || file.find(*org_id) != nullptr) {
        return refuse("a removed organisation is listed once and is not pinned");
      }
      file.removed_.push_back({*org_id, *at, std::move(reason)});
      continue;
    }
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
      return refuse("unknown kind of line (org, hub, policy or bundle)");
    }
    if (!org_id || !key) {
      return refuse("an `org` line is: org <32 hex digits> <key, base64> <name>");
    }
    if (file.find(*org_id) != nullptr || file.removal(*org_id) != nullptr) {
      return refuse("the organisation is pinned or removed on an earlier line already");
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
  for (const auto& removed : removed_) {
    out += "removed " + protocol::hex_encode(removed.org_id) + " " +
           std::to_string(removed.removed_at_ms) + " " + removed.reason + "\n";
  }
  if (hub_key_) {
    out += "hub " + protocol::base64_encode(*hub_key_) + "\n";
  }
  if (policy_key_) {
    out += "policy " + protocol::base64_encode(*policy_key_) + "\n";
  }
  if (bundle_sequence_) {
    out += "bundle " + std::to_string(*bundle_sequence_) + "\n";
  }
  return out;
}

protocol::Result<void> TrustFile::pin(TrustedOrganisation organisation) {
  if (!protocol::is_display_safe(organisation.name)) {
    return make_error_code(client_errc::name_unsafe);
  }
  if (removal(organisation.org_id) != nullptr) {
    return make_error_code(client_errc::organisation_removed);  // ids are never reused
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
  if (removal(organisation.org_id) != nullptr) {
    return make_error_code(client_errc::organisation_removed);
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

void TrustFile::mark_removed(RemovedOrganisation removed) {
  std::erase_if(organisations_,
                [&](const TrustedOrganisation& o) { return o.org_id == removed.org_id; });
  if (removal(removed.org_id) == nullptr) {
    removed_.push_back(std::move(removed));
  }
}

const RemovedOrganisation* TrustFile::removal(const protocol::Id& org_id) const {
  const auto it = std::find_if(removed_.begin(), removed_.end(),
                               [&](const RemovedOrganisation& r) { return r.org_id == org_id; });
  return it == removed_.end() ? nullptr : &*it;
}

protocol::TrustStore TrustFile::store() const {
  protocol::TrustStore store;
  for (const auto& organisation : organisations_) {
    store.add(organisation.org_id, organisation.key);
  }
  return store;
}

std::size_t BundlePlan::count(BundleEntryState state) const {
  return static_cast<std::size_t>(std::count_if(
      entries.begin(), entries.end(), [&](const auto& entry) { return entry.first == state; }));
}

protocol::Result<BundlePlan> plan_bundle_import(const TrustFile& trust,
                                                std::span<const std::uint8_t> bundle) {
  const auto& operator_key = trust.policy_key();
  if (!operator_key) {
    return make_error_code(client_errc::bundle_untrusted);
  }
  auto opened = protocol::open_directory_bundle(bundle, *operator_key);
  if (!opened) {
    return make_error_code(opened.error() == protocol::errc::signature_invalid
                               ? client_errc::bundle_untrusted
                               : client_errc::bundle_invalid);
  }
  if (trust.bundle_sequence() && opened->sequence < *trust.bundle_sequence()) {
    return make_error_code(client_errc::bundle_rollback);
  }
  BundlePlan plan{opened->sequence, opened->created_at_ms, {}, {}, {bundle.begin(), bundle.end()}};
  for (const auto& o : opened->organisations) {
    // The operator signed the name, but the name is still text from elsewhere: one that could
    // reorder or hide a line is pinned spelt out (\u{2028}), never as it came.
    std::string name =
        protocol::is_display_safe(o.name) ? o.name : protocol::escape_for_terminal(o.name);
    BundleEntry entry{
        o.org_id, std::string(protocol::name_of(o.type)), name, fingerprint(o.signing_key), {}};
    auto state = BundleEntryState::added;
    if (const auto* pinned = trust.find(o.org_id); pinned != nullptr) {
      state =
          pinned->key == o.signing_key ? BundleEntryState::unchanged : BundleEntryState::changed;
      if (state == BundleEntryState::changed) {
        entry.pinned_fingerprint = fingerprint(pinned->key);
      }
    }
    plan.entries.emplace_back(state, std::move(entry));
    plan.pins.push_back({o.org_id, o.signing_key, std::move(name)});
  }
  for (const auto& r : opened->removals) {
    BundleRemovalEntry entry{
        {r.org_id, r.removed_at_ms, std::string(protocol::name_of(r.reason))}, false, {}, {}};
    if (const auto* pinned = trust.find(r.org_id); pinned != nullptr) {
      entry.pinned = true;
      entry.name = pinned->name;
      entry.fingerprint = fingerprint(pinned->key);
    }
    plan.removals.push_back(std::move(entry));
  }
  return plan;
}

protocol::Result<TrustFile> apply_bundle_import(TrustFile trust, const BundlePlan& plan,
                                                bool accept_changes) {
  if (trust.bundle_sequence() && plan.sequence < *trust.bundle_sequence()) {
    return make_error_code(client_errc::bundle_rollback);
  }
  if (plan.count(BundleEntryState::changed) != 0 && !accept_changes) {
    return make_error_code(client_errc::bundle_key_changed);
  }
  for (std::size_t i = 0; i < plan.pins.size(); ++i) {
    // Unchanged keys keep the name pinned first, like `trust add`; accepted changes take the
    // bundle's key and name, as `trust replace` does.
    const bool changed = plan.entries[i].first == BundleEntryState::changed;
    auto pinned = changed ? trust.replace(plan.pins[i]) : trust.pin(plan.pins[i]);
    if (!pinned) {
      return pinned.error();
    }
  }
  // The operator signed the removals with the rest: nothing is sealed to these organisations
  // from now on, and their ids are never pinned again on this device.
  for (const auto& entry : plan.removals) {
    trust.mark_removed(entry.removal);
  }
  trust.set_bundle_sequence(plan.sequence);
  return trust;
}

}  // namespace draaischijf::client
