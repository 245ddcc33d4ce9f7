#include <algorithm>
#include <array>
#include <fcntl.h>
#include <optional>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <draaischijf/certs/pki.hpp>

namespace draaischijf::certs {
namespace {

class CertsCategory final : public boost::system::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "draaischijf.certs"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::key_generation_failed:
        return "key generation failed";
      case errc::issuance_failed:
        return "certificate issuance failed";
      case errc::pem_invalid:
        return "not a valid PEM certificate";
      case errc::identity_missing:
        return "certificate lacks a required identity URI";
      case errc::identity_duplicated:
        return "certificate names an identity URI twice";
      case errc::identity_malformed:
        return "certificate identity URI is malformed";
      case errc::key_file_failed:
        return "private key file cannot be written";
      case errc::crl_invalid:
        return "not a valid PEM CRL";
      case errc::key_invalid:
        return "not a valid PEM private key";
      case errc::file_failed:
        return "a PKI file cannot be read or written";
      case errc::already_exists:
        return "the PKI folder exists already";
      case errc::serial_invalid:
        return "not a certificate serial number in hexadecimal";
      case errc::request_failed:
        return "certificate signing request cannot be made";
      case errc::request_invalid:
        return "not a valid PEM certificate signing request";
      case errc::request_signature_invalid:
        return "certificate signing request signature does not verify";
      case errc::request_key_unsupported:
        return "certificate signing request key is not ECDSA P-256";
    }
    return "unknown certificate error";
  }
};

struct BioDeleter {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
struct NamesDeleter {
  void operator()(GENERAL_NAMES* names) const noexcept { GENERAL_NAMES_free(names); }
};
struct RequestDeleter {
  void operator()(X509_REQ* request) const noexcept { X509_REQ_free(request); }
};
using RequestPtr = std::unique_ptr<X509_REQ, RequestDeleter>;

constexpr std::string_view kUriPrefix = "urn:draaischijf:";

// What distinguishes one certificate profile from another.
struct Profile {
  std::string common_name;
  bool is_ca = false;
  std::string basic_constraints;  // e.g. "critical,CA:TRUE,pathlen:0"
  std::string key_usage;
  std::string extended_key_usage;  // empty: none
  std::string subject_alt_name;    // empty: none
};

bool add_extension(X509* certificate, X509V3_CTX* context, int nid, const std::string& value) {
  if (value.empty()) {
    return true;
  }
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str());
  if (extension == nullptr) {
    return false;
  }
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

bool set_time(ASN1_TIME* field, std::chrono::system_clock::time_point at) {
  return ASN1_TIME_set(field, std::chrono::system_clock::to_time_t(at)) != nullptr;
}

bool random_serial(X509* certificate) {
  BIGNUM* serial = BN_new();
  const bool ok = serial != nullptr &&
                  BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
                  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate)) != nullptr;
  BN_free(serial);
  return ok;
}

// One issuance path for every profile; a null issuer means self-signed.
Result<CertificatePtr> issue(EVP_PKEY* key, const Profile& profile, X509* issuer,
                             EVP_PKEY* issuer_key, const Validity& validity) {
  CertificatePtr certificate(X509_new());
  if (!certificate || key == nullptr) {
    return make_error_code(errc::issuance_failed);
  }
  X509* c = certificate.get();
  X509_NAME* name = X509_get_subject_name(c);
  const bool fields_ok =
      X509_set_version(c, X509_VERSION_3) == 1 && random_serial(c) &&
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(profile.common_name.c_str()), -1, -1, 0) == 1 &&
      X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name) == 1 &&
      set_time(X509_getm_notBefore(c), validity.not_before) &&
      set_time(X509_getm_notAfter(c), validity.not_after) && X509_set_pubkey(c, key) == 1;
  if (!fields_ok) {
    return make_error_code(errc::issuance_failed);
  }
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : c, c, nullptr, nullptr, 0);
  const bool extensions_ok =
      add_extension(c, &context, NID_basic_constraints, profile.basic_constraints) &&
      add_extension(c, &context, NID_key_usage, profile.key_usage) &&
      add_extension(c, &context, NID_ext_key_usage, profile.extended_key_usage) &&
      add_extension(c, &context, NID_subject_alt_name, profile.subject_alt_name) &&
      add_extension(c, &context, NID_subject_key_identifier, "hash") &&
      add_extension(c, &context, NID_authority_key_identifier,
                    issuer != nullptr ? "keyid:always" : "");
  if (!extensions_ok || X509_sign(c, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return make_error_code(errc::issuance_failed);
  }
  return certificate;
}

bool is_hex_id(std::string_view value) {
  return value.size() == 32 && std::all_of(value.begin(), value.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_name(std::string_view value) {
  return !value.empty() && value.size() <= 64 &&
         std::all_of(value.begin(), value.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

}  // namespace

const boost::system::error_category& certs_category() noexcept {
  static const CertsCategory category;
  return category;
}

Validity Validity::starting_now(std::chrono::hours lifetime) {
  const auto now = std::chrono::system_clock::now();
  return {now - std::chrono::minutes(5), now + lifetime};
}

Result<KeyPtr> generate_p256_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return make_error_code(errc::key_generation_failed);
  }
  return key;
}

Result<CertificatePtr> issue_root_ca(EVP_PKEY* key, std::string_view common_name,
                                     const Validity& validity) {
  return issue(
      key,
      {std::string(common_name), true, "critical,CA:TRUE", "critical,keyCertSign,cRLSign", "", ""},
      nullptr, nullptr, validity);
}

Result<CertificatePtr> issue_organisation_ca(EVP_PKEY* key, std::string_view org_id,
                                             std::string_view common_name, X509* issuer,
                                             EVP_PKEY* issuer_key, const Validity& validity) {
  if (!is_hex_id(org_id)) {
    return make_error_code(errc::identity_malformed);
  }
  return issue(
      key,
      {std::string(common_name), true, "critical,CA:TRUE,pathlen:0", "critical,keyCertSign,cRLSign",
       "", "URI:urn:draaischijf:org:" + std::string(org_id)},
      issuer, issuer_key, validity);
}

Result<CertificatePtr> issue_device_certificate(EVP_PKEY* key, const DeviceIdentity& identity,
                                                X509* issuer, EVP_PKEY* issuer_key,
                                                const Validity& validity) {
  if (!is_hex_id(identity.org_id) || !is_hex_id(identity.device_id) ||
      !is_name(identity.org_type) || !is_name(identity.role)) {
    return make_error_code(errc::identity_malformed);
  }
  const std::string prefix = "URI:" + std::string(kUriPrefix);
  return issue(
      key,
      {"device " + identity.device_id, false, "critical,CA:FALSE", "critical,digitalSignature",
       "clientAuth",
       prefix + "org:" + identity.org_id + "," + prefix + "org-type:" + identity.org_type + "," +
           prefix + "role:" + identity.role + "," + prefix + "device:" + identity.device_id},
      issuer, issuer_key, validity);
}

Result<CertificatePtr> issue_server_certificate(EVP_PKEY* key,
                                                const std::vector<std::string>& names, X509* issuer,
                                                EVP_PKEY* issuer_key, const Validity& validity) {
  if (names.empty()) {
    return make_error_code(errc::identity_malformed);
  }
  std::string alt_names;
  for (const std::string& name : names) {
    const bool is_address = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= '0' && c <= '9') || c == '.' || c == ':';
    });
    if (!alt_names.empty()) {
      alt_names += ',';
    }
    alt_names += is_address ? "IP:" : "DNS:";
    alt_names += name;
  }
  return issue(key,
               {names.front(), false, "critical,CA:FALSE", "critical,digitalSignature",
                "serverAuth", alt_names},
               issuer, issuer_key, validity);
}

std::string certificate_to_pem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    return {};
  }
  std::string pem(BIO_ctrl_pending(bio.get()), '\0');
  const int n = BIO_read(bio.get(), pem.data(), static_cast<int>(pem.size()));
  pem.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return pem;
}

Result<void> write_private_key_file(EVP_PKEY* key, const std::string& path) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error_code(errc::key_file_failed);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error_code(errc::key_file_failed);
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  const bool written =
      size > 0 && ::write(fd, data, static_cast<std::size_t>(size)) == size && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    return make_error_code(errc::key_file_failed);
  }
  return {};
}

Result<CertificatePtr> certificate_from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertificatePtr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)
                                 : nullptr);
  if (!certificate) {
    return make_error_code(errc::pem_invalid);
  }
  return certificate;
}

namespace {

// The rest of every urn:draaischijf: SAN URI, in order; nullopt when there is no SAN at all.
std::optional<std::vector<std::string>> draaischijf_uris(X509* certificate) {
  std::unique_ptr<GENERAL_NAMES, NamesDeleter> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return std::nullopt;
  }
  std::vector<std::string> uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) {
      continue;
    }
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                static_cast<std::size_t>(ASN1_STRING_length(uri)));
    if (text.starts_with(kUriPrefix)) {
      uris.emplace_back(text.substr(kUriPrefix.size()));
    }
  }
  return uris;
}

}  // namespace

Result<DeviceIdentity> device_identity(X509* certificate) {
  const auto uris = draaischijf_uris(certificate);
  if (!uris) {
    return make_error_code(errc::identity_missing);
  }
  constexpr std::array<std::string_view, 4> kKeys = {"org:", "org-type:", "role:", "device:"};
  std::array<std::optional<std::string>, 4> values;
  for (const std::string& rest : *uris) {
    for (std::size_t k = 0; k < kKeys.size(); ++k) {
      if (rest.starts_with(kKeys[k])) {
        if (values[k]) {
          return make_error_code(errc::identity_duplicated);
        }
        values[k] = rest.substr(kKeys[k].size());
      }
    }
  }
  if (std::any_of(values.begin(), values.end(), [](const auto& v) { return !v.has_value(); })) {
    return make_error_code(errc::identity_missing);
  }
  DeviceIdentity identity{*values[0], *values[1], *values[2], *values[3]};
  if (!is_hex_id(identity.org_id) || !is_hex_id(identity.device_id) ||
      !is_name(identity.org_type) || !is_name(identity.role)) {
    return make_error_code(errc::identity_malformed);
  }
  return identity;
}

namespace {

// The one key every Draaischijf certificate carries. The named-curve encoding is required as
// well: a key with explicit curve parameters would be copied into the certificate that way,
// which RFC 5480 forbids and TLS peers may refuse, and its parameters would be the sender's choice.
bool is_named_p256(EVP_PKEY* key) {
  std::array<char, 32> group{};
  std::array<char, 32> encoding{};
  std::size_t group_length = 0;
  std::size_t encoding_length = 0;
  return EVP_PKEY_is_a(key, "EC") == 1 &&
         EVP_PKEY_get_group_name(key, group.data(), group.size(), &group_length) == 1 &&
         std::string_view(group.data(), group_length) == SN_X9_62_prime256v1 &&
         EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, encoding.data(),
                                        encoding.size(), &encoding_length) == 1 &&
         std::string_view(encoding.data(), encoding_length) == OSSL_PKEY_EC_ENCODING_GROUP;
}

// A request is a few hundred bytes; the bound also keeps the length within the int that
// BIO_new_mem_buf takes.
constexpr std::size_t kMaxRequestPem = 16 * 1024;

}  // namespace

Result<std::string> make_certificate_request(EVP_PKEY* key) {
  // Refused here rather than by the issuer, so a device never sends a request that cannot work.
  if (key == nullptr || !is_named_p256(key)) {
    return make_error_code(errc::request_key_unsupported);
  }
  RequestPtr request(X509_REQ_new());
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!request || !bio) {
    return make_error_code(errc::request_failed);
  }
  X509_REQ* r = request.get();
  const bool made =
      X509_REQ_set_version(r, X509_REQ_VERSION_1) == 1 &&
      X509_NAME_add_entry_by_txt(
          X509_REQ_get_subject_name(r), "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>("draaischijf device request"), -1, -1, 0) == 1 &&
      X509_REQ_set_pubkey(r, key) == 1 && X509_REQ_sign(r, key, EVP_sha256()) > 0 &&
      PEM_write_bio_X509_REQ(bio.get(), r) == 1;
  char* data = nullptr;
  const long size = made ? BIO_get_mem_data(bio.get(), &data) : 0;
  if (size <= 0) {
    return make_error_code(errc::request_failed);
  }
  return std::string(data, static_cast<std::size_t>(size));
}

Result<KeyPtr> parse_certificate_request(std::string_view pem) {
  if (pem.size() > kMaxRequestPem) {
    return make_error_code(errc::request_invalid);
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  RequestPtr request(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  KeyPtr key(request ? X509_REQ_get_pubkey(request.get()) : nullptr);
  if (!key) {
    return make_error_code(errc::request_invalid);
  }
  // The key before the signature: no verification runs with an algorithm or curve parameters
  // that the sender chose.
  if (!is_named_p256(key.get())) {
    return make_error_code(errc::request_key_unsupported);
  }
  // Proof of possession: the self-signature shows that whoever made the request holds the
  // private key, so a certificate is never issued for a key its requester cannot use.
  if (X509_REQ_verify(request.get(), key.get()) != 1) {
    return make_error_code(errc::request_signature_invalid);
  }
  return key;
}

Result<std::string> organisation_of_ca(X509* certificate) {
  const auto uris = draaischijf_uris(certificate);
  std::optional<std::string> org;
  for (const std::string& rest : uris.value_or(std::vector<std::string>{})) {
    if (rest.starts_with("org:")) {
      if (org) {
        return make_error_code(errc::identity_duplicated);
      }
      org = rest.substr(4);
    }
  }
  if (!org) {
    return make_error_code(errc::identity_missing);
  }
  if (!is_hex_id(*org)) {
    return make_error_code(errc::identity_malformed);
  }
  return *org;
}

Result<CrlPtr> issue_crl(X509* issuer, EVP_PKEY* issuer_key, const std::vector<Revocation>& revoked,
                         const Validity& validity, std::uint64_t number) {
  CrlPtr crl(X509_CRL_new());
  if (!crl || issuer == nullptr || issuer_key == nullptr) {
    return make_error_code(errc::issuance_failed);
  }
  X509_CRL* c = crl.get();
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> this_update(ASN1_TIME_new(),
                                                                    ASN1_TIME_free);
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> next_update(ASN1_TIME_new(),
                                                                    ASN1_TIME_free);
  if (!this_update || !next_update || X509_CRL_set_version(c, X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer)) != 1 ||
      !set_time(this_update.get(), validity.not_before) ||
      !set_time(next_update.get(), validity.not_after) ||
      X509_CRL_set1_lastUpdate(c, this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(c, next_update.get()) != 1) {
    return make_error_code(errc::issuance_failed);
  }
  for (const Revocation& revocation : revoked) {
    BIGNUM* serial = nullptr;
    X509_REVOKED* entry = X509_REVOKED_new();
    ASN1_TIME* at = ASN1_TIME_new();
    ASN1_INTEGER* integer = nullptr;
    const bool ok =
        entry != nullptr && at != nullptr &&
        BN_hex2bn(&serial, revocation.serial_hex.c_str()) > 0 &&
        (integer = BN_to_ASN1_INTEGER(serial, nullptr)) != nullptr &&
        X509_REVOKED_set_serialNumber(entry, integer) == 1 && set_time(at, revocation.revoked_at) &&
        X509_REVOKED_set_revocationDate(entry, at) == 1 && X509_CRL_add0_revoked(c, entry) == 1;
    BN_free(serial);
    ASN1_INTEGER_free(integer);
    ASN1_TIME_free(at);
    if (!ok) {
      X509_REVOKED_free(entry);
      return make_error_code(errc::issuance_failed);
    }
  }
  X509_CRL_sort(c);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, nullptr, nullptr, c, 0);
  ASN1_INTEGER* crl_number = ASN1_INTEGER_new();
  X509_EXTENSION* key_extension =
      X509V3_EXT_conf_nid(nullptr, &context, NID_authority_key_identifier, "keyid:always");
  const bool signed_ok =
      crl_number != nullptr && key_extension != nullptr &&
      ASN1_INTEGER_set_uint64(crl_number, number) == 1 &&
      X509_CRL_add1_ext_i2d(c, NID_crl_number, crl_number, 0, X509V3_ADD_DEFAULT) == 1 &&
      X509_CRL_add_ext(c, key_extension, -1) == 1 && X509_CRL_sign(c, issuer_key, EVP_sha256()) > 0;
  ASN1_INTEGER_free(crl_number);
  X509_EXTENSION_free(key_extension);
  if (!signed_ok) {
    return make_error_code(errc::issuance_failed);
  }
  return crl;
}

std::string crl_to_pem(X509_CRL* crl) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl) != 1) {
    return {};
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

Result<CrlPtr> crl_from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CrlPtr crl(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!crl) {
    return make_error_code(errc::crl_invalid);
  }
  return crl;
}

std::string serial_hex(X509* certificate) {
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  char* text = serial != nullptr ? BN_bn2hex(serial) : nullptr;
  std::string out = text != nullptr ? text : "";
  OPENSSL_free(text);
  BN_free(serial);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

Result<KeyPtr> private_key_from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    return make_error_code(errc::key_invalid);
  }
  return key;
}

}  // namespace draaischijf::certs
