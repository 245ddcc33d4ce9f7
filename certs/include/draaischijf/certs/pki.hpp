#pragma once

// The X.509 side of Draaischijf: the PKI that mutual TLS runs on. OpenSSL 3 (EVP and X509 APIs)
// behind RAII handles. Profiles: the hub root CA, one CA per organisation (pathlen 0), the hub
// server certificate and device client certificates whose SAN URIs name the organisation, its
// type, the staff role and the device. No private key is ever committed: tests and the
// development deployment generate their own PKI with these functions.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace draaischijf::certs {

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct CertificateDeleter {
  void operator()(X509* certificate) const noexcept { X509_free(certificate); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using CertificatePtr = std::unique_ptr<X509, CertificateDeleter>;

enum class errc {
  key_generation_failed = 1,
  issuance_failed,
  pem_invalid,
  identity_missing,
  identity_duplicated,
  identity_malformed,
  key_file_failed,
  crl_invalid,
  key_invalid,
  file_failed,
  already_exists,
  serial_invalid,
  request_failed,
  request_invalid,
  request_signature_invalid,
  request_key_unsupported,
};

[[nodiscard]] const boost::system::error_category& certs_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), certs_category()};
}

template <class T>
using Result = boost::system::result<T>;

struct Validity {
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  /// From now - 5 minutes (clock skew) for `lifetime`.
  [[nodiscard]] static Validity starting_now(std::chrono::hours lifetime);
};

/// What a device certificate asserts, as the hub maps it before any handler runs.
struct DeviceIdentity {
  std::string org_id;     // 32 lower-case hex digits
  std::string org_type;   // vocabulary name, e.g. "clb"
  std::string role;       // vocabulary name, e.g. "clb_onthaal"
  std::string device_id;  // 32 lower-case hex digits
  bool operator==(const DeviceIdentity&) const = default;
};

/// An ECDSA P-256 key.
[[nodiscard]] Result<KeyPtr> generate_p256_key();

/// Self-signed hub root: CA:TRUE, keyCertSign and cRLSign.
[[nodiscard]] Result<CertificatePtr> issue_root_ca(EVP_PKEY* key, std::string_view common_name,
                                                   const Validity& validity);

/// An organisation CA under the root: CA:TRUE with pathlen 0, SAN urn:draaischijf:org:<id>.
[[nodiscard]] Result<CertificatePtr> issue_organisation_ca(EVP_PKEY* key, std::string_view org_id,
                                                           std::string_view common_name,
                                                           X509* issuer, EVP_PKEY* issuer_key,
                                                           const Validity& validity);

/// A device client certificate: clientAuth only, SAN URIs for organisation, type, role, device.
/// Only the public half of `key` is used, so the public key of a certificate request will do.
[[nodiscard]] Result<CertificatePtr> issue_device_certificate(EVP_PKEY* key,
                                                              const DeviceIdentity& identity,
                                                              X509* issuer, EVP_PKEY* issuer_key,
                                                              const Validity& validity);

/// The hub's server certificate: serverAuth only, SAN DNS names and IP addresses.
[[nodiscard]] Result<CertificatePtr> issue_server_certificate(EVP_PKEY* key,
                                                              const std::vector<std::string>& names,
                                                              X509* issuer, EVP_PKEY* issuer_key,
                                                              const Validity& validity);

[[nodiscard]] std::string certificate_to_pem(X509* certificate);
/// Writes the private key as unencrypted PKCS#8 PEM to a new file created with mode 0600.
/// Refuses to overwrite an existing file.
[[nodiscard]] Result<void> write_private_key_file(EVP_PKEY* key, const std::string& path);
[[nodiscard]] Result<CertificatePtr> certificate_from_pem(std::string_view pem);

/// Reads the device identity from the SAN URIs; each of the four must be there exactly once and
/// well formed.
[[nodiscard]] Result<DeviceIdentity> device_identity(X509* certificate);

struct CrlDeleter {
  void operator()(X509_CRL* crl) const noexcept { X509_CRL_free(crl); }
};
using CrlPtr = std::unique_ptr<X509_CRL, CrlDeleter>;

/// One revoked certificate, by serial number (lower-case hex, as `serial_hex` prints it).
struct Revocation {
  std::string serial_hex;
  std::chrono::system_clock::time_point revoked_at;
};

/// A CRL signed by `issuer`: thisUpdate = validity.not_before, nextUpdate = validity.not_after,
/// a CRL number and the authority key identifier. Relying parties fail closed after nextUpdate.
[[nodiscard]] Result<CrlPtr> issue_crl(X509* issuer, EVP_PKEY* issuer_key,
                                       const std::vector<Revocation>& revoked,
                                       const Validity& validity, std::uint64_t number);
[[nodiscard]] std::string crl_to_pem(X509_CRL* crl);
[[nodiscard]] Result<CrlPtr> crl_from_pem(std::string_view pem);

[[nodiscard]] std::string serial_hex(X509* certificate);
[[nodiscard]] Result<KeyPtr> private_key_from_pem(std::string_view pem);

/// A PKCS#10 certificate request for `key` (an ECDSA P-256 private key), as PEM, signed with
/// it (ECDSA-SHA256), so a device can be certified without its private key leaving it. The
/// subject is a fixed CN and there are no extensions: the issuer decides every identity field.
[[nodiscard]] Result<std::string> make_certificate_request(EVP_PKEY* key);

/// The public key of a PEM certificate request, once the request's signature verifies with it
/// (the sender holds the private key) and the key is ECDSA P-256 on the named curve. Everything
/// else the request says (subject, attributes, extensions) is ignored.
[[nodiscard]] Result<KeyPtr> parse_certificate_request(std::string_view pem);

/// The organisation an organisation CA speaks for (its urn:draaischijf:org: SAN URI).
[[nodiscard]] Result<std::string> organisation_of_ca(X509* certificate);

}  // namespace draaischijf::certs

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::certs::errc> : std::true_type {};
}  // namespace boost::system
