// Runs the community age test vectors (C2SP CCTV, read in place from the shared folder) through
// our age implementation. Each vector names its expected outcome; scrypt, hybrid (ML-KEM) and
// armored vectors are outside our X25519-only suite and are counted as skipped.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <zlib.h>

#include <gtest/gtest.h>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

struct Vector {
  std::string name;
  std::multimap<std::string, std::string> fields;
  std::vector<std::uint8_t> file;
};

std::filesystem::path vector_dir() {
  const char* dir = std::getenv("DRAAISCHIJF_AGE_VECTORS");
  return dir == nullptr ? std::filesystem::path() : std::filesystem::path(dir);
}

// Large vectors are stored zlib-compressed ("compressed: zlib").
std::vector<std::uint8_t> inflate_all(const std::vector<std::uint8_t>& compressed) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) {
    throw std::runtime_error("inflateInit failed");
  }
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 65536> block{};
  stream.next_in = const_cast<Bytef*>(compressed.data());  // zlib's API is not const-correct
  stream.avail_in = static_cast<uInt>(compressed.size());
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = block.data();
    stream.avail_out = static_cast<uInt>(block.size());
    status = inflate(&stream, Z_NO_FLUSH);
    out.insert(out.end(), block.begin(), block.end() - stream.avail_out);
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) {
    throw std::runtime_error("corrupt compressed vector");
  }
  return out;
}

Vector load(const std::filesystem::path& path) {
  Vector v;
  v.name = path.filename().string();
  const auto bytes = testing::read_file(path);
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const auto end = std::find(bytes.begin() + static_cast<std::ptrdiff_t>(pos), bytes.end(), '\n');
    const std::string line(bytes.begin() + static_cast<std::ptrdiff_t>(pos), end);
    pos = static_cast<std::size_t>(end - bytes.begin()) + 1;
    if (line.empty()) {
      break;  // a blank line separates the fields from the age file
    }
    const auto colon = line.find(": ");
    v.fields.emplace(line.substr(0, colon), line.substr(colon + 2));
  }
  v.file.assign(bytes.begin() + static_cast<std::ptrdiff_t>(std::min(pos, bytes.size())),
                bytes.end());
  if (const auto compressed = v.fields.find("compressed"); compressed != v.fields.end()) {
    if (compressed->second != "zlib") {
      throw std::runtime_error(v.name + ": unknown compression " + compressed->second);
    }
    v.file = inflate_all(v.file);
  }
  return v;
}

// Passphrase (scrypt), armored, and any vector with a non-X25519 identity (hybrid ML-KEM).
bool outside_our_suite(const Vector& v) {
  if (v.fields.count("passphrase") != 0 || v.fields.count("armored") != 0 ||
      v.fields.count("identity") == 0) {
    return true;
  }
  const auto [begin, end] = v.fields.equal_range("identity");
  return std::any_of(
      begin, end, [](const auto& field) { return field.second.rfind("AGE-SECRET-KEY-1", 0) != 0; });
}

// The outcome class the vectors use for each of our errors.
std::string outcome_of(const Result<SecretBytes>& r) {
  if (r) {
    return "success";
  }
  switch (static_cast<errc>(r.error().value())) {
    case errc::age_no_identity_matched:
      return "no match";
    case errc::age_header_mac_mismatch:
      return "HMAC failure";
    case errc::age_header_malformed:
    case errc::age_all_zero_shared_secret:
      return "header failure";
    case errc::age_payload_corrupt:
    case errc::age_payload_truncated:
    case errc::age_trailing_data:
      return "payload failure";
    default:
      return "unexpected error: " + r.error().message();
  }
}

TEST(AgeVectorsTest, EveryX25519VectorGivesItsExpectedOutcome) {
  const auto dir = vector_dir();
  ASSERT_FALSE(dir.empty()) << "DRAAISCHIJF_AGE_VECTORS is not set";
  ASSERT_TRUE(std::filesystem::is_directory(dir))
      << dir << " is missing: the vectors belong in tests/vectors/age of the repository";
  int ran = 0;
  int skipped = 0;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "SOURCE.md") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    const Vector v = load(path);
    if (outside_our_suite(v)) {
      ++skipped;
      continue;
    }
    ++ran;
    std::vector<age::X25519Identity> identities;
    for (auto [it, end] = v.fields.equal_range("identity"); it != end; ++it) {
      auto identity = age::X25519Identity::parse(it->second);
      ASSERT_TRUE(identity) << v.name << ": identity does not parse";
      identities.push_back(std::move(*identity));
    }
    const std::string expected = v.fields.find("expect")->second;
    const auto result = age::decrypt(v.file, identities);
    EXPECT_EQ(outcome_of(result), expected) << v.name;
    if (expected == "success" && result) {
      EXPECT_EQ(testing::sha256_hex(result->expose()), v.fields.find("payload")->second) << v.name;
      const auto header = age::parse_header(v.file).value();
      const auto file_key = age::unwrap_file_key(header, identities).value();
      EXPECT_EQ(hex_encode(file_key.expose()), v.fields.find("file key")->second) << v.name;
    }
    // The streaming reader must reach the same verdict as the in-memory one.
    std::istringstream in(std::string(v.file.begin(), v.file.end()));
    std::ostringstream out;
    const auto streamed = age::decrypt_stream(in, identities, out);
    EXPECT_EQ(streamed.has_value(), result.has_value()) << v.name << " (streaming)";
    if (!streamed && !result) {
      EXPECT_EQ(streamed.error(), result.error()) << v.name << " (streaming)";
    }
  }
  // The recipient of the suite's X25519 identity, as `age-keygen -y` prints it.
  const Vector x25519 = load(dir / "x25519");
  const auto identity = age::X25519Identity::parse(x25519.fields.find("identity")->second);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->recipient().to_string(),
            "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef");

  std::cout << "age vectors: ran " << ran << ", skipped " << skipped
            << " (scrypt, hybrid and armored vectors are outside the X25519 suite)\n";
  RecordProperty("vectors_ran", ran);
  RecordProperty("vectors_skipped", skipped);
  EXPECT_GE(ran, 60) << "fewer X25519 vectors than expected: the vector folder is incomplete";
}

}  // namespace
}  // namespace draaischijf::protocol
