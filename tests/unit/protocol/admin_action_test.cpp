// The signed admin statement (docs/PROTOCOL.md 7.13): a fixed 94-byte encoding, and a signature
// that no longer verifies when any field, or the key, is another.

#include <gtest/gtest.h>

#include <draaischijf/protocol/admin_action.hpp>

#include "test_support.hpp"

namespace draaischijf::protocol {
namespace {

AdminStatement removal() {
  AdminStatement s;
  s.org_id = random_id();
  s.action = AdminAction::remove_device;
  s.target = random_id();
  s.body_hash = admin_body_hash({});
  s.at_ms = 1'796'000'000'000;
  s.nonce = random_id();
  return s;
}

TEST(AdminActionTest, EveryFieldIsSigned) {
  const auto key = SigningKey::generate();
  const AdminStatement statement = removal();
  EXPECT_EQ(encode(statement).size(), 94U);
  const auto signature = sign_admin_action(statement, key);
  EXPECT_TRUE(verify_admin_action(statement, signature, key.public_key()));
  EXPECT_FALSE(verify_admin_action(statement, signature, SigningKey::generate().public_key()));
  std::vector<AdminStatement> changed(6, statement);
  changed[0].org_id = random_id();
  changed[1].action = AdminAction::rotate_mailbox;
  changed[2].target = random_id();
  changed[3].body_hash = admin_body_hash(testing::view_of("{}"));
  changed[4].at_ms += 1;
  changed[5].nonce = random_id();
  for (const auto& other : changed) {
    EXPECT_FALSE(verify_admin_action(other, signature, key.public_key()));
  }
}

}  // namespace
}  // namespace draaischijf::protocol
