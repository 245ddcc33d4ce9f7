#include <algorithm>
#include <array>
#include <string>

#include <draaischijf/protocol/directory_bundle.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'D', 'B'};

bool fits(const BundleOrganisation& o) {
  return o.name.size() <= kMaxBundleNameBytes && o.municipality.size() <= 255 &&
         o.offers.size() <= 255;
}

void encode_organisation(wire::Writer& w, const BundleOrganisation& o) {
  w.bytes(o.org_id);
  w.u8(static_cast<std::uint8_t>(o.type));
  w.bytes(o.signing_key);
  w.text16(o.name);
  w.u8(o.province ? static_cast<std::uint8_t>(*o.province) : 0);
  w.text8(o.municipality);
  w.u8(static_cast<std::uint8_t>(o.offers.size()));
  for (const auto offer : o.offers) {
    w.u8(static_cast<std::uint8_t>(offer));
  }
  w.u8(o.clb ? 1 : 0);
  if (o.clb) {
    w.bytes(*o.clb);
  }
}

// One organisation; anything outside the vocabularies or out of canonical order fails the
// reader with non_canonical.
BundleOrganisation parse_organisation(wire::Reader& r) {
  BundleOrganisation o;
  o.org_id = r.fixed<16>();
  const auto type = from_code<OrgType>(r.u8());
  o.signing_key = r.fixed<32>();
  o.name = r.utf8_16();
  const auto province_code = r.u8();
  const auto province = from_code<Province>(province_code);
  o.municipality = r.utf8_8();
  const std::size_t offer_count = r.u8();
  for (std::size_t i = 0; i < offer_count && r.ok(); ++i) {
    const auto offer = from_code<Offer>(r.u8());
    if (!offer || (!o.offers.empty() && *offer <= o.offers.back())) {
      r.fail(errc::non_canonical);
      break;
    }
    o.offers.push_back(*offer);
  }
  const auto has_clb = r.u8();
  if (has_clb == 1) {
    o.clb = r.fixed<16>();
  }
  if (!type || (province_code != 0 && !province) || has_clb > 1 || o.name.empty()) {
    r.fail(errc::non_canonical);
  }
  o.type = type.value_or(OrgType::clb);
  o.province = province;
  return o;
}

constexpr std::array<std::string_view, 5> kReasonNames = {"ceased", "merged", "key-compromised",
                                                          "left-network", "other"};

std::optional<RemovalReason> reason_from(std::uint8_t code) {
  if (code == 0 || code > kReasonNames.size()) {
    return std::nullopt;
  }
  return static_cast<RemovalReason>(code);
}

template <class T>
bool ascending_unique(const std::vector<T>& items) {
  return std::adjacent_find(items.begin(), items.end(), [](const auto& a, const auto& b) {
           return !(a.org_id < b.org_id);
         }) == items.end();
}

// An id in both lists: the operator's bundle says one thing about each organisation. Both
// lists are in ascending id order when this is asked.
bool overlaps(const std::vector<BundleOrganisation>& organisations,
              const std::vector<BundleRemoval>& removals) {
  return std::any_of(removals.begin(), removals.end(), [&](const BundleRemoval& r) {
    const auto it =
        std::lower_bound(organisations.begin(), organisations.end(), r.org_id,
                         [](const BundleOrganisation& o, const Id& id) { return o.org_id < id; });
    return it != organisations.end() && it->org_id == r.org_id;
  });
}

void parse_removals(wire::Reader& r, DirectoryBundle& bundle) {
  const std::size_t count = r.u16();
  for (std::size_t i = 0; i < count && r.ok(); ++i) {
    BundleRemoval removal;
    removal.org_id = r.fixed<16>();
    removal.removed_at_ms = r.u64();
    const auto reason = reason_from(r.u8());
    if (!reason) {
      r.fail(errc::non_canonical);
      break;
    }
    removal.reason = *reason;
    bundle.removals.push_back(removal);
  }
  if (!ascending_unique(bundle.removals) || overlaps(bundle.organisations, bundle.removals)) {
    r.fail(errc::non_canonical);
  }
}

}  // namespace

std::string_view name_of(RemovalReason reason) {
  const auto code = static_cast<std::size_t>(reason);
  return code >= 1 && code <= kReasonNames.size() ? kReasonNames[code - 1] : "other";
}

std::optional<RemovalReason> parse_removal_reason(std::string_view name) {
  const auto it = std::find(kReasonNames.begin(), kReasonNames.end(), name);
  if (it == kReasonNames.end()) {
    return std::nullopt;
  }
  return static_cast<RemovalReason>(it - kReasonNames.begin() + 1);
}

std::string removal_reason_names() {
  std::string out;
  for (const auto name : kReasonNames) {
    out += (out.empty() ? "" : ", ") + std::string(name);
  }
  return out;
}

Result<std::vector<std::uint8_t>> sign_directory_bundle(DirectoryBundle bundle,
                                                        const SigningKey& operator_key) {
  auto& organisations = bundle.organisations;
  std::sort(organisations.begin(), organisations.end(),
            [](const auto& a, const auto& b) { return a.org_id < b.org_id; });
  const bool repeated = std::adjacent_find(organisations.begin(), organisations.end(),
                                           [](const auto& a, const auto& b) {
                                             return a.org_id == b.org_id;
                                           }) != organisations.end();
  auto& removals = bundle.removals;
  std::sort(removals.begin(), removals.end(),
            [](const auto& a, const auto& b) { return a.org_id < b.org_id; });
  const bool known_version =
      bundle.version == kDirectoryBundleVersion ||
      (bundle.version == kDirectoryBundleVersionWithoutRemovals && removals.empty());
  if (repeated || !known_version || !ascending_unique(removals) ||
      overlaps(organisations, removals) || organisations.size() > kMaxBundleOrganisations ||
      removals.size() > kMaxBundleOrganisations ||
      !std::all_of(removals.begin(), removals.end(),
                   [](const auto& r) {
                     return reason_from(static_cast<std::uint8_t>(r.reason)).has_value();
                   }) ||
      !std::all_of(organisations.begin(), organisations.end(), fits)) {
    return make_error_code(errc::field_out_of_range);
  }
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kMagic);
  w.u8(bundle.version);
  w.bytes(operator_key.key_id());
  w.u64(bundle.sequence);
  w.u64(bundle.created_at_ms);
  w.u16(static_cast<std::uint16_t>(organisations.size()));
  for (auto& o : organisations) {
    std::sort(o.offers.begin(), o.offers.end());
    o.offers.erase(std::unique(o.offers.begin(), o.offers.end()), o.offers.end());
    encode_organisation(w, o);
  }
  if (bundle.version == kDirectoryBundleVersion) {
    w.u16(static_cast<std::uint16_t>(removals.size()));
    for (const auto& removal : removals) {
      w.bytes(removal.org_id);
      w.u64(removal.removed_at_ms);
      w.u8(static_cast<std::uint8_t>(removal.reason));
    }
  }
  w.bytes(operator_key.sign(kDirectoryBundleDomain, out));
  return out;
}

Result<DirectoryBundle> open_directory_bundle(std::span<const std::uint8_t> bytes,
                                              const SigningPublicKey& operator_key) {
  if (bytes.size() < kMagic.size() + 64) {
    return make_error_code(errc::truncated);
  }
  const auto signed_part = bytes.first(bytes.size() - 64);
  wire::Reader r(signed_part);
  const auto magic = r.take(kMagic.size());
  if (!std::equal(kMagic.begin(), kMagic.end(), magic.begin(), magic.end())) {
    return make_error_code(errc::bad_magic);
  }
  DirectoryBundle bundle;
  bundle.version = r.u8();
  if (bundle.version != kDirectoryBundleVersion &&
      bundle.version != kDirectoryBundleVersionWithoutRemovals) {
    return make_error_code(errc::unsupported_version);
  }
  const auto signer = r.fixed<32>();
  bundle.sequence = r.u64();
  bundle.created_at_ms = r.u64();
  const std::size_t count = r.u16();
  for (std::size_t i = 0; i < count && r.ok(); ++i) {
    bundle.organisations.push_back(parse_organisation(r));
    const auto n = bundle.organisations.size();
    if (n >= 2 && !(bundle.organisations[n - 2].org_id < bundle.organisations[n - 1].org_id)) {
      r.fail(errc::non_canonical);  // ascending ids: each organisation once
    }
  }
  if (bundle.version == kDirectoryBundleVersion && r.ok()) {
    parse_removals(r, bundle);
  }
  if (auto parsed = r.finish(); !parsed) {
    return parsed.error();
  }
  Signature signature{};
  std::copy(bytes.end() - 64, bytes.end(), signature.begin());
  // The key id says "another key signed this" without a guess; the signature decides.
  if (signer != key_id_of(operator_key) ||
      !verify_signature(operator_key, kDirectoryBundleDomain, signed_part, signature)) {
    return make_error_code(errc::signature_invalid);
  }
  return bundle;
}

}  // namespace draaischijf::protocol
