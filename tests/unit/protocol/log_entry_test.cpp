// The directory log's statements about what the hub enforces from files (PROTOCOL.md 13.4),
// byte by byte: a certificate revocation (kind 6) and a rule set (kind 7).

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sodium.h>

#include <draaischijf/protocol/log_entry.hpp>

namespace draaischijf::protocol {
namespace {

TEST(DirectoryLogEntry, ARevocationIsItsOrganisationSerialAndTimeByteByByte) {
  Id org{};
  for (std::size_t i = 0; i < org.size(); ++i) {
    org[i] = static_cast<std::uint8_t>(0xa0 + i);
  }
  const std::vector<std::uint8_t> serial = {0x01, 0x7f, 0xff};
  const auto entry = certificate_revoked_entry(org, serial, 0x0102030405060708ULL);
  std::vector<std::uint8_t> expected = {0x06};
  expected.insert(expected.end(), org.begin(), org.end());
  expected.push_back(0x03);
  expected.insert(expected.end(), serial.begin(), serial.end());
  for (std::uint8_t b = 1; b <= 8; ++b) {
    expected.push_back(b);
  }
  EXPECT_EQ(entry, expected);
}

TEST(DirectoryLogEntry, ARuleSetIsTheFilesHashItsSignerAndItsVersionByteByByte) {
  const auto key = SigningKey::generate();
  const std::string text = "version = 2026.12.1\n";
  const auto entry = rule_set_entry(text, "2026.12.1", key.public_key());
  ASSERT_EQ(entry.size(), 1U + 32U + 32U + 2U + 9U);
  EXPECT_EQ(entry[0], 0x07);
  std::array<std::uint8_t, 32> hash{};
  crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  EXPECT_TRUE(std::equal(hash.begin(), hash.end(), entry.begin() + 1));
  const KeyId id = key.key_id();
  EXPECT_TRUE(std::equal(id.begin(), id.end(), entry.begin() + 33));
  EXPECT_EQ(entry[65], 0x00);
  EXPECT_EQ(entry[66], 0x09);
  EXPECT_EQ(std::string(entry.begin() + 67, entry.end()), "2026.12.1");
  // Another file under the same version is another entry: the log tells them apart.
  EXPECT_NE(rule_set_entry(text + "\n", "2026.12.1", key.public_key()), entry);
}

}  // namespace
}  // namespace draaischijf::protocol
