#pragma once

// A certificate authority kept in one folder, and the folder layout of a whole hub PKI. This is
// what `draaischijf-hub pki ...` and the development deployment work on:
//
//   <pki>/root/            the hub root CA
//   <pki>/orgs/<org id>/   one CA per organisation (pathlen 0)
//   <pki>/crl/             the current CRL of every CA: what tls.crl_dir points at
//   <pki>/server.pem, server.key
//
// Each CA folder holds ca.pem, ca.key (mode 0600), revoked.txt (one "serial unix-time" line per
// revoked certificate, appended and synced) and crl-number.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <draaischijf/certs/pki.hpp>

namespace draaischijf::certs {

class Authority {
 public:
  [[nodiscard]] static Result<Authority> create_root(const std::filesystem::path& dir,
                                                     std::string_view common_name,
                                                     const Validity& validity);
  [[nodiscard]] static Result<Authority> create_organisation(const std::filesystem::path& dir,
                                                             const Authority& root,
                                                             std::string_view org_id,
                                                             std::string_view common_name,
                                                             const Validity& validity);
  [[nodiscard]] static Result<Authority> load(const std::filesystem::path& dir);

  [[nodiscard]] X509* certificate() const { return certificate_.get(); }
  [[nodiscard]] EVP_PKEY* key() const { return key_.get(); }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  /// `key` may be a public key only, such as the one a device's certificate request carries.
  [[nodiscard]] Result<CertificatePtr> issue_device(EVP_PKEY* key, const DeviceIdentity& identity,
                                                    const Validity& validity) const;
  [[nodiscard]] Result<CertificatePtr> issue_server(EVP_PKEY* key,
                                                    const std::vector<std::string>& names,
                                                    const Validity& validity) const;

  /// Records the serial as revoked (durably); the next CRL lists it.
  [[nodiscard]] Result<void> revoke(std::string_view serial_hex,
                                    std::chrono::system_clock::time_point at);
  [[nodiscard]] Result<std::vector<Revocation>> revoked() const;
  /// A new CRL with every revocation so far and the next CRL number.
  [[nodiscard]] Result<CrlPtr> next_crl(const Validity& validity);

 private:
  Authority(std::filesystem::path dir, CertificatePtr certificate, KeyPtr key)
      : dir_(std::move(dir)), certificate_(std::move(certificate)), key_(std::move(key)) {}
  std::filesystem::path dir_;
  CertificatePtr certificate_;
  KeyPtr key_;
};

struct PkiLayout {
  std::filesystem::path dir;
  [[nodiscard]] std::filesystem::path root() const { return dir / "root"; }
  [[nodiscard]] std::filesystem::path root_certificate() const { return root() / "ca.pem"; }
  [[nodiscard]] std::filesystem::path organisation(std::string_view org_id) const {
    return dir / "orgs" / std::string(org_id);
  }
  [[nodiscard]] std::filesystem::path crl_dir() const { return dir / "crl"; }
  [[nodiscard]] std::filesystem::path server_certificate() const { return dir / "server.pem"; }
  [[nodiscard]] std::filesystem::path server_key() const { return dir / "server.key"; }
};

/// Issues a fresh CRL for the root and for every organisation CA into crl_dir (each written to
/// a temporary file, synced and renamed, so a reader never sees half a CRL).
[[nodiscard]] Result<void> publish_crls(const PkiLayout& layout, std::chrono::hours lifetime);

/// Writes `text` to `path` through a synced temporary file and a rename.
[[nodiscard]] Result<void> write_file_atomically(const std::filesystem::path& path,
                                                 std::string_view text);
[[nodiscard]] Result<std::string> read_text_file(const std::filesystem::path& path);

}  // namespace draaischijf::certs
