// Gossip inside envelopes against a hub that splits its view (docs/TRANSPARENCY.md): the real
// hub process behind the lying stand-in (tampering_hub.hpp) shows the CLB's device a directory
// log with an entry of its own, signed with the hub's key and with every proof that view needs;
// the school and the CAW talk to the real hub. The split is caught at the first envelope between
// two parties that were shown different views, whichever of them receives it; an older
// consistent checkpoint, a newer consistent one and one with a forged signature are not forks.

#include <algorithm>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/transparency.hpp>
#include <draaischijf/protocol/note.hpp>

#include "held_checkpoint.hpp"
#include "tampering_hub.hpp"

namespace draaischijf::testing {
namespace {

using client::Transparency;

bool has_flag(const client::InboxEntry& entry, std::string_view flag) {
  return std::find(entry.flags.begin(), entry.flags.end(), flag) != entry.flags.end();
}

class GossipTest : public TamperingTest {
 protected:
  // A consultation about learning from the school to the CLB's onthaal (R34: no consent).
  client::SendResult school_writes(Client& school, std::string_view text) const {
    auto sent = school.send(school_note(text));
    EXPECT_TRUE(sent) << sent.error().message();
    return sent ? *sent : client::SendResult{};
  }

  // The CLB's device syncs and gets exactly one new message, which opened.
  client::InboxEntry clb_receives_one() {
    const auto synced = device->sync();
    EXPECT_TRUE(synced) << synced.error().message();
    if (!synced || synced->arrived.size() != 1) {
      ADD_FAILURE() << "expected one new message";
      return {};
    }
    EXPECT_EQ(synced->arrived[0].problem, "");
    return synced->arrived[0];
  }

  // From now on the hub shows the CLB's device the real directory log with one entry of its
  // own after it (a device certificate nobody approved, say), and the CLB's device takes it:
  // it extends the checkpoint the device held, with a proof that verifies.
  void split_the_view() {
    client::ProfileSettings settings;
    settings.hub = {"localhost", hub.port()};
    auto real = client::HubConnection::open(settings.hub, profile->tls());
    ASSERT_TRUE(real) << real.error().message();
    view = std::make_shared<SplitView>(*real, clb_held().size, hub_signing_key());
    view->append({0x04, 0x44, 0x52, 0x53, 0x4A});
    *tamper = [shown = view, this](std::string_view target, HubReply& reply) {
      requested.emplace_back(target);
      (void)shown->answer(target, reply);
    };
    const auto taken = Transparency(device->session()).refresh("directory");
    ASSERT_TRUE(taken) << taken.error().message();
    ASSERT_EQ(clb_held().size, view->size());
  }

  [[nodiscard]] HeldCheckpoint clb_held() const {
    return held_checkpoint(profile->state_file()).value_or(HeldCheckpoint{});
  }
  [[nodiscard]] HeldCheckpoint held_by(const std::string& organisation) const {
    return held_checkpoint(dir.path() / organisation / "state.sqlite").value_or(HeldCheckpoint{});
  }

  std::vector<client::LogFork> clb_forks() {
    auto forks = Transparency(device->session()).forks();
    EXPECT_TRUE(forks) << forks.error().message();
    return forks ? *forks : std::vector<client::LogFork>{};
  }

  // Whether the device asked the hub for the consistency proof between the two sizes.
  [[nodiscard]] bool asked_for_proof(std::uint64_t from, std::uint64_t to) const {
    return std::find(requested.begin(), requested.end(),
                     "/v1/log/directory/proof/consistency?from=" + std::to_string(from) +
                         "&to=" + std::to_string(to)) != requested.end();
  }

  std::shared_ptr<SplitView> view;
  std::vector<std::string> requested;
};

TEST_F(GossipTest, AForkAtTheSameSizeIsCaughtAtTheFirstEnvelopeAndTheMessageStillOpens) {
  split_the_view();
  const HeldCheckpoint forked = clb_held();
  // The real log gets another entry where the CLB was shown its own: same size, other root.
  grow_the_log("caw", intake);
  auto school = open_school();
  const auto sent = school_writes(school, "Leest traag, vraagt hulp.");
  ASSERT_EQ(held_by("school").size, forked.size) << "the school was not shown the same size";

  const auto arrived = clb_receives_one();
  EXPECT_TRUE(has_flag(arrived, "log_fork")) << "the split view went unnoticed";
  // The content is the school's (its signature verified): it opens, flagged.
  const auto read = device->inbox().read(arrived.mailbox_id, arrived.sequence);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_TRUE(has_flag(read->entry, "log_fork"));
  // The two signed notes are kept as evidence, and the device's checkpoint did not move.
  const auto forks = clb_forks();
  ASSERT_EQ(forks.size(), 1U);
  EXPECT_EQ(forks[0].own_note, forked.note);
  EXPECT_EQ(forks[0].other_note, held_by("school").note);
  EXPECT_EQ(forks[0].message_id, sent.message_id);
  EXPECT_TRUE(forks[0].origin.ends_with("/directory"));
  EXPECT_EQ(clb_held().note, forked.note);
}

TEST_F(GossipTest, TheHonestRecipientCatchesTheSplitInTheVictimsEnvelope) {
  split_the_view();
  // The CLB, shown a log one entry longer than the real one, writes to the CAW, whose device
  // the real hub serves: the CAW cannot get a proof that its log extends to the CLB's.
  const auto sent =
      device->send(letter_to_intake(protocol::MessageKind::doorverwijzing,
                                    protocol::DataCategory::psychisch_sociaal, "vertrouwelijk"));
  ASSERT_TRUE(sent) << sent.error().message();
  auto caw_device = open_direct("caw");
  const auto synced = caw_device.sync();
  ASSERT_TRUE(synced) << synced.error().message();
  const auto letter = std::find_if(synced->arrived.begin(), synced->arrived.end(),
                                   [&](const auto& e) { return e.message_id == sent->message_id; });
  ASSERT_NE(letter, synced->arrived.end());
  EXPECT_EQ(letter->problem, "");
  EXPECT_TRUE(has_flag(*letter, "log_fork")) << "a hub that could not prove the CLB's view "
                                                "went unnoticed";
  const auto forks = Transparency(caw_device.session()).forks().value();
  ASSERT_EQ(forks.size(), 1U);
  EXPECT_EQ(forks[0].other_note, clb_held().note);
  EXPECT_LT(held_by("caw").size, view->size()) << "the CAW took the unproved checkpoint";
}

TEST_F(GossipTest, ALargerTreeThatDoesNotExtendTheHeldOneIsAFork) {
  split_the_view();
  const HeldCheckpoint forked = clb_held();
  grow_the_log("caw", intake);
  grow_the_log("caw", intake);
  auto school = open_school();
  school_writes(school, "Twee keer gegroeid.");
  ASSERT_EQ(held_by("school").size, forked.size + 1);
  // The hub's only proof between the two sizes is its real one, which does not lead from the
  // root it showed the CLB.
  const auto arrived = clb_receives_one();
  EXPECT_TRUE(has_flag(arrived, "log_fork"));
  EXPECT_TRUE(asked_for_proof(forked.size, forked.size + 1))
      << "the recipient did not ask for the proof";
  EXPECT_EQ(clb_forks().size(), 1U);
  EXPECT_EQ(clb_held().note, forked.note) << "the device took the other view";
}

TEST_F(GossipTest, AnOlderConsistentCheckpointIsNoErrorAndDoesNotMoveTheDeviceBack) {
  auto school = open_school();
  school_writes(school, "Eerste bericht.");  // the school now holds the log as it is
  const auto school_size = held_by("school").size;
  ASSERT_TRUE(device->sync());
  grow_the_log("caw", intake);
  ASSERT_TRUE(Transparency(device->session()).refresh("directory"));
  const HeldCheckpoint newer = clb_held();
  ASSERT_EQ(newer.size, school_size + 1);
  *tamper = [this](std::string_view target, HubReply&) { requested.emplace_back(target); };

  school_writes(school, "Tweede bericht, met het oudere checkpoint.");
  ASSERT_EQ(held_by("school").size, school_size) << "the school moved on after all";
  const auto arrived = clb_receives_one();
  EXPECT_FALSE(has_flag(arrived, "log_fork"));
  EXPECT_TRUE(asked_for_proof(school_size, newer.size))
      << "the older checkpoint was not proved a prefix";
  EXPECT_EQ(clb_held().note, newer.note) << "the gossip rolled the device back";
  EXPECT_TRUE(clb_forks().empty());
}

TEST_F(GossipTest, ANewerConsistentCheckpointBecomesTheDevicesOwn) {
  const HeldCheckpoint before = clb_held();
  grow_the_log("caw", intake);
  auto school = open_school();
  school_writes(school, "Nieuwer dan de CLB.");
  ASSERT_EQ(held_by("school").size, before.size + 1);
  const auto arrived = clb_receives_one();
  EXPECT_FALSE(has_flag(arrived, "log_fork"));
  EXPECT_EQ(clb_held().note, held_by("school").note) << "the proved newer checkpoint was not kept";
  EXPECT_TRUE(clb_forks().empty());
}

TEST_F(GossipTest, ACheckpointWithAForgedSignatureIsIgnoredNotTaken) {
  auto school = open_school();
  school_writes(school, "Eerste bericht.");
  ASSERT_TRUE(device->sync());
  const HeldCheckpoint before = clb_held();
  // The school's device gossips a much larger checkpoint it signed itself under the hub's
  // origin: no hub signature, so no evidence against the hub and nothing to take.
  const auto origin =
      protocol::note::parse_checkpoint_text(protocol::note::parse(before.note).value().text)
          .value()
          .origin;
  protocol::merkle::Hash root{};
  root.fill(0x5A);
  const auto forged = protocol::note::sign_checkpoint(protocol::SigningKey::generate(),
                                                      {origin, before.size + 40, root, {}});
  replace_held_checkpoint(dir.path() / "school" / "state.sqlite", forged, before.size + 40);
  school_writes(school, "Tweede bericht, met een vals checkpoint.");

  const auto arrived = clb_receives_one();
  EXPECT_TRUE(has_flag(arrived, "gossip_unverified"));
  EXPECT_FALSE(has_flag(arrived, "log_fork")) << "the sender's junk was taken as the hub's";
  EXPECT_EQ(clb_held().note, before.note) << "the forged checkpoint was taken";
  EXPECT_TRUE(clb_forks().empty());
}

}  // namespace
}  // namespace draaischijf::testing
