#pragma once

// The second-approval queue's world: the CLB with a social worker and a CLB-arts, each enrolled
// as an organisation does it and each with a mailbox of their own role (made by the CLB's
// admin), the real hub with the deployment's CAW intake, and a consent of the parents for a
// medical referral of the scenario pupil. The CLI tests drive the people through `draaischijf`;
// the library tests open the same profiles with the client library.

#include <draaischijf/client/approvals.hpp>
#include <draaischijf/client/client.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "cli_fixture.hpp"

namespace draaischijf::testing {

/// The people above on top of `Base` (CliScenario, or the browser tests' UiBrowser).
template <class Base>
class WithApprovers : public Base {
 protected:
  using Base::clb_admin;
  using Base::dir;
  using Base::enrolled;
  using Base::intake;
  using Base::kPupil;
  using Base::register_consent;

  void SetUp() override {
    Base::SetUp();
    if (::testing::Test::HasFatalFailure()) {
      return;
    }
    worker = enrolled("clb-mw", "clb", "clb_maatschappelijk_werker", clb_admin);
    arts = enrolled("clb-arts", "clb", "clb_arts", clb_admin);
    arts_mailbox = own_mailbox(arts, "CLB-arts", "clb_arts");
    worker_mailbox = own_mailbox(worker, "Maatschappelijk werk", "clb_maatschappelijk_werker");
    consent = register_consent("ouders", 10, "preventieve_gezondheidszorg", "doorverwijzing");
  }

  // A mailbox serving `role` with `device` as its member, made by the CLB's admin.
  std::string own_mailbox(const Cli& device, const std::string& name, const std::string& role) {
    const auto whoami = device.json_of({"whoami"});
    const auto made = clb_admin.json_of({"admin", "create-mailbox", name, "--function", role,
                                         "--member", text_of(whoami, "device_id")});
    return text_of(made, "mailbox_id");
  }

  // The library over a profile the CLI made.
  client::Client open(const Cli& device) const {
    auto unlock = client::Unlock::with_key_file(dir.path() / (device.name() + ".key"));
    EXPECT_TRUE(unlock) << unlock.error().message();
    auto profile = client::Profile::open(device.profile());
    EXPECT_TRUE(profile) << profile.error().message();
    auto opened = client::Client::open(*profile, *unlock);
    EXPECT_TRUE(opened) << opened.error().message();
    return std::move(*opened);
  }

  static protocol::Id id_of(const std::string& hex) {
    protocol::Id id{};
    const auto bytes = protocol::hex_decode(hex).value();
    std::copy(bytes.begin(), bytes.end(), id.begin());
    return id;
  }

  // The referral R09 holds back: a medical fragment from the social worker to the CAW intake.
  client::Composition medical_referral(std::string_view text) const {
    client::Composition c;
    c.kind = protocol::MessageKind::doorverwijzing;
    c.purpose = protocol::Purpose::doorverwijzing;
    c.recipients = {id_of(intake)};
    c.consent_reference = id_of(consent);
    c.pupil = std::string(kPupil);
    protocol::Fragment fragment;
    fragment.category = protocol::DataCategory::preventieve_gezondheidszorg;
    fragment.media_type = "text/plain";
    fragment.body = protocol::SecretBytes::copy_of(
        {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    c.fragments.push_back(std::move(fragment));
    return c;
  }

  static constexpr std::string_view kText = "Groeicurve buigt af sinds het derde leerjaar.";

  Cli worker{Base::dir.path(), "clb-mw"};
  Cli arts{Base::dir.path(), "clb-arts"};
  std::string arts_mailbox;
  std::string worker_mailbox;
  std::string consent;
};

using ApprovalQueueScenario = WithApprovers<CliScenario>;

}  // namespace draaischijf::testing
