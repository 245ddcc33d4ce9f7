#include <sstream>

#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/fingerprint.hpp>
#include <draaischijf/protocol/registration.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kRegistrationMagic = {'D', 'R', 'O', 'R'};
constexpr std::uint8_t kRegistrationVersion = 1;

std::vector<std::uint8_t> signed_part(const OrganisationRegistration& r) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(kRegistrationMagic);
  w.u8(kRegistrationVersion);
  w.bytes(r.org_id);
  w.u8(static_cast<std::uint8_t>(r.org_type));
  w.text8(r.name);
  w.bytes(r.signing_key);
  w.u64(r.created_at);
  return out;
}

}  // namespace

std::vector<std::uint8_t> encode(const OrganisationRegistration& request) {
  auto out = signed_part(request);
  out.insert(out.end(), request.signature.begin(), request.signature.end());
  return out;
}

Result<OrganisationRegistration> parse_registration(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  if (r.fixed<4>() != kRegistrationMagic && r.ok()) {
    r.fail(errc::bad_magic);
  }
  if (r.u8() != kRegistrationVersion && r.ok()) {
    r.fail(errc::unsupported_version);
  }
  OrganisationRegistration request;
  request.org_id = r.fixed<16>();
  const auto type = from_code<OrgType>(r.u8());
  request.name = r.utf8_8();
  request.signing_key = r.fixed<32>();
  request.created_at = r.u64();
  request.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  // The name is shown to the operator and, later, to every user of the directory.
  if (request.name.empty() || request.name.size() > kMaxOrganisationName ||
      !is_display_safe(request.name)) {
    return errc::non_canonical;
  }
  if (!type || is_zero(request.org_id)) {
    return errc::field_out_of_range;
  }
  request.org_type = *type;
  return request;
}

OrganisationRegistration sign_registration(OrganisationRegistration request,
                                           const SigningKey& organisation_key) {
  request.signing_key = organisation_key.public_key();
  request.signature = organisation_key.sign(kRegistrationDomain, signed_part(request));
  return request;
}

Result<void> verify_registration(const OrganisationRegistration& request) {
  if (!verify_signature(request.signing_key, kRegistrationDomain, signed_part(request),
                        request.signature)) {
    return errc::signature_invalid;
  }
  return {};
}

std::string armour(std::string_view comments, std::span<const std::uint8_t> bytes) {
  std::string out;
  std::istringstream lines{std::string(comments)};
  for (std::string line; std::getline(lines, line);) {
    out += "# " + line + "\n";
  }
  return out + base64_encode(bytes) + "\n";
}

Result<std::vector<std::uint8_t>> unarmour(std::string_view text) {
  std::string base64;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (!base64.empty()) {
      return errc::trailing_data;  // one structure per file
    }
    base64 = line;
  }
  return base64_decode(base64);
}

std::string registration_text(const OrganisationRegistration& request) {
  return armour(
      "Draaischijf organisation registration request (docs/PROTOCOL.md 7.16)\n"
      "organisation " +
          to_hex(request.org_id) + " (" + std::string(name_of(request.org_type)) +
          ")\nfingerprint  " + fingerprint(request.signing_key),
      encode(request));
}

Result<OrganisationRegistration> parse_registration_text(std::string_view text) {
  auto bytes = unarmour(text);
  if (!bytes) {
    return bytes.error();
  }
  return parse_registration(*bytes);
}

}  // namespace draaischijf::protocol
