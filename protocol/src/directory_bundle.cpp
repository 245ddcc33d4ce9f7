#include <algorithm>

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

}  // namespace

Result<std::vector<std::uint8_t>> sign_directory_bundle(DirectoryBundle bundle,
                                                        const SigningKey& operator_key) {
  auto& organisations = bundle.organisations;
  std::sort(organisations.begin(), organisations.end(),
            [](const auto& a, const auto& b) { return a.org_id < b.org_id; });
  const bool repeated = std::adjacent_find(organisations.begin(), organisations.end(),
                                           [](const auto& a, const auto& b) {
                                             return a.org_id == b.org_id;
                                           }) != organisations.end();
  if (repeated || organisations.size() > kMaxBundleOrganisations ||
      !std::all_of(organisations.begin(), organisations.end(), fits)) {
    return make_error_code(errc::field_out_of_range);
  }
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kMagic);
  w.u8(kDirectoryBundleVersion);
  w.bytes(operator_key.key_id());
  w.u64(bundle.sequence);
  w.u64(bundle.created_at_ms);
  w.u16(static_cast<std::uint16_t>(organisations.size()));
  for (auto& o : organisations) {
    std::sort(o.offers.begin(), o.offers.end());
    o.offers.erase(std::unique(o.offers.begin(), o.offers.end()), o.offers.end());
    encode_organisation(w, o);
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
  if (r.u8() != kDirectoryBundleVersion) {
    return make_error_code(errc::unsupported_version);
  }
  const auto signer = r.fixed<32>();
  DirectoryBundle bundle;
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
