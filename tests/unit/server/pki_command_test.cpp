// `draaischijf-hub pki device --csr`: the operator certifies the key of a device's certificate
// request, so the device's private key never leaves it. Run in process against a PKI made by the
// same command.

#include <sstream>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/server/admin/pki_command.hpp>

#include "test_support.hpp"

namespace draaischijf::server {
namespace {

namespace fs = std::filesystem;

const std::string kOrg = "00112233445566778899aabbccddeeff";
const std::string kDevice = "ffeeddccbbaa99887766554433221100";

struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

Outcome pki(const std::vector<std::string>& args) {
  const std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream out;
  std::ostringstream err;
  const int exit_code = pki_command(views, out, err);
  return {exit_code, out.str(), err.str()};
}

std::string read_text(const fs::path& path) { return certs::read_text_file(path).value(); }

class PkiCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pki({"root", "--dir", dir.string()}).exit_code, 0);
    ASSERT_EQ(pki({"org", "--dir", dir.string(), "--org-id", kOrg}).exit_code, 0);
  }

  Outcome device(const fs::path& csr, const fs::path& out) {
    return pki({"device", "--dir", dir.string(), "--org-id", kOrg, "--org-type", "clb", "--role",
                "clb_onthaal", "--device-id", kDevice, "--out", out.string(), "--csr",
                csr.string()});
  }

  testing::TempDir temp;
  fs::path dir = temp.path() / "pki";
  certs::KeyPtr device_key = certs::generate_p256_key().value();
};

TEST_F(PkiCommandTest, DeviceFromARequestGetsItsChainAndNoKeyFile) {
  const fs::path csr = temp.path() / "device.csr";
  ASSERT_TRUE(
      certs::write_file_atomically(csr, certs::make_certificate_request(device_key.get()).value()));
  const fs::path out = temp.path() / "device";
  const Outcome run = device(csr, out);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("serial: "), std::string::npos) << run.out;
  EXPECT_FALSE(fs::exists(out / "device.key"));

  // device.pem: the device certificate, then its organisation CA.
  const std::string chain = read_text(out / "device.pem");
  const auto second = chain.find("-----BEGIN CERTIFICATE-----", 1);
  ASSERT_NE(second, std::string::npos);
  const auto leaf = certs::certificate_from_pem(chain).value();
  const auto org_ca = certs::certificate_from_pem(chain.substr(second)).value();
  const auto root = certs::certificate_from_pem(read_text(dir / "root" / "ca.pem")).value();
  EXPECT_EQ(
      X509_cmp(org_ca.get(), certs::Authority::load(dir / "orgs" / kOrg).value().certificate()), 0);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(leaf.get()), device_key.get()), 1);
  EXPECT_EQ(certs::device_identity(leaf.get()).value(),
            (certs::DeviceIdentity{kOrg, "clb", "clb_onthaal", kDevice}));

  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, root.get());
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  sk_X509_push(untrusted, org_ca.get());
  X509_STORE_CTX* context = X509_STORE_CTX_new();
  X509_STORE_CTX_init(context, store, leaf.get(), untrusted);
  X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_CLIENT);
  const int verdict = X509_verify_cert(context) == 1 ? 0 : X509_STORE_CTX_get_error(context);
  X509_STORE_CTX_free(context);
  sk_X509_free(untrusted);
  X509_STORE_free(store);
  EXPECT_EQ(verdict, X509_V_OK) << X509_verify_cert_error_string(verdict);
}

TEST_F(PkiCommandTest, RequestThatDoesNotVerifyIsRefused) {
  // The device's request with the last byte of its signature (the end of the DER) flipped.
  const std::string good = certs::make_certificate_request(device_key.get()).value();
  BIO* in = BIO_new_mem_buf(good.data(), static_cast<int>(good.size()));
  X509_REQ* request = PEM_read_bio_X509_REQ(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  ASSERT_NE(request, nullptr);
  unsigned char* der = nullptr;
  const int size = i2d_X509_REQ(request, &der);
  X509_REQ_free(request);
  ASSERT_GT(size, 0);
  der[size - 1] ^= 0x01;
  const unsigned char* cursor = der;
  X509_REQ* forged = d2i_X509_REQ(nullptr, &cursor, size);
  OPENSSL_free(der);
  ASSERT_NE(forged, nullptr);
  BIO* pem = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(pem, forged);
  X509_REQ_free(forged);
  char* data = nullptr;
  const long pem_size = BIO_get_mem_data(pem, &data);
  const std::string forged_pem(data, static_cast<std::size_t>(pem_size));
  BIO_free(pem);
  const fs::path csr = temp.path() / "forged.csr";
  ASSERT_TRUE(certs::write_file_atomically(csr, forged_pem));
  const fs::path out = temp.path() / "forged";
  const Outcome run = device(csr, out);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("certificate signing request signature does not verify"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(fs::exists(out / "device.pem"));

  ASSERT_TRUE(certs::write_file_atomically(csr, "not a request"));
  const Outcome garbage = device(csr, out);
  EXPECT_EQ(garbage.exit_code, 1);
  EXPECT_NE(garbage.err.find("not a valid PEM certificate signing request"), std::string::npos)
      << garbage.err;
  const Outcome missing = device(temp.path() / "missing.csr", out);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("reading --csr"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("check the file's name"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(out / "device.pem"));
}

TEST_F(PkiCommandTest, WithoutARequestTheCommandStillMakesTheKey) {
  const fs::path out = temp.path() / "device";
  const Outcome run = pki({"device", "--dir", dir.string(), "--org-id", kOrg, "--org-type", "clb",
                           "--role", "clb_onthaal", "--out", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto leaf = certs::certificate_from_pem(read_text(out / "device.pem")).value();
  const auto key = certs::private_key_from_pem(read_text(out / "device.key")).value();
  EXPECT_EQ(X509_check_private_key(leaf.get(), key.get()), 1);
}

}  // namespace
}  // namespace draaischijf::server
