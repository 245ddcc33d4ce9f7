#pragma once

// What every statement a staff device signs on its own has in common (the referral status
// statement, 7.18, and the dossier transfer announcement, 7.20): a magic and a version, the
// fields, the signer's certificate and an Ed25519 signature over all of them, by a device of the
// organisation the statement speaks for.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol::device_statement {

/// The signed bytes with `key`'s signature under `domain` appended, once the statement's own
/// fields fit and the signer belongs to the organisation it speaks for.
[[nodiscard]] inline Result<std::vector<std::uint8_t>> sign(bool fields_fit, const Id& sender_org,
                                                            const DeviceCertificate& signer,
                                                            std::vector<std::uint8_t> signed_part,
                                                            const SigningKey& key,
                                                            std::string_view domain) {
  if (!fields_fit) {
    return errc::field_out_of_range;
  }
  if (signer.org_id != sender_org) {
    return errc::sender_mismatch;
  }
  const Signature signature = key.sign(domain, signed_part);
  signed_part.insert(signed_part.end(), signature.begin(), signature.end());
  return signed_part;
}

/// Reads the magic and the version: bad_magic, unsupported_version (a short input is left to
/// the reader's own error).
[[nodiscard]] inline Result<void> read_head(wire::Reader& r,
                                            const std::array<std::uint8_t, 4>& magic,
                                            std::uint8_t version) {
  if (r.fixed<4>() != magic && r.ok()) {
    return errc::bad_magic;
  }
  if (r.u8() != version && r.ok()) {
    return errc::unsupported_version;
  }
  return {};
}

/// The signer's certificate and the signature that end a statement.
struct Tail {
  DeviceCertificate signer;
  Signature signature{};
};

/// Reads the signer's certificate and the signature, then the end of the input; `fields_fit`
/// judges the fields read before, once the whole structure is read (1.3): the reader's error
/// first, then field_out_of_range, then the certificate's own.
template <typename FieldsFit>
[[nodiscard]] Result<Tail> read_tail(wire::Reader& r, FieldsFit&& fields_fit) {
  auto signer = parse_device_certificate(r.take(kDeviceCertificateSize));
  Tail tail;
  tail.signature = r.fixed<64>();
  if (auto done = r.finish(); !done) {
    return done.error();
  }
  if (!fields_fit()) {
    return errc::field_out_of_range;
  }
  if (!signer) {
    return signer.error();
  }
  tail.signer = *signer;
  return tail;
}

/// The statement's bytes as received: the signed part and its signature.
[[nodiscard]] inline std::vector<std::uint8_t> with_signature(std::vector<std::uint8_t> signed_part,
                                                              const Signature& signature) {
  signed_part.insert(signed_part.end(), signature.begin(), signature.end());
  return signed_part;
}

/// sender_mismatch when the signer is not of the organisation the statement speaks for,
/// signature_invalid when the signature is not the signer's over the signed part.
[[nodiscard]] inline Result<void> verify(const Id& sender_org, const DeviceCertificate& signer,
                                         std::span<const std::uint8_t> signed_part,
                                         const Signature& signature, std::string_view domain) {
  if (signer.org_id != sender_org) {
    return errc::sender_mismatch;
  }
  if (!verify_signature(signer.signing_key, domain, signed_part, signature)) {
    return errc::signature_invalid;
  }
  return {};
}

}  // namespace draaischijf::protocol::device_statement
