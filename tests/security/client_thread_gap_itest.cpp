// A hub can withhold a message of a thread and deliver the answer to it. Every envelope names
// the one before it in its thread (previous hash, signed); the client keeps the hashes of what it
// sent and received and flags an answer to an envelope it never saw (`thread_gap`), and the CLI
// says what that means.

#include <gtest/gtest.h>

#include <draaischijf/client/key_store.hpp>

#include "process.hpp"
#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

bool has_flag(const client::InboxEntry& entry, std::string_view flag) {
  return std::find(entry.flags.begin(), entry.flags.end(), flag) != entry.flags.end();
}

TEST_F(TamperingTest, AnAnswerToAMessageThisDeviceNeverSawShowsAThreadGap) {
  // The school's device seals its envelopes itself, so that one can answer an envelope that
  // never reaches the hub: the message a lying hub holds back.
  auto school = open_school();
  const auto secrets = client::open_key_store(
                           client::Profile::open(dir.path() / "school").value().key_store(), unlock)
                           .value();
  const auto certificate = school.device_certificate(secrets.device_id).value();
  const std::vector<protocol::MailboxEpochCertificate> to = {
      school.mailbox_certificate(onthaal).value()};
  std::uint64_t sequence = 1000;
  const auto seal = [&](std::string_view text, const protocol::Hash256& previous) {
    protocol::Draft draft;
    draft.kind = protocol::MessageKind::signaal;
    draft.pupil = test_pupil_binding();
    draft.previous_hash = previous;
    draft.fragments.push_back({protocol::DataCategory::leren_en_studeren,
                               protocol::GuidanceDomain::none, "text/plain",
                               protocol::SecretBytes::copy_of(view_of(text))});
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return protocol::seal(draft, {certificate, secrets.signing, ++sequence}, to,
                          static_cast<std::uint64_t>(now.count()))
        .value();
  };
  const auto pki = dir.path() / "data" / "dev-pki";
  const auto deliver = [&](const std::vector<std::uint8_t>& envelope) {
    TlsClient school_tls(hub.port(), pki / "root.pem", pki / "school" / "device.pem",
                         pki / "school" / "device.key");
    const auto answer =
        school_tls.exchange(post("/v1/envelopes", std::string(envelope.begin(), envelope.end())));
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 201) << answer->body;
  };
  const auto first = seal("Leest traag.", {});
  const auto withheld = seal("Thuis is er iets.", {});
  deliver(first);
  deliver(seal("Vervolg.", protocol::envelope_hash(first)));
  deliver(seal("Na het achtergehoudene.", protocol::envelope_hash(withheld)));

  const auto report = device->sync();
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->arrived.size(), 3U);
  EXPECT_FALSE(has_flag(report->arrived[0], "thread_gap")) << "a new thread";
  EXPECT_FALSE(has_flag(report->arrived[1], "thread_gap")) << "answers a message this device has";
  EXPECT_TRUE(has_flag(report->arrived[2], "thread_gap")) << "answers one it never received";

  const auto read =
      run_program(dir.path(), {DRAAISCHIJF_CLI_BINARY, "--profile", (dir.path() / "clb").string(),
                               "--key-file", (dir.path() / "clb.key").string(), "read",
                               std::to_string(report->arrived[2].sequence)});
  EXPECT_EQ(read.exit, 0) << read.err;
  EXPECT_NE((read.out + read.err).find("thread_gap: this answers a message this device never"),
            std::string::npos)
      << read.out << read.err;
}

}  // namespace
}  // namespace draaischijf::testing
