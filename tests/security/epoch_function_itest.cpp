// The mailbox-epoch certificate v2 at the real hub: the recipient role the policy judges is the
// function the organisation signed into the current epoch certificate, never the mailbox's
// name; members must fit that function; and an epoch is stored and written to only inside its
// validity window (docs/PROTOCOL.md 5 and 11).

#include <ctime>

#include <gtest/gtest.h>

#include <draaischijf/protocol/epoch.hpp>

#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

using namespace protocol;
namespace json = boost::json;

std::uint64_t now_seconds() { return static_cast<std::uint64_t>(std::time(nullptr)); }

// A member of a new mailbox: its device id and the key its seed box is sealed to.
struct Member {
  Id device_id;
  X25519PublicKey encryption_key;
};

class EpochFunctionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto keys = hub.keys("clb");
    onthaal = {keys.device_id, keys.encryption.public_key()};
  }

  // The body of POST /v1/mailboxes for a CLB mailbox `name` serving `function`, valid from
  // `not_before` to `not_after`, signed with the CLB's organisation key.
  json::object mailbox_request(const std::string& name, MailboxFunction function,
                               const std::vector<Member>& members, std::uint64_t not_before,
                               std::uint64_t not_after) {
    const auto organisation = hub.organisation_key("clb");
    const auto seed = EpochSeed::random();
    MailboxEpochCertificate epoch;
    epoch.mailbox_id = random_id();
    epoch.org_id = organisation.org_id;
    epoch.function = function;
    epoch.mailbox_key = mailbox_identity(seed).public_key();
    std::vector<Id> ids;
    json::array boxes;
    for (const Member& m : members) {
      ids.push_back(m.device_id);
      const auto box = seal_seed_to_device(seed, epoch.mailbox_id, 0, m.encryption_key).value();
      boxes.push_back({{"device_id", hex(m.device_id)}, {"seed_box", base64_encode(box)}});
    }
    epoch.members_hash = members_hash(ids);
    epoch.not_before = not_before;
    epoch.not_after = not_after;
    epoch = issue(epoch, organisation.signing);
    return {{"name", name},
            {"certificate", base64_encode(encode(epoch))},
            {"members", std::move(boxes)}};
  }
  // Posted by the CLB's admin device, signed with the organisation key as its client signs it.
  HttpResponse create(const json::object& request) {
    const auto certificate =
        parse_epoch_certificate(
            base64_decode(std::string(request.at("certificate").as_string())).value())
            .value();
    return hub.admin_call("clb", AdminAction::create_mailbox, certificate.mailbox_id,
                          "/v1/mailboxes", json::serialize(request));
  }
  // Creates the mailbox (valid now for a day) and returns its current epoch certificate.
  MailboxEpochCertificate created(const std::string& name, MailboxFunction function,
                                  const std::vector<Member>& members) {
    const auto request =
        mailbox_request(name, function, members, now_seconds() - 60, now_seconds() + 24 * 3600);
    const auto answer = create(request);
    EXPECT_EQ(answer.status, 201) << answer.body;
    return parse_epoch_certificate(
               base64_decode(std::string(request.at("certificate").as_string())).value())
        .value();
  }
  static Member member(const ExtraDevice& device) {
    return {device.device_id, device.encryption.public_key()};
  }

  // Psychosocial detail from the CLB psychologist to `to`, about a pupil, for guidance: R02's
  // need-to-know rule decides inside the CLB.
  HttpResponse send_psychosocial(const MailboxEpochCertificate& to) {
    Draft draft;
    draft.kind = MessageKind::consultatie;
    draft.purpose = Purpose::begeleiding;
    draft.pupil = test_pupil_binding();
    draft.fragments.push_back({DataCategory::psychisch_sociaal, GuidanceDomain::none, "text/plain",
                               SecretBytes::copy_of(view_of("Gesprek gehad."))});
    const auto now_ms = now_seconds() * 1000;
    const auto envelope = seal(draft, {psycholoog.certificate, psycholoog.signing, ++sequence},
                               std::vector<MailboxEpochCertificate>{to}, now_ms)
                              .value();
    return call_as(hub, psycholoog, post("/v1/envelopes", text_of(envelope)));
  }

  TempDir dir;
  DevHub hub{dir.path()};
  Member onthaal{};
  ExtraDevice psycholoog = enrol_device(hub, dir.path(), "clb", "clb_psycholoog");
  std::uint64_t sequence = 0;
};

TEST_F(EpochFunctionTest, TheHubTakesTheRecipientRoleFromTheCertificateNotTheName) {
  // An admin names a mailbox after the psychologist and puts the onthaal device in it. Named
  // after the role, it used to pass R02; certified as onthaal's, it does not.
  const auto misnamed = created("clb_psycholoog", StaffRole::clb_onthaal, {onthaal});
  const auto refused = send_psychosocial(misnamed);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "policy-refused");
  EXPECT_NE(refused.body.find("R02"), std::string::npos) << refused.body;

  // Control: a mailbox whatever its name, certified for a psychologist, is the team's.
  const auto colleague = enrol_device(hub, dir.path(), "clb", "clb_psycholoog");
  const auto team = created("Team", StaffRole::clb_psycholoog, {member(colleague)});
  const auto allowed = send_psychosocial(team);
  EXPECT_EQ(allowed.status, 201) << allowed.body;
}

TEST_F(EpochFunctionTest, TheHubRefusesMembersWhoseRoleDoesNotFitTheFunction) {
  const auto refused =
      create(mailbox_request("Team", StaffRole::clb_psycholoog, {member(psycholoog), onthaal},
                             now_seconds() - 60, now_seconds() + 3600));
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(problem_slug(refused), "member-role-mismatch");
  // The same members in a general mailbox are fine: any role of the organisation fits it.
  const auto general = create(mailbox_request("Team", std::nullopt, {member(psycholoog), onthaal},
                                              now_seconds() - 60, now_seconds() + 3600));
  EXPECT_EQ(general.status, 201) << general.body;
}

TEST_F(EpochFunctionTest, TheHubStoresNoEpochOutsideItsWindow) {
  const auto expired = create(mailbox_request("Onthaal 2", StaffRole::clb_onthaal, {onthaal},
                                              now_seconds() - 7200, now_seconds() - 3600));
  EXPECT_EQ(expired.status, 409) << expired.body;
  EXPECT_EQ(problem_slug(expired), "epoch-expired");
  const auto early = create(mailbox_request("Onthaal 2", StaffRole::clb_onthaal, {onthaal},
                                            now_seconds() + 3600, now_seconds() + 7200));
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_EQ(problem_slug(early), "epoch-expired");
}

// The hub cannot renew an epoch (the organisation key signs it), so it tells the operator which
// are about to end: a mailbox certified for one more day counts as ending soon.
TEST_F(EpochFunctionTest, TheOperatorSeesMailboxesWhoseEpochEndsSoon) {
  hub.restart(metrics_devices_line({hub.device_folder("clb")}));
  const auto ending_soon = [&] {
    const auto metrics = hub.client("clb")->exchange(get("/metrics"));
    EXPECT_TRUE(metrics && metrics->status == 200);
    const std::string name = "\ndraaischijf_mailbox_epochs_ending_soon ";  // the sample line
    const auto at = metrics->body.find(name);
    EXPECT_NE(at, std::string::npos) << metrics->body;
    return at == std::string::npos ? -1 : std::stoi(metrics->body.substr(at + name.size()));
  };
  const int before = ending_soon();
  const auto epoch = created("Onthaal kort", StaffRole::clb_onthaal, {onthaal});
  EXPECT_EQ(ending_soon(), before + 1);
  const auto listed = hub.json("clb", get("/v1/mailboxes/" + hex(epoch.mailbox_id)));
  EXPECT_TRUE(listed.at("accepting").as_bool());
  EXPECT_FALSE(listed.contains("held"));
}

// Mailbox names of 1 to 200 bytes (server/README.md, "Fixed"): 1 and 200 bytes are taken; an
// empty name (400 malformed-request) and 201 bytes (422 invalid-field) are refused, naming the
// name, and nothing is created.
TEST_F(EpochFunctionTest, AMailboxNameOfOneTo200BytesIsTakenAndNoOther) {
  const auto named = [&](const std::string& name) {
    return create(
        mailbox_request(name, std::nullopt, {onthaal}, now_seconds() - 60, now_seconds() + 3600));
  };
  const auto mailboxes = [&] {
    return hub.json("clb", get("/v1/organisations/" + hex(hub.org_id("clb")) + "/mailboxes"))
        .at("mailboxes")
        .as_array()
        .size();
  };
  const auto before = mailboxes();
  EXPECT_EQ(named("A").status, 201);
  EXPECT_EQ(named(std::string(200, 'm')).status, 201);
  const auto empty = named("");
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_EQ(problem_slug(empty), "malformed-request");
  EXPECT_NE(empty.body.find("name"), std::string::npos) << empty.body;
  const auto too_long = named(std::string(201, 'm'));
  EXPECT_EQ(too_long.status, 422) << too_long.body;
  EXPECT_EQ(problem_slug(too_long), "invalid-field");
  EXPECT_NE(too_long.body.find("longer than 200 bytes"), std::string::npos) << too_long.body;
  EXPECT_EQ(mailboxes(), before + 2);
}

}  // namespace
}  // namespace draaischijf::testing
