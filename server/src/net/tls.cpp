#include "net/tls.hpp"

#include <algorithm>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl.hpp>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/log_entry.hpp>

namespace draaischijf::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;

// Every CRL in one PEM file (any number); nullopt when the file cannot be read, holds no CRL
// or breaks off in the middle of one (cut short, not base64, not DER of a CRL). Such a file is
// refused, not skipped: skipping it would drop its CA's CRL, and every certificate under that
// CA would be refused with nothing said of why.
std::optional<std::vector<certs::CrlPtr>> crls_in(const std::filesystem::path& file) {
  std::vector<certs::CrlPtr> crls;
  auto text = certs::read_text_file(file);
  if (!text) {
    return std::nullopt;
  }
  BIO* bio = BIO_new_mem_buf(text->data(), static_cast<int>(text->size()));
  ERR_clear_error();
  while (bio != nullptr) {
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio, nullptr, nullptr, nullptr);
    if (crl == nullptr) {
      break;
    }
    crls.emplace_back(crl);
  }
  BIO_free(bio);
  // Reading past the last CRL ends with "no start line"; any other error is a broken one.
  const unsigned long last = ERR_peek_last_error();
  const bool clean_end =
      ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  if (crls.empty() || !clean_end) {
    return std::nullopt;
  }
  return crls;
}

// Every CRL in the folder (PEM, any number per file). An empty or unreadable folder, or a file
// that is not whole CRLs, is an error (at startup the hub does not start; on a reload the CRLs
// in force stay): without CRLs every client would be refused.
std::vector<certs::CrlPtr> load_crls(const std::filesystem::path& dir) {
  std::vector<certs::CrlPtr> crls;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".pem") {
      continue;
    }
    auto in_file = crls_in(entry.path());
    if (!in_file) {
      throw std::runtime_error("tls.crl_dir: " + entry.path().filename().string() +
                               " is not a readable PEM file of whole CRLs: publish them again "
                               "with draaischijf-hub pki crl");
    }
    for (certs::CrlPtr& crl : *in_file) {
      crls.push_back(std::move(crl));
    }
  }
  if (ec || crls.empty()) {
    throw std::runtime_error("tls.crl_dir " + dir.string() +
                             " holds no CRL (*.pem): publish them with draaischijf-hub pki crl");
  }
  return crls;
}

// The ex_data slot where the verify callback keeps the client's leaf certificate, so a refusal
// can name it even when OpenSSL keeps no peer certificate for a failed handshake.
int leaf_index() {
  static const int index = SSL_get_ex_new_index(
      0, nullptr, nullptr, nullptr, [](void*, void* leaf, CRYPTO_EX_DATA*, int, long, void*) {
        X509_free(static_cast<X509*>(leaf));
      });
  return index;
}

int remember_leaf(int preverify_ok, X509_STORE_CTX* context) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(context, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* leaf = X509_STORE_CTX_get0_cert(context);
  if (ssl != nullptr && leaf != nullptr && SSL_get_ex_data(ssl, leaf_index()) == nullptr &&
      X509_up_ref(leaf) == 1) {
    if (SSL_set_ex_data(ssl, leaf_index(), leaf) != 1) {
      X509_free(leaf);
    }
  }
  return preverify_ok;
}

std::string crl_issuer(X509_CRL* crl) {
  char name[256] = {};
  X509_NAME_oneline(X509_CRL_get_issuer(crl), name, sizeof name);
  return name;
}

}  // namespace

PresentedCertificate presented_certificate(SSL* ssl) {
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) {
    leaf = static_cast<X509*>(SSL_get_ex_data(ssl, leaf_index()));
  }
  if (leaf == nullptr) {
    return {};
  }
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(leaf), subject, sizeof subject);
  return {certs::serial_hex(leaf), subject};
}

namespace {

// Every whole CRL of every PEM file in `crl_dir`, with the file it is in. Files load_crls refuses
// are passed over here: load_crls says why, and nothing is read from a file it refuses.
template <class Each>
void for_each_crl(const std::filesystem::path& crl_dir, Each each) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(crl_dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".pem") {
      continue;
    }
    const auto in_file = crls_in(entry.path());
    if (!in_file) {
      continue;
    }
    for (const certs::CrlPtr& crl : *in_file) {
      each(entry.path(), crl.get());
    }
  }
  ERR_clear_error();
}

// The organisation whose CA issued the CRLs of `file`, by the name `pki crl` gives the file
// (`<org id>.crl.pem`); all zero for the root's `root.crl.pem` and any other name.
protocol::Id organisation_of_crl_file(const std::filesystem::path& file) {
  std::string name = file.filename().string();
  constexpr std::string_view kSuffix = ".crl.pem";
  protocol::Id org{};
  if (name.size() == 32 + kSuffix.size() && name.ends_with(kSuffix)) {
    name.resize(32);
    if (auto bytes = protocol::hex_decode(name); bytes && bytes->size() == org.size()) {
      std::copy(bytes->begin(), bytes->end(), org.begin());
    }
  }
  return org;
}

// A revoked serial's bytes, big-endian without leading zeros (one zero byte for serial 0);
// empty when OpenSSL cannot convert it or it is longer than a kind 6 entry carries.
std::vector<std::uint8_t> serial_bytes(const ASN1_INTEGER* serial) {
  BIGNUM* number = ASN1_INTEGER_to_BN(serial, nullptr);
  std::vector<std::uint8_t> out;
  if (number != nullptr) {
    const auto size = static_cast<std::size_t>(std::max(1, BN_num_bytes(number)));
    if (size <= protocol::kMaxRevokedSerialBytes) {
      out.resize(size);
      if (BN_bn2binpad(number, out.data(), static_cast<int>(size)) < 0) {
        out.clear();
      }
    }
    BN_free(number);
  }
  return out;
}

}  // namespace

std::vector<std::string> expired_crls(const std::filesystem::path& crl_dir) {
  std::vector<std::string> out;
  for_each_crl(crl_dir, [&out](const std::filesystem::path& file, X509_CRL* crl) {
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
    if (next != nullptr && X509_cmp_current_time(next) > 0) {
      return;
    }
    std::string at = "none";
    if (ASN1_GENERALIZEDTIME* when =
            next != nullptr ? ASN1_TIME_to_generalizedtime(next, nullptr) : nullptr) {
      at.assign(reinterpret_cast<const char*>(when->data), static_cast<std::size_t>(when->length));
      ASN1_GENERALIZEDTIME_free(when);
    }
    out.push_back(file.filename().string() + " (" + crl_issuer(crl) + ") nextUpdate " + at);
  });
  return out;
}

std::vector<std::vector<std::uint8_t>> crl_revocation_entries(
    const std::filesystem::path& crl_dir) {
  std::vector<std::vector<std::uint8_t>> out;
  for_each_crl(crl_dir, [&out](const std::filesystem::path& file, X509_CRL* crl) {
    const protocol::Id org = organisation_of_crl_file(file);
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
    for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
      const X509_REVOKED* entry = sk_X509_REVOKED_value(revoked, i);
      const auto serial = serial_bytes(X509_REVOKED_get0_serialNumber(entry));
      std::tm when{};
      if (serial.empty() || ASN1_TIME_to_tm(X509_REVOKED_get0_revocationDate(entry), &when) != 1) {
        continue;  // not a serial or time a certificate of this PKI has (it issues neither)
      }
      const auto at_ms = static_cast<std::uint64_t>(timegm(&when)) * 1000U;
      out.push_back(protocol::certificate_revoked_entry(org, serial, at_ms));
    }
  });
  return out;
}

// Mozilla "modern": TLS 1.3 only, its three suites; groups without ML-KEM (OpenSSL 3.0).
// Client chains are checked against the CRL of every CA in them, failing closed when one is
// missing or past its nextUpdate (OpenSSL's default for X509_V_FLAG_CRL_CHECK_ALL).
std::shared_ptr<ssl::context> make_tls_context(const TlsMaterial& tls,
                                               const std::filesystem::path& crl_dir) {
  const auto crls = load_crls(crl_dir);
  auto shared = std::make_shared<ssl::context>(ssl::context::tls_server);
  ssl::context& context = *shared;
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_ciphersuites(
          native, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") !=
          1 ||
      SSL_CTX_set1_groups_list(native, "X25519:P-256:P-384") != 1) {
    throw std::runtime_error("OpenSSL refused the TLS 1.3 settings");
  }
  // No resumption: every connection verifies the device's chain against the CRLs in force.
  // Under TLS 1.3, SSL_OP_NO_TICKET alone only makes the tickets stateful (and with the cache
  // off, useless); without num_tickets 0 OpenSSL would still build and send two per handshake.
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(native, 0);
  // An idle connection gives its record buffers back (tens of KiB each, thousands of them).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  context.use_certificate_chain(net::buffer(tls.certificate_chain), ec);
  if (ec) {
    throw std::runtime_error("tls.certificate is not a usable PEM certificate chain");
  }
  context.use_private_key(net::buffer(tls.private_key), ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("tls.private_key is not a usable PEM private key for the certificate");
  }
  context.add_certificate_authority(net::buffer(tls.client_ca), ec);
  if (ec) {
    throw std::runtime_error("tls.client_ca is not a usable PEM CA certificate");
  }
  // A client certificate is required, checked for the client purpose, at most root -> org CA ->
  // device.
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, remember_leaf);
  SSL_CTX_set_verify_depth(native, 2);
  SSL_CTX_set_purpose(native, X509_PURPOSE_SSL_CLIENT);
  X509_STORE* store = SSL_CTX_get_cert_store(native);
  for (const certs::CrlPtr& crl : crls) {
    if (X509_STORE_add_crl(store, crl.get()) != 1) {
      throw std::runtime_error("a CRL in tls.crl_dir cannot be used");
    }
  }
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  return shared;
}

// Why the handshake failed, in OpenSSL's fixed words (never certificate contents).
std::string_view refusal_reason(SSL* ssl, const boost::system::error_code& error) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return X509_verify_cert_error_string(verify);
  }
  if (SSL_get0_peer_certificate(ssl) == nullptr && SSL_is_init_finished(ssl) == 0 &&
      error.category() == net::error::get_ssl_category()) {
    return "handshake failed (no acceptable client certificate)";
  }
  return "handshake failed";
}

// The client certificate maps to (organisation, type, role, device) before any handler runs:
// the organisation CA that issued it must speak for the organisation it names, the organisation
// must be in the directory with that type, and the device must not have been removed.
Identity identify(Directory& directory, SSL* ssl) {
  Identity out;
  X509* peer = SSL_get0_peer_certificate(ssl);
  auto identity = certs::device_identity(peer);
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  if (!identity || chain == nullptr || sk_X509_num(chain) != 3) {
    out.refused = "certificate does not name a Draaischijf device";
    return out;
  }
  // OpenSSL's clientAuth purpose check lets a certificate without any extended key usage pass;
  // the device profile requires the extension, with clientAuth in it.
  if ((X509_get_extension_flags(peer) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage(peer) & XKU_SSL_CLIENT) == 0) {
    out.refused = "device certificate without the clientAuth extended key usage";
    return out;
  }
  auto issuer_org = certs::organisation_of_ca(sk_X509_value(chain, 1));
  if (!issuer_org || *issuer_org != identity->org_id) {
    out.refused = "organisation CA does not speak for the certificate's organisation";
    return out;
  }
  Caller caller;
  const auto org = protocol::hex_decode(identity->org_id);
  const auto device = protocol::hex_decode(identity->device_id);
  std::copy(org->begin(), org->end(), caller.org_id.begin());
  std::copy(device->begin(), device->end(), caller.device_id.begin());
  caller.role = identity->role;
  caller.admin = identity->role == protocol::name_of(protocol::StaffRole::organisation_admin);
  auto organisation = directory.organisation(caller.org_id);
  if (!organisation || protocol::name_of(organisation->type) != identity->org_type) {
    out.refused = "unknown-organisation";
    out.problem = ProblemKind::unknown_organisation;
    return out;
  }
  if (organisation->removed_at_ms) {
    out.refused = "organisation-removed";
    out.problem = ProblemKind::organisation_removed;
    return out;
  }
  caller.org_type = organisation->type;
  if (!check_device(directory, caller, out.generation)) {
    out.refused = kDeviceRemoved;
    out.problem = ProblemKind::device_removed;
    return out;
  }
  out.caller = std::move(caller);
  return out;
}

// The device's state in the directory: a removed device (or one the directory knows under
// another organisation) is refused; enrolled or not decides what it may do. The generation is
// read before the lookup, so a change committed meanwhile is looked at again next time.
bool check_device(Directory& directory, Caller& caller, std::uint64_t& seen_generation) {
  seen_generation = directory.device_generation();
  if (auto known = directory.device(caller.device_id)) {
    if (known->org_id != caller.org_id || known->state == DeviceState::removed) {
      return false;
    }
    caller.enrolled = known->state == DeviceState::enrolled;
  }
  return true;
}

}  // namespace draaischijf::server
