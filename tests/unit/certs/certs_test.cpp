#include <gtest/gtest.h>
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

}  // namespace
}  // namespace draaischijf::certs
