// The RFC 6962 inclusion and consistency proof vectors of transparency-dev/merkle
// (tests/vectors/merkle/SOURCE.md): every case is run, and the verifier accepts exactly the
// cases marked valid. Each case is a flat JSON object; the small reader below knows exactly the
// shapes those files use (numbers, strings, booleans, null and arrays of strings).

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/merkle.hpp>

namespace draaischijf::protocol::merkle {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Value {
  std::string scalar;              // a number, string, true, false or null as written
  std::vector<std::string> items;  // an array of strings
};

class FlatJson {
 public:
  explicit FlatJson(std::string text) : text_(std::move(text)) {
    expect('{');
    while (peek() != '}') {
      std::string key = string();
      expect(':');
      fields_[key] = value();
      if (peek() == ',') {
        ++at_;
      }
    }
  }
  [[nodiscard]] const Value& operator[](const std::string& key) const { return fields_.at(key); }

 private:
  char peek() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_])) != 0) {
      ++at_;
    }
    if (at_ >= text_.size()) {
      throw std::runtime_error("truncated JSON");
    }
    return text_[at_];
  }
  void expect(char c) {
    if (peek() != c) {
      throw std::runtime_error(std::string("expected ") + c);
    }
    ++at_;
  }
  std::string string() {
    expect('"');
    const std::size_t end = text_.find('"', at_);
    std::string out = text_.substr(at_, end - at_);
    at_ = end + 1;
    return out;
  }
  Value value() {
    Value v;
    if (peek() == '"') {
      v.scalar = string();
    } else if (peek() == '[') {
      ++at_;
      while (peek() != ']') {
        v.items.push_back(string());
        if (peek() == ',') {
          ++at_;
        }
      }
      ++at_;
    } else {
      const std::size_t end = text_.find_first_of(",}\n", at_);
      v.scalar = text_.substr(at_, end - at_);
      at_ = end;
    }
    return v;
  }
  std::string text_;
  std::size_t at_ = 0;
  std::map<std::string, Value> fields_;
};

// The vectors use padded standard base64; the project's decoder is the strict unpadded one.
Bytes b64(std::string text) {
  while (!text.empty() && text.back() == '=') {
    text.pop_back();
  }
  return base64_decode(text).value();
}

// A proof element that is not 32 bytes is refused where the proof is read, before any hashing.
bool read_proof(const Value& v, std::vector<Hash>& out) {
  for (const std::string& item : v.items) {
    const Bytes bytes = b64(item);
    if (bytes.size() != Hash{}.size()) {
      return false;
    }
    Hash& h = out.emplace_back();
    std::copy(bytes.begin(), bytes.end(), h.begin());
  }
  return true;
}

std::filesystem::path vector_dir() {
  const char* dir = std::getenv("DRAAISCHIJF_MERKLE_VECTORS");
  return dir == nullptr ? std::filesystem::path() : std::filesystem::path(dir);
}

std::vector<std::filesystem::path> cases(const std::string& kind) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(vector_dir() / kind)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

FlatJson load(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return FlatJson(text.str());
}

struct Tally {
  std::size_t run = 0;
  std::size_t valid = 0;
};

Tally run_inclusion() {
  Tally tally;
  for (const auto& path : cases("inclusion")) {
    SCOPED_TRACE(path.string());
    const FlatJson c = load(path);
    const bool want_valid = c["wantErr"].scalar == "false";
    std::vector<Hash> proof;
    const bool accepted =
        read_proof(c["proof"], proof) &&
        verify_inclusion(b64(c["leafHash"].scalar), std::stoull(c["leafIdx"].scalar),
                         std::stoull(c["treeSize"].scalar), proof, b64(c["root"].scalar))
            .has_value();
    EXPECT_EQ(accepted, want_valid) << c["desc"].scalar;
    ++tally.run;
    tally.valid += want_valid ? 1 : 0;
  }
  return tally;
}

Tally run_consistency() {
  Tally tally;
  for (const auto& path : cases("consistency")) {
    SCOPED_TRACE(path.string());
    const FlatJson c = load(path);
    const bool want_valid = c["wantErr"].scalar == "false";
    std::vector<Hash> proof;
    const bool accepted =
        read_proof(c["proof"], proof) &&
        verify_consistency(std::stoull(c["size1"].scalar), std::stoull(c["size2"].scalar), proof,
                           b64(c["root1"].scalar), b64(c["root2"].scalar))
            .has_value();
    EXPECT_EQ(accepted, want_valid) << c["desc"].scalar;
    ++tally.run;
    tally.valid += want_valid ? 1 : 0;
  }
  return tally;
}

TEST(MerkleVectors, TheInclusionVerifierAcceptsExactlyTheValidCases) {
  ASSERT_FALSE(vector_dir().empty()) << "DRAAISCHIJF_MERKLE_VECTORS is not set";
  const Tally tally = run_inclusion();
  // 5 trees of many cases, the single-entry and additional cases: none may be skipped.
  EXPECT_EQ(tally.run, 98U);
  EXPECT_EQ(tally.valid, 6U);
}

TEST(MerkleVectors, TheConsistencyVerifierAcceptsExactlyTheValidCases) {
  ASSERT_FALSE(vector_dir().empty()) << "DRAAISCHIJF_MERKLE_VECTORS is not set";
  const Tally tally = run_consistency();
  EXPECT_EQ(tally.run, 98U);
  EXPECT_EQ(tally.valid, 6U);
}

}  // namespace
}  // namespace draaischijf::protocol::merkle
