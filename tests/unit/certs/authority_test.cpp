// The file-based authorities and their CRLs, judged by OpenSSL's own chain verification with the
// CRL checks the hub turns on: a revoked device, a missing CRL and an expired CRL all fail.

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <draaischijf/certs/authority.hpp>

#include "test_support.hpp"

namespace draaischijf::certs {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;

const std::string kOrg = "00112233445566778899aabbccddeeff";

class AuthorityTest : public ::testing::Test {
 protected:
  testing::TempDir temp;
  PkiLayout layout{temp.path() / "pki"};
  Authority root =
      Authority::create_root(layout.root(), "test root", Validity::starting_now(hours(24))).value();
  Authority org = Authority::create_organisation(layout.organisation(kOrg), root, kOrg, "org",
                                                 Validity::starting_now(hours(24)))
                      .value();
  KeyPtr device_key = generate_p256_key().value();
  CertificatePtr device =
      org.issue_device(device_key.get(),
                       {kOrg, "clb", "clb_onthaal", "ffeeddccbbaa99887766554433221100"},
                       Validity::starting_now(hours(24)))
          .value();

  // OpenSSL's verdict with CRL checks on the whole chain, given these CRLs; 0 when it verifies.
  int verify(const std::vector<X509_CRL*>& crls) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, root.certificate());
    for (X509_CRL* crl : crls) {
      X509_STORE_add_crl(store, crl);
    }
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    STACK_OF(X509)* chain = sk_X509_new_null();
    sk_X509_push(chain, org.certificate());
    X509_STORE_CTX* context = X509_STORE_CTX_new();
    X509_STORE_CTX_init(context, store, device.get(), chain);
    X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_CLIENT);
    const int verdict = X509_verify_cert(context) == 1 ? 0 : X509_STORE_CTX_get_error(context);
    X509_STORE_CTX_free(context);
    sk_X509_free(chain);
    X509_STORE_free(store);
    return verdict;
  }
};

TEST_F(AuthorityTest, KeysAreWrittenPrivateAndReloadable) {
  struct stat info {};
  ASSERT_EQ(::stat((layout.organisation(kOrg) / "ca.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  auto again = Authority::load(layout.organisation(kOrg));
  ASSERT_TRUE(again);
  EXPECT_EQ(X509_cmp(again->certificate(), org.certificate()), 0);
  EXPECT_EQ(organisation_of_ca(org.certificate()).value(), kOrg);
  EXPECT_FALSE(organisation_of_ca(root.certificate()));
  // Creating over an existing authority is refused: its key would be lost.
  EXPECT_EQ(
      Authority::create_root(layout.root(), "again", Validity::starting_now(hours(1))).error(),
      make_error_code(errc::already_exists));
}

TEST_F(AuthorityTest, CurrentCrlsLetAValidDeviceThrough) {
  auto root_crl = root.next_crl(Validity::starting_now(hours(1))).value();
  auto org_crl = org.next_crl(Validity::starting_now(hours(1))).value();
  EXPECT_EQ(verify({root_crl.get(), org_crl.get()}), X509_V_OK);
}

TEST_F(AuthorityTest, ARevokedDeviceIsRefusedByTheNextCrl) {
  ASSERT_TRUE(org.revoke(serial_hex(device.get()), Clock::now()));
  ASSERT_EQ(org.revoked().value().size(), 1U);
  auto root_crl = root.next_crl(Validity::starting_now(hours(1))).value();
  auto org_crl = org.next_crl(Validity::starting_now(hours(1))).value();
  EXPECT_EQ(verify({root_crl.get(), org_crl.get()}), X509_V_ERR_CERT_REVOKED);
  EXPECT_EQ(org.revoke("not hex!", Clock::now()).error(), make_error_code(errc::serial_invalid));
}

TEST_F(AuthorityTest, AMissingCrlFailsClosed) {
  auto root_crl = root.next_crl(Validity::starting_now(hours(1))).value();
  EXPECT_EQ(verify({root_crl.get()}), X509_V_ERR_UNABLE_TO_GET_CRL);
}

TEST_F(AuthorityTest, AnExpiredCrlFailsClosed) {
  const auto now = Clock::now();
  auto root_crl = root.next_crl(Validity::starting_now(hours(1))).value();
  auto stale = org.next_crl({now - hours(48), now - hours(1)}).value();
  EXPECT_EQ(verify({root_crl.get(), stale.get()}), X509_V_ERR_CRL_HAS_EXPIRED);
}

TEST_F(AuthorityTest, CrlNumbersGrowAndPemRoundTrips) {
  auto first = org.next_crl(Validity::starting_now(hours(1))).value();
  auto second = org.next_crl(Validity::starting_now(hours(1))).value();
  const auto number = [](X509_CRL* crl) {
    auto* value =
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr));
    const long n = ASN1_INTEGER_get(value);
    ASN1_INTEGER_free(value);
    return n;
  };
  EXPECT_EQ(number(second.get()), number(first.get()) + 1);
  auto parsed = crl_from_pem(crl_to_pem(second.get()));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(X509_CRL_cmp(parsed->get(), second.get()), 0);
  EXPECT_FALSE(crl_from_pem("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"));
}

TEST_F(AuthorityTest, PublishWritesOneCrlPerAuthority) {
  ASSERT_TRUE(publish_crls(layout, hours(24)));
  EXPECT_TRUE(std::filesystem::exists(layout.crl_dir() / "root.crl.pem"));
  EXPECT_TRUE(std::filesystem::exists(layout.crl_dir() / (kOrg + ".crl.pem")));
  auto org_crl = crl_from_pem(read_text_file(layout.crl_dir() / (kOrg + ".crl.pem")).value());
  ASSERT_TRUE(org_crl);
  EXPECT_EQ(
      X509_NAME_cmp(X509_CRL_get_issuer(org_crl->get()), X509_get_subject_name(org.certificate())),
      0);
}

}  // namespace
}  // namespace draaischijf::certs
