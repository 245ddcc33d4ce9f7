#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <draaischijf/certs/pki.hpp>

namespace draaischijf::certs {
namespace {

using std::chrono::hours;

struct StoreDeleter {
  void operator()(X509_STORE* s) const noexcept { X509_STORE_free(s); }
};
struct ContextDeleter {
  void operator()(X509_STORE_CTX* c) const noexcept { X509_STORE_CTX_free(c); }
};
struct StackDeleter {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_free(s); }
};

const DeviceIdentity kDevice{"0123456789abcdef0123456789abcdef", "clb", "clb_onthaal",
                             "fedcba9876543210fedcba9876543210"};

// OpenSSL's own verdict on leaf <- intermediate <- root for a TLS client, 0 when it verifies.
int verify_client(X509* leaf, X509* intermediate, X509* root) {
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), root);
  std::unique_ptr<STACK_OF(X509), StackDeleter> chain(sk_X509_new_null());
  sk_X509_push(chain.get(), intermediate);
  std::unique_ptr<X509_STORE_CTX, ContextDeleter> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), leaf, chain.get());
  X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_CLIENT);
  return X509_verify_cert(context.get()) == 1 ? 0 : X509_STORE_CTX_get_error(context.get());
}

struct RequestDeleter {
  void operator()(X509_REQ* r) const noexcept { X509_REQ_free(r); }
};
struct BioDeleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using RequestPtr = std::unique_ptr<X509_REQ, RequestDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

RequestPtr request_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return RequestPtr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
}

std::string request_to_pem(X509_REQ* request) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), request);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

// A correctly self-signed request for any key, as a device that ignores the profile makes it
// (make_certificate_request refuses such keys). `digest` is null for Ed25519.
std::string foreign_request(EVP_PKEY* key, const EVP_MD* digest) {
  RequestPtr request(X509_REQ_new());
  EXPECT_EQ(X509_REQ_set_pubkey(request.get(), key), 1);
  EXPECT_GT(X509_REQ_sign(request.get(), key, digest), 0);
  return request_to_pem(request.get());
}

// P-256 written with explicit curve parameters instead of the curve's name.
KeyPtr explicit_p256_key() {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
      EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), EVP_PKEY_CTX_free);
  std::string group = "P-256";
  std::string encoding = OSSL_PKEY_EC_ENCODING_EXPLICIT;
  const std::array<OSSL_PARAM, 3> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, encoding.data(), 0),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* key = nullptr;
  if (context && EVP_PKEY_keygen_init(context.get()) == 1 &&
      EVP_PKEY_CTX_set_params(context.get(), params.data()) == 1) {
    EVP_PKEY_generate(context.get(), &key);
  }
  return KeyPtr(key);
}

class PkiTest : public ::testing::Test {
 protected:
  KeyPtr root_key = generate_p256_key().value();
  CertificatePtr root =
      issue_root_ca(root_key.get(), "Draaischijf test root", Validity::starting_now(hours(24)))
          .value();
  KeyPtr org_key = generate_p256_key().value();
  CertificatePtr org_ca =
      issue_organisation_ca(org_key.get(), kDevice.org_id, "CLB test", root.get(), root_key.get(),
                            Validity::starting_now(hours(24)))
          .value();
  KeyPtr device_key = generate_p256_key().value();
};

TEST_F(PkiTest, DeviceCertificateChainsToTheRootForClientAuthentication) {
  const auto device = issue_device_certificate(device_key.get(), kDevice, org_ca.get(),
                                               org_key.get(), Validity::starting_now(hours(1)));
  ASSERT_TRUE(device);
  EXPECT_EQ(verify_client(device->get(), org_ca.get(), root.get()), X509_V_OK);
  EXPECT_EQ(device_identity(device->get()).value(), kDevice);
}

TEST_F(PkiTest, ExpiredAndForeignCertificatesFailOpenSslVerification) {
  const auto now = std::chrono::system_clock::now();
  const auto expired = issue_device_certificate(device_key.get(), kDevice, org_ca.get(),
                                                org_key.get(), {now - hours(48), now - hours(1)});
  ASSERT_TRUE(expired);
  EXPECT_EQ(verify_client(expired->get(), org_ca.get(), root.get()), X509_V_ERR_CERT_HAS_EXPIRED);
  const auto foreign_key = generate_p256_key().value();
  const auto foreign_root =
      issue_root_ca(foreign_key.get(), "elsewhere", Validity::starting_now(hours(1))).value();
  const auto device = issue_device_certificate(device_key.get(), kDevice, org_ca.get(),
                                               org_key.get(), Validity::starting_now(hours(1)));
  EXPECT_NE(verify_client(device->get(), org_ca.get(), foreign_root.get()), X509_V_OK);
}

TEST_F(PkiTest, ServerCertificateIsNotAClientCertificate) {
  const auto server =
      issue_server_certificate(device_key.get(), {"localhost", "127.0.0.1"}, org_ca.get(),
                               org_key.get(), Validity::starting_now(hours(1)));
  ASSERT_TRUE(server);
  EXPECT_EQ(verify_client(server->get(), org_ca.get(), root.get()), X509_V_ERR_INVALID_PURPOSE);
  EXPECT_EQ(device_identity(server->get()).error(), make_error_code(errc::identity_missing));
}

TEST_F(PkiTest, OrganisationCaCannotCertifyAnotherCa) {
  // pathlen 0: a CA under the organisation CA makes the chain too deep for OpenSSL.
  const auto sub_key = generate_p256_key().value();
  const auto sub_ca = issue_organisation_ca(sub_key.get(), kDevice.org_id, "sub", org_ca.get(),
                                            org_key.get(), Validity::starting_now(hours(1)))
                          .value();
  const auto device = issue_device_certificate(device_key.get(), kDevice, sub_ca.get(),
                                               sub_key.get(), Validity::starting_now(hours(1)))
                          .value();
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), root.get());
  std::unique_ptr<STACK_OF(X509), StackDeleter> chain(sk_X509_new_null());
  sk_X509_push(chain.get(), sub_ca.get());
  sk_X509_push(chain.get(), org_ca.get());
  std::unique_ptr<X509_STORE_CTX, ContextDeleter> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), device.get(), chain.get());
  EXPECT_NE(X509_verify_cert(context.get()), 1);
  EXPECT_EQ(X509_STORE_CTX_get_error(context.get()), X509_V_ERR_PATH_LENGTH_EXCEEDED);
}

TEST_F(PkiTest, MalformedIdentitiesAreRefusedAtIssuance) {
  DeviceIdentity bad = kDevice;
  bad.org_id = "not-hex";
  EXPECT_EQ(issue_device_certificate(device_key.get(), bad, org_ca.get(), org_key.get(),
                                     Validity::starting_now(hours(1)))
                .error(),
            make_error_code(errc::identity_malformed));
  bad = kDevice;
  bad.role = "Role,URI:urn:draaischijf:org:x";  // no SAN injection through a field
  EXPECT_EQ(issue_device_certificate(device_key.get(), bad, org_ca.get(), org_key.get(),
                                     Validity::starting_now(hours(1)))
                .error(),
            make_error_code(errc::identity_malformed));
}

TEST_F(PkiTest, PemRoundTripKeepsTheCertificate) {
  const std::string pem = certificate_to_pem(org_ca.get());
  ASSERT_NE(pem.find("BEGIN CERTIFICATE"), std::string::npos);
  const auto parsed = certificate_from_pem(pem);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(X509_cmp(parsed->get(), org_ca.get()), 0);
  EXPECT_EQ(certificate_from_pem("garbage").error(), make_error_code(errc::pem_invalid));
}

TEST_F(PkiTest, CertificateRequestCarriesTheDeviceKeyIntoItsCertificate) {
  const auto pem = make_certificate_request(device_key.get());
  ASSERT_TRUE(pem) << pem.error().message();
  EXPECT_NE(pem->find("-----BEGIN CERTIFICATE REQUEST-----"), std::string::npos);
  const auto key = parse_certificate_request(*pem);
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(EVP_PKEY_eq(key->get(), device_key.get()), 1);
  // Only the public key travels: the parsed key cannot sign a request of its own.
  EXPECT_EQ(make_certificate_request(key->get()).error(), make_error_code(errc::request_failed));
  const auto device = issue_device_certificate(key->get(), kDevice, org_ca.get(), org_key.get(),
                                               Validity::starting_now(hours(1)));
  ASSERT_TRUE(device);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(device->get()), device_key.get()), 1);
  EXPECT_EQ(verify_client(device->get(), org_ca.get(), root.get()), X509_V_OK);
  EXPECT_EQ(device_identity(device->get()).value(), kDevice);
}

TEST_F(PkiTest, CertificateRequestWithAlteredSignatureIsRefused) {
  const std::string pem = make_certificate_request(device_key.get()).value();
  const RequestPtr request = request_from_pem(pem);
  ASSERT_TRUE(request);
  unsigned char* der = nullptr;
  const int size = i2d_X509_REQ(request.get(), &der);
  ASSERT_GT(size, 0);
  std::vector<unsigned char> bytes(der, der + size);
  OPENSSL_free(der);
  // The signature BIT STRING ends the request, so its last byte is the signature's last byte.
  bytes.back() ^= 0x01;
  const unsigned char* cursor = bytes.data();
  const RequestPtr altered(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(bytes.size())));
  ASSERT_TRUE(altered);
  EXPECT_EQ(parse_certificate_request(request_to_pem(altered.get())).error(),
            make_error_code(errc::request_signature_invalid));
  // A request re-signed by another key for the device's public key does not verify either.
  const RequestPtr swapped = request_from_pem(pem);
  const KeyPtr other = generate_p256_key().value();
  ASSERT_GT(X509_REQ_sign(swapped.get(), other.get(), EVP_sha256()), 0);
  EXPECT_EQ(parse_certificate_request(request_to_pem(swapped.get())).error(),
            make_error_code(errc::request_signature_invalid));
}

TEST_F(PkiTest, CertificateRequestForAnotherKindOfKeyIsRefused) {
  const KeyPtr p384(EVP_EC_gen("P-384"));
  const KeyPtr ed25519(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  const KeyPtr explicit_p256 = explicit_p256_key();
  ASSERT_TRUE(p384 && ed25519 && explicit_p256);
  const auto unsupported = make_error_code(errc::request_key_unsupported);
  EXPECT_EQ(parse_certificate_request(foreign_request(p384.get(), EVP_sha256())).error(),
            unsupported);
  EXPECT_EQ(parse_certificate_request(foreign_request(ed25519.get(), nullptr)).error(),
            unsupported);
  EXPECT_EQ(parse_certificate_request(foreign_request(explicit_p256.get(), EVP_sha256())).error(),
            unsupported);
  // The device side refuses to make what the issuer would refuse.
  EXPECT_EQ(make_certificate_request(p384.get()).error(), unsupported);
  EXPECT_EQ(make_certificate_request(ed25519.get()).error(), unsupported);
  EXPECT_EQ(make_certificate_request(nullptr).error(), unsupported);
}

TEST_F(PkiTest, GarbageIsNotACertificateRequest) {
  const auto invalid = make_error_code(errc::request_invalid);
  EXPECT_EQ(parse_certificate_request("").error(), invalid);
  EXPECT_EQ(parse_certificate_request("garbage").error(), invalid);
  EXPECT_EQ(parse_certificate_request(
                "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")
                .error(),
            invalid);
  // A certificate is not a request, even for the right key.
  EXPECT_EQ(parse_certificate_request(certificate_to_pem(org_ca.get())).error(), invalid);
  // Nor is a valid request buried after more than a request's worth of padding.
  const std::string pem = make_certificate_request(device_key.get()).value();
  EXPECT_EQ(parse_certificate_request(std::string(64 * 1024, '\n') + pem).error(), invalid);
}

}  // namespace
}  // namespace draaischijf::certs
