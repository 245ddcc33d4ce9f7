#include "tls_identity.hpp"

#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace draaischijf::witness {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(FILE* p) const { std::fclose(p); }
};

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("cannot make the witness's TLS certificate: " + what);
}

// "DNS:name" or "IP:address" for each host.
std::string subject_alt_names(const std::vector<std::string>& hosts) {
  std::string out;
  for (const std::string& host : hosts) {
    boost::system::error_code not_an_address;
    (void)boost::asio::ip::make_address(host, not_an_address);
    out += (out.empty() ? "" : ",") + std::string(not_an_address ? "DNS:" : "IP:") + host;
  }
  return out;
}

}  // namespace

void write_self_signed(const std::filesystem::path& certificate_path,
                       const std::filesystem::path& key_path,
                       const std::vector<std::string>& hosts) {
  if (hosts.empty()) {
    fail("no host name or address given");
  }
  std::unique_ptr<EVP_PKEY, Free> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, Free> cert(X509_new());
  if (!key || !cert) {
    fail("key generation failed");
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(hosts.front().c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::string sans = subject_alt_names(hosts);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, sans.c_str()},
                                   std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                                   std::pair{NID_ext_key_usage, "serverAuth"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (extension == nullptr || X509_add_ext(cert.get(), extension, -1) != 1) {
      X509_EXTENSION_free(extension);
      fail("a host name is not valid in a certificate");
    }
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    fail("signing failed");
  }
  const int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  std::unique_ptr<FILE, Free> key_file(fd >= 0 ? fdopen(fd, "w") : nullptr);
  if (!key_file ||
      PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail(key_path.string() + " cannot be created (an existing key is never replaced)");
  }
  std::unique_ptr<FILE, Free> cert_file(std::fopen(certificate_path.c_str(), "w"));
  if (!cert_file || PEM_write_X509(cert_file.get(), cert.get()) != 1) {
    fail(certificate_path.string() + " cannot be written");
  }
}

}  // namespace draaischijf::witness
