#include <algorithm>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr std::array<std::uint8_t, 4> kDeviceMagic = {'D', 'R', 'D', 'C'};
constexpr std::array<std::uint8_t, 4> kEpochMagic = {'D', 'R', 'E', 'C'};
constexpr std::uint8_t kDeviceVersion = 1;
// Version 2 added the mailbox function and the validity window; version 1 is refused (there
// are no deployments to keep, docs/DECISIONS.md 2026-12-06).
constexpr std::uint8_t kEpochVersion = 2;
constexpr std::string_view kDeviceDomain = "draaischijf/device-certificate/v1";
constexpr std::string_view kEpochDomain = "draaischijf/epoch-certificate/v2";

void write_device_body(const DeviceCertificate& c, wire::Writer& w) {
  w.bytes(kDeviceMagic);
  w.u8(kDeviceVersion);
  w.bytes(c.org_id);
  w.u8(static_cast<std::uint8_t>(c.org_type));
  w.bytes(c.device_id);
  w.bytes(c.staff_id);
  w.u8(static_cast<std::uint8_t>(c.role));
  w.bytes(c.signing_key);
  w.bytes(c.encryption_key);
  w.u64(c.not_before);
  w.u64(c.not_after);
  w.bytes(c.issuer);
}

void write_epoch_body(const MailboxEpochCertificate& c, wire::Writer& w) {
  w.bytes(kEpochMagic);
  w.u8(kEpochVersion);
  w.bytes(c.mailbox_id);
  w.bytes(c.org_id);
  w.u32(c.epoch);
  w.u8(c.function ? static_cast<std::uint8_t>(*c.function) : 0);
  w.bytes(c.mailbox_key);
  w.bytes(c.members_hash);
  w.bytes(c.previous_certificate);
  w.u64(c.not_before);
  w.u64(c.not_after);
  w.bytes(c.issuer);
}

template <class Certificate, class WriteBody>
std::vector<std::uint8_t> signed_body(const Certificate& c, WriteBody write_body) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  write_body(c, w);
  return out;
}

// Magic and version, shared by both certificate kinds.
void read_preamble(wire::Reader& r, const std::array<std::uint8_t, 4>& magic,
                   std::uint8_t version) {
  if (r.fixed<4>() != magic && r.ok()) {
    r.fail(errc::bad_magic);
  }
  if (r.u8() != version && r.ok()) {
    r.fail(errc::unsupported_version);
  }
}

Result<void> verify_issuer_and_signature(std::string_view domain,
                                         std::span<const std::uint8_t> body, const KeyId& issuer,
                                         const Signature& signature,
                                         const SigningPublicKey& organisation_key) {
  if (issuer != key_id_of(organisation_key)) {
    return errc::certificate_untrusted;
  }
  if (!verify_signature(organisation_key, domain, body, signature)) {
    return errc::certificate_signature_invalid;
  }
  return {};
}

// Both certificate kinds bound their use the same way; only the errors differ.
Result<void> check_validity(std::uint64_t not_before, std::uint64_t not_after,
                            std::uint64_t at_seconds, errc too_early, errc too_late) {
  if (at_seconds < not_before) {
    return too_early;
  }
  if (at_seconds > not_after) {
    return too_late;
  }
  return {};
}

}  // namespace

std::vector<std::uint8_t> encode(const DeviceCertificate& certificate) {
  std::vector<std::uint8_t> out = signed_body(certificate, write_device_body);
  out.insert(out.end(), certificate.signature.begin(), certificate.signature.end());
  return out;
}

Result<DeviceCertificate> parse_device_certificate(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  read_preamble(r, kDeviceMagic, kDeviceVersion);
  DeviceCertificate c;
  c.org_id = r.fixed<16>();
  const auto org_type = from_code<OrgType>(r.u8());
  c.device_id = r.fixed<16>();
  c.staff_id = r.fixed<16>();
  const auto role = from_code<StaffRole>(r.u8());
  c.signing_key = r.fixed<32>();
  c.encryption_key = r.fixed<32>();
  c.not_before = r.u64();
  c.not_after = r.u64();
  c.issuer = r.fixed<32>();
  c.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  if (!org_type || !role || c.not_before > c.not_after) {
    return errc::field_out_of_range;
  }
  c.org_type = *org_type;
  c.role = *role;
  return c;
}

DeviceCertificate issue(DeviceCertificate certificate, const SigningKey& organisation_key) {
  certificate.issuer = organisation_key.key_id();
  certificate.signature =
      organisation_key.sign(kDeviceDomain, signed_body(certificate, write_device_body));
  return certificate;
}

Result<void> verify(const DeviceCertificate& certificate, const SigningPublicKey& organisation_key,
                    std::uint64_t at_seconds) {
  if (auto ok =
          verify_issuer_and_signature(kDeviceDomain, signed_body(certificate, write_device_body),
                                      certificate.issuer, certificate.signature, organisation_key);
      !ok) {
    return ok;
  }
  return check_validity(certificate.not_before, certificate.not_after, at_seconds,
                        errc::certificate_not_yet_valid, errc::certificate_expired);
}

std::vector<std::uint8_t> encode(const MailboxEpochCertificate& certificate) {
  std::vector<std::uint8_t> out = signed_body(certificate, write_epoch_body);
  out.insert(out.end(), certificate.signature.begin(), certificate.signature.end());
  return out;
}

Result<MailboxEpochCertificate> parse_epoch_certificate(std::span<const std::uint8_t> in) {
  wire::Reader r(in);
  read_preamble(r, kEpochMagic, kEpochVersion);
  MailboxEpochCertificate c;
  c.mailbox_id = r.fixed<16>();
  c.org_id = r.fixed<16>();
  c.epoch = r.u32();
  const std::uint8_t function = r.u8();
  c.mailbox_key = r.fixed<32>();
  c.members_hash = r.fixed<32>();
  c.previous_certificate = r.fixed<32>();
  c.not_before = r.u64();
  c.not_after = r.u64();
  c.issuer = r.fixed<32>();
  c.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  // Code 0 is the general mailbox; any other code must name a staff role.
  if (function != 0) {
    c.function = from_code<StaffRole>(function);
    if (!c.function) {
      return errc::field_out_of_range;
    }
  }
  // The first epoch has no predecessor and every later one has: one encoding per chain position.
  if ((c.epoch == 0) != is_zero(c.previous_certificate) || c.not_before > c.not_after) {
    return errc::field_out_of_range;
  }
  return c;
}

MailboxEpochCertificate issue(MailboxEpochCertificate certificate,
                              const SigningKey& organisation_key) {
  certificate.issuer = organisation_key.key_id();
  certificate.signature =
      organisation_key.sign(kEpochDomain, signed_body(certificate, write_epoch_body));
  return certificate;
}

Result<void> verify(const MailboxEpochCertificate& certificate,
                    const SigningPublicKey& organisation_key) {
  return verify_issuer_and_signature(kEpochDomain, signed_body(certificate, write_epoch_body),
                                     certificate.issuer, certificate.signature, organisation_key);
}

Result<void> verify(const MailboxEpochCertificate& certificate,
                    const SigningPublicKey& organisation_key, std::uint64_t at_seconds) {
  if (auto ok = verify(certificate, organisation_key); !ok) {
    return ok;
  }
  return check_window(certificate, at_seconds);
}

Result<void> check_window(const MailboxEpochCertificate& certificate, std::uint64_t at_seconds) {
  return check_validity(certificate.not_before, certificate.not_after, at_seconds,
                        errc::epoch_not_yet_valid, errc::epoch_expired);
}

void set_default_window(MailboxEpochCertificate& certificate, std::uint64_t now_seconds) noexcept {
  certificate.not_before = now_seconds - std::min(now_seconds, kEpochClockSkewSeconds);
  certificate.not_after = now_seconds + kEpochValiditySeconds;
}

bool fits_function(const MailboxFunction& function, StaffRole role) noexcept {
  return !function || role == *function || role == StaffRole::organisation_admin;
}

Result<void> verify_succession(const MailboxEpochCertificate& previous,
                               const MailboxEpochCertificate& next) {
  if (next.mailbox_id != previous.mailbox_id || next.org_id != previous.org_id ||
      next.epoch != previous.epoch + 1 || next.previous_certificate != certificate_hash(previous)) {
    return errc::epoch_chain_broken;
  }
  return {};
}

Hash256 certificate_hash(const MailboxEpochCertificate& certificate) {
  return hash256("draaischijf/epoch-certificate-hash/v1", {encode(certificate)});
}

Hash256 members_hash(std::span<const Id> device_ids) {
  std::vector<Id> sorted(device_ids.begin(), device_ids.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::uint8_t> joined;
  for (const Id& id : sorted) {
    joined.insert(joined.end(), id.begin(), id.end());
  }
  return hash256("draaischijf/members/v1", {joined});
}

}  // namespace draaischijf::protocol
