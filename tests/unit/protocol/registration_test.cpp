// The organisation registration request (docs/PROTOCOL.md 7.16): one encoding, a signature by
// the key it names that covers every field, and a text form that reads back the same request.

#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/registration.hpp>

namespace draaischijf::protocol {
namespace {

OrganisationRegistration signed_request(const SigningKey& key) {
  OrganisationRegistration request;
  request.org_id = random_id();
  request.org_type = OrgType::caw;
  request.name = "CAW Limburg";
  request.created_at = 1'800'000'000;
  return sign_registration(std::move(request), key);
}

TEST(RegistrationTest, RoundTripsAndVerifiesUnderTheKeyItNames) {
  const auto key = SigningKey::generate();
  const auto request = signed_request(key);
  const auto bytes = encode(request);
  EXPECT_EQ(bytes.size(), 63U + request.name.size() + 64U);
  const auto parsed = parse_registration(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(encode(*parsed), bytes);
  EXPECT_EQ(parsed->signing_key, key.public_key());
  EXPECT_TRUE(verify_registration(*parsed));
  const auto text = registration_text(request);
  EXPECT_EQ(encode(parse_registration_text(text).value()), bytes);
}

TEST(RegistrationTest, EveryFieldIsUnderTheSignature) {
  const auto key = SigningKey::generate();
  const auto request = signed_request(key);
  auto other_name = request;
  other_name.name = "CAW Limburg en Kempen";
  auto other_type = request;
  other_type.org_type = OrgType::cgg;
  auto other_id = request;
  other_id.org_id = random_id();
  auto other_time = request;
  other_time.created_at += 1;
  auto other_key = request;  // a key swapped in, the signature left: no proof of possession
  other_key.signing_key = SigningKey::generate().public_key();
  for (const auto& changed : {other_name, other_type, other_id, other_time, other_key}) {
    EXPECT_EQ(verify_registration(changed).error(), errc::signature_invalid);
  }
}

TEST(RegistrationTest, RefusesWhatIsNotOneCanonicalRequest) {
  const auto request = signed_request(SigningKey::generate());
  auto bytes = encode(request);
  auto cut = bytes;
  cut.pop_back();
  EXPECT_EQ(parse_registration(cut).error(), errc::truncated);
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(parse_registration(longer).error(), errc::trailing_data);
  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_EQ(parse_registration(magic).error(), errc::bad_magic);
  auto type = bytes;
  type[21] = 0xff;
  EXPECT_EQ(parse_registration(type).error(), errc::field_out_of_range);
  auto newline = bytes;
  newline[23] = '\n';  // inside the name
  EXPECT_EQ(parse_registration(newline).error(), errc::non_canonical);
  // Two requests in one text file: which one the operator saw would be ambiguous.
  const auto text = registration_text(request);
  EXPECT_EQ(parse_registration_text(text + base64_encode(bytes) + "\n").error(),
            errc::trailing_data);
}

}  // namespace
}  // namespace draaischijf::protocol
