#pragma once

// The parties of a protocol test: an organisation with its signing key, a staff device it
// certified and a mailbox epoch it signed, all valid around one fixed time.

#include <cstdint>

#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/pupil.hpp>

namespace draaischijf::testing {

/// The tests' "now": 2027-01-15, in the units envelopes (ms) and certificates (s) use.
inline constexpr std::uint64_t kPartiesNowMs = 1'800'000'000'000;
inline constexpr std::uint64_t kPartiesNow = kPartiesNowMs / 1000;

struct TestOrg {
  protocol::Id id = protocol::random_id();
  protocol::SigningKey key = protocol::SigningKey::generate();
};

struct TestDevice {
  protocol::SigningKey signing_key = protocol::SigningKey::generate();
  protocol::DeviceCertificate certificate;
};

/// A pupil as a test sender's envelope names them, with a salt of the tests' own.
inline protocol::PupilBinding test_binding(std::string reference = "dossier-1") {
  return {std::move(reference), protocol::hash256("draaischijf-test/pupil-salt", {})};
}

struct TestMailbox {
  protocol::EpochSeed seed = protocol::EpochSeed::random();
  protocol::MailboxEpochCertificate certificate;
};

/// A CLB device of `org` in `role`, valid for an hour either side of kPartiesNow, certified by
/// `issuer` (the organisation's key, or another to play a forger).
inline TestDevice make_test_device(const TestOrg& org, const protocol::SigningKey& issuer,
                                   protocol::StaffRole role) {
  TestDevice d;
  protocol::DeviceCertificate c;
  c.org_id = org.id;
  c.org_type = protocol::OrgType::clb;
  c.device_id = protocol::random_id();
  c.staff_id = protocol::random_id();
  c.role = role;
  c.signing_key = d.signing_key.public_key();
  c.encryption_key = protocol::age::X25519Identity::generate().public_key();
  c.not_before = kPartiesNow - 3600;
  c.not_after = kPartiesNow + 3600;
  d.certificate = protocol::issue(c, issuer);
  return d;
}

inline TestMailbox make_test_mailbox(const TestOrg& org, std::uint32_t epoch = 0) {
  TestMailbox m;
  protocol::MailboxEpochCertificate c;
  c.mailbox_id = protocol::random_id();
  c.org_id = org.id;
  c.epoch = epoch;
  c.mailbox_key = protocol::mailbox_identity(m.seed).public_key();
  if (epoch > 0) {
    c.previous_certificate[0] = 1;
  }
  protocol::set_default_window(c, kPartiesNow);
  m.certificate = protocol::issue(c, org.key);
  return m;
}

}  // namespace draaischijf::testing
