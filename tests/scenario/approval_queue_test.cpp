// The second-approval queue through the client library, against the real hub (docs/PROTOCOL.md
// 7.19, docs/POLICY.md R38-R40): the social worker's medical referral is refused for want of the
// CLB-arts's approval; the request carries the draft to the arts's mailbox; the arts's device
// lists exactly that content, approves it (the approval is signed over what it opened) and
// answers; the social worker sends with the approval and the CAW reads it. A changed draft is
// refused, a request to a mailbox that cannot approve is refused by the policy before its file
// is uploaded, a decline
// reaches the requester with its reason, and the request and its answer are no disclosure.

#include <draaischijf/client/consent_registry.hpp>

#include "approval_fixture.hpp"

namespace draaischijf::testing {
namespace {

using client::client_errc;

std::string text_of_fragment(const protocol::Fragment& fragment) {
  return {fragment.body.expose().begin(), fragment.body.expose().end()};
}

class ApprovalQueueTest : public ApprovalQueueScenario {
 protected:
  // The social worker's refused send and the request that follows it.
  client::ApprovalRequested refused_then_requested(client::Client& mw, std::string_view text) {
    auto first = mw.outbox().send(medical_referral(text));
    EXPECT_FALSE(first);
    EXPECT_EQ(first.error(), make_error_code(client_errc::policy_refused));
    const auto refusal = mw.last_problem().policy;
    EXPECT_TRUE(refusal);
    EXPECT_EQ(refusal ? refusal->approval_role : "", "clb_arts");
    approvals_of_worker.emplace(mw.session());
    auto to = approvals_of_worker->mailbox_for("clb_arts");
    EXPECT_TRUE(to) << to.error().message();
    EXPECT_EQ(to ? protocol::hex_encode(*to) : "", arts_mailbox);
    auto draft = medical_referral(text);
    draft.message_id = refusal ? refusal->message_id : protocol::Id{};
    draft.thread_id = refusal ? refusal->thread_id : protocol::Id{};
    auto asked = approvals_of_worker->request(std::move(draft), *to);
    EXPECT_TRUE(asked) << asked.error().message() << " " << mw.last_problem().detail;
    return asked ? *asked : client::ApprovalRequested{};
  }

  /// The blob files the hub keeps (data/blobs).
  std::size_t blobs_at_the_hub() const {
    const auto blobs = dir.path() / "data" / "blobs";
    std::size_t count = 0;
    if (std::filesystem::exists(blobs)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(blobs)) {
        count += entry.is_regular_file() ? 1U : 0U;
      }
    }
    return count;
  }

  std::optional<client::ApprovalQueue> approvals_of_worker;
};

TEST_F(ApprovalQueueTest, TheArtsApprovesExactlyTheDraftAndTheWorkerSendsIt) {
  auto mw = open(worker);
  const auto asked = refused_then_requested(mw, kText);
  EXPECT_EQ(protocol::hex_encode(asked.answer_to), worker_mailbox);

  auto md = open(arts);
  ASSERT_TRUE(md.inbox().sync());
  client::ApprovalQueue queue{md.session()};
  auto pending = queue.pending();
  ASSERT_TRUE(pending) << pending.error().message();
  ASSERT_EQ(pending->size(), 1U);
  const auto& request = pending->front();
  EXPECT_EQ(request.message_id, asked.message_id);
  EXPECT_EQ(request.thread_id, asked.thread_id);
  EXPECT_EQ(request.requester_role, "clb_maatschappelijk_werker");
  EXPECT_EQ(request.kind, protocol::MessageKind::doorverwijzing);
  EXPECT_EQ(request.pupil_reference, kPupil);
  EXPECT_EQ(request.consent_reference, id_of(consent));
  ASSERT_EQ(request.fragments.size(), 1U) << "the labels fragment is not content";
  EXPECT_EQ(text_of_fragment(request.fragments[0]), kText);
  EXPECT_EQ(request.fragments[0].category, protocol::DataCategory::preventieve_gezondheidszorg);
  // Two recipients: the CAW intake, and the team's Sent folder if the CLB had one (it has not).
  EXPECT_EQ(request.recipients, std::vector<protocol::Id>{id_of(intake)});

  auto given = queue.approve(request.mailbox_id, request.sequence);
  ASSERT_TRUE(given) << given.error().message() << " " << md.last_problem().detail;
  EXPECT_EQ(given->role, "clb_arts");
  EXPECT_EQ(given->message_id, asked.message_id);
  // Answered: the answer reached the arts's mailbox too, so the request is no longer pending.
  ASSERT_TRUE(md.inbox().sync());
  EXPECT_TRUE(queue.pending().value().empty());

  ASSERT_TRUE(mw.inbox().sync());
  const auto answers = approvals_of_worker->answers().value();
  ASSERT_EQ(answers.size(), 1U);
  EXPECT_TRUE(answers[0].approved);
  EXPECT_EQ(answers[0].approval_id, given->approval_id);
  EXPECT_EQ(answers[0].message_id, asked.message_id);
  EXPECT_EQ(answers[0].approver_role, "clb_arts");

  auto draft = medical_referral(kText);
  draft.message_id = asked.message_id;
  draft.thread_id = asked.thread_id;
  draft.approvals = {answers[0].approval_id};
  const auto sent = mw.outbox().send(std::move(draft));
  ASSERT_TRUE(sent) << sent.error().message() << " " << mw.last_problem().detail;
  EXPECT_EQ(sent->message_id, asked.message_id);

  const auto at_caw = inbox(caw);
  ASSERT_EQ(at_caw.size(), 1U);
  EXPECT_EQ(text_of(at_caw[0], "categories"), "preventieve_gezondheidszorg");
  const auto read =
      caw.json_of({"read", std::to_string(at_caw[0].as_object().at("sequence").as_int64())});
  EXPECT_NE(boost::json::serialize(read).find(kText), std::string::npos) << read;

  // The register holds the one disclosure to the CAW: neither the request to the arts nor the
  // answer is one.
  const auto register_ = clb.json_of({"disclosures", "--pupil", std::string(kPupil)});
  const auto& lines = register_.as_object().at("disclosures").as_array();
  ASSERT_EQ(lines.size(), 1U) << register_;
}

TEST_F(ApprovalQueueTest, ADraftChangedAfterTheApprovalIsRefused) {
  auto mw = open(worker);
  const auto asked = refused_then_requested(mw, kText);
  auto md = open(arts);
  ASSERT_TRUE(md.inbox().sync());
  client::ApprovalQueue queue{md.session()};
  const auto pending = queue.pending().value();
  ASSERT_EQ(pending.size(), 1U);
  const auto given = queue.approve(pending[0].mailbox_id, pending[0].sequence);
  ASSERT_TRUE(given) << given.error().message();

  auto changed = medical_referral("Groeicurve buigt af; ook de schoolresultaten dalen.");
  changed.message_id = asked.message_id;
  changed.thread_id = asked.thread_id;
  changed.approvals = {given->approval_id};
  const auto sent = mw.outbox().send(std::move(changed));
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error(), protocol::make_error_code(protocol::errc::approval_content_mismatch));
  EXPECT_TRUE(inbox(caw).empty()) << "nothing reached the CAW";
}

// A request the policy refuses uploads none of the draft's files: the pre-check runs first.
TEST_F(ApprovalQueueTest, ARequestGoesOnlyToAColleagueWhoCanApprove) {
  auto mw = open(worker);
  const auto report = dir.path() / "groeicurve.pdf";
  write_file(report, view_of(std::string("%PDF-1.4\n% groeicurve\n%%EOF\n")));
  // The onthaal serves another role (R38), the CAW's intake is another organisation (R40).
  for (const auto& [to, rule] : {std::pair{onthaal, "R38"}, std::pair{intake, "R40"}}) {
    auto draft = medical_referral(kText);
    draft.attachments.push_back({protocol::DataCategory::preventieve_gezondheidszorg, report,
                                 "application/pdf", "groeicurve.pdf"});
    auto asked = client::ApprovalQueue{mw.session()}.request(std::move(draft), id_of(to));
    ASSERT_FALSE(asked) << rule;
    EXPECT_EQ(asked.error(), make_error_code(client_errc::policy_refused)) << rule;
    const auto refusal = mw.last_problem().policy;
    ASSERT_TRUE(refusal) << rule;
    EXPECT_NE(std::find(refusal->rule_ids.begin(), refusal->rule_ids.end(), rule),
              refusal->rule_ids.end())
        << rule;
  }
  EXPECT_EQ(blobs_at_the_hub(), 0U) << "a refused request uploaded its file";
  auto md = open(arts);
  ASSERT_TRUE(md.inbox().sync());
  EXPECT_TRUE(client::ApprovalQueue{md.session()}.pending().value().empty());
}

TEST_F(ApprovalQueueTest, ADeclineReachesTheRequesterWithItsReason) {
  auto mw = open(worker);
  const auto asked = refused_then_requested(mw, kText);
  auto md = open(arts);
  ASSERT_TRUE(md.inbox().sync());
  client::ApprovalQueue queue{md.session()};
  const auto pending = queue.pending().value();
  ASSERT_EQ(pending.size(), 1U);
  const auto silent = queue.decline(pending[0].mailbox_id, pending[0].sequence, "");
  ASSERT_FALSE(silent) << "a decline says why";
  EXPECT_EQ(silent.error(), protocol::make_error_code(protocol::errc::field_out_of_range));
  ASSERT_TRUE(queue.decline(pending[0].mailbox_id, pending[0].sequence,
                            "Eerst de ouders horen over de groeicurve."));
  ASSERT_TRUE(md.inbox().sync());
  EXPECT_TRUE(queue.pending().value().empty());

  ASSERT_TRUE(mw.inbox().sync());
  const auto answers = approvals_of_worker->answers().value();
  ASSERT_EQ(answers.size(), 1U);
  EXPECT_FALSE(answers[0].approved);
  EXPECT_EQ(answers[0].message_id, asked.message_id);
  EXPECT_EQ(answers[0].reason, "Eerst de ouders horen over de groeicurve.");
  EXPECT_EQ(answers[0].approval_id, protocol::Id{});
  EXPECT_TRUE(inbox(caw).empty());
}

// The same flow with the CLI, as people run it: `approval request` asks the role the pre-check
// names, `approval list` shows the arts exactly the text, `approval approve` answers, and the
// social worker sends with the approval the list shows.
TEST_F(ApprovalQueueTest, TheCliCarriesARequestFromTheRefusalToTheSend) {
  using Words = std::vector<std::string>;
  const Words referral = {"doorverwijzing",
                          "--to",
                          intake,
                          "--purpose",
                          "doorverwijzing",
                          "--text",
                          "preventieve_gezondheidszorg=" + std::string(kText),
                          "--consent",
                          consent,
                          "--pupil",
                          std::string(kPupil)};
  Words request = {"approval", "request"};
  request.insert(request.end(), referral.begin(), referral.end());
  const auto asked = worker.json_of(request);
  EXPECT_EQ(text_of(asked, "approver_role"), "clb_arts");
  EXPECT_EQ(text_of(asked, "approver_mailbox"), arts_mailbox);
  EXPECT_EQ(text_of(asked, "answer_to"), worker_mailbox);

  const auto listed = arts.json_of({"approval", "list"});
  const auto& pending = listed.as_object().at("pending").as_array();
  ASSERT_EQ(pending.size(), 1U) << listed;
  EXPECT_EQ(text_of(pending[0], "message_id"), text_of(asked, "message_id"));
  EXPECT_EQ(text_of(pending[0], "pupil"), kPupil);
  const auto& fragments = pending[0].as_object().at("fragments").as_array();
  ASSERT_EQ(fragments.size(), 1U);
  EXPECT_EQ(text_of(fragments[0], "text"), kText);
  const auto seq = std::to_string(pending[0].as_object().at("sequence").as_int64());

  const auto no_reason = arts({"approval", "decline", seq});
  EXPECT_EQ(no_reason.exit, 2) << no_reason.err;
  EXPECT_NE(no_reason.err.find("--reason TEXT"), std::string::npos) << no_reason.err;
  const auto approved = arts.json_of({"approval", "approve", seq});
  EXPECT_EQ(text_of(approved, "role"), "clb_arts");
  EXPECT_TRUE(arts.json_of({"approval", "list"}).as_object().at("pending").as_array().empty());

  const auto answers = worker.json_of({"approval", "list"});
  const auto& answered = answers.as_object().at("answers").as_array();
  ASSERT_EQ(answered.size(), 1U) << answers;
  EXPECT_TRUE(answered[0].as_object().at("approved").as_bool());
  EXPECT_EQ(text_of(answered[0], "approval_id"), text_of(approved, "approval_id"));

  Words send = {"send"};
  send.insert(send.end(), referral.begin(), referral.end());
  send.insert(send.end(),
              {"--message-id", text_of(asked, "message_id"), "--thread-id",
               text_of(asked, "thread_id"), "--approval", text_of(answered[0], "approval_id")});
  const auto sent = worker.json_of(send);
  EXPECT_EQ(text_of(sent, "message_id"), text_of(asked, "message_id"));
  EXPECT_EQ(inbox(caw).size(), 1U);

  const auto help = worker({"--help"});
  EXPECT_NE(help.out.find("approval request KIND"), std::string::npos) << help.out;
}

// A draft with a file: the request carries the file to the arts, who saves exactly those bytes
// (checked against the hash the approval covers) and approves; a send with a file changed since
// is refused before anything reaches the CAW, the send with the approved file goes through.
TEST_F(ApprovalQueueTest, TheApprovalCoversTheDraftsFileAndAChangedFileIsRefused) {
  using Words = std::vector<std::string>;
  const auto report = dir.path() / "groeicurve.pdf";
  const std::string approved_bytes = "%PDF-1.4\n% groeicurve 2016-2026\n%%EOF\n";
  write_file(report, view_of(approved_bytes));
  const Words referral = {"doorverwijzing",
                          "--to",
                          intake,
                          "--purpose",
                          "doorverwijzing",
                          "--text",
                          "preventieve_gezondheidszorg=" + std::string(kText),
                          "--file",
                          "preventieve_gezondheidszorg=" + report.string() + "@application/pdf",
                          "--consent",
                          consent,
                          "--pupil",
                          std::string(kPupil)};
  Words request = {"approval", "request"};
  request.insert(request.end(), referral.begin(), referral.end());
  const auto asked = worker.json_of(request);
  EXPECT_EQ(text_of(asked, "approver_role"), "clb_arts");

  const auto listed = arts.json_of({"approval", "list"});
  const auto& pending = listed.as_object().at("pending").as_array();
  ASSERT_EQ(pending.size(), 1U) << listed;
  const auto& files = pending[0].as_object().at("attachments").as_array();
  ASSERT_EQ(files.size(), 1U) << listed;
  EXPECT_EQ(text_of(files[0], "file_name"), "groeicurve.pdf");
  EXPECT_EQ(text_of(files[0], "category"), "preventieve_gezondheidszorg");
  EXPECT_EQ(files[0].as_object().at("size").as_int64(),
            static_cast<std::int64_t>(approved_bytes.size()));
  // The text fragments only: the fragment naming the file is listed as the file.
  EXPECT_EQ(pending[0].as_object().at("fragments").as_array().size(), 1U);
  const auto seq = std::to_string(pending[0].as_object().at("sequence").as_int64());
  arts.json_of({"read", seq, "--save", (dir.path() / "arts-files").string()});
  EXPECT_EQ(slurp(dir.path() / "arts-files" / "groeicurve.pdf"), approved_bytes);
  const auto approved = arts.json_of({"approval", "approve", seq});

  Words send = {"send"};
  send.insert(send.end(), referral.begin(), referral.end());
  send.insert(send.end(),
              {"--message-id", text_of(asked, "message_id"), "--thread-id",
               text_of(asked, "thread_id"), "--approval", text_of(approved, "approval_id")});
  write_file(report, view_of(std::string("%PDF-1.4\n% een andere curve\n%%EOF\n")));
  const auto changed = worker(send);
  EXPECT_NE(changed.exit, 0) << changed.out;
  EXPECT_NE(changed.err.find("approved content"), std::string::npos) << changed.err;
  EXPECT_TRUE(inbox(caw).empty()) << "nothing reached the CAW";

  write_file(report, view_of(approved_bytes));
  const auto sent = worker.json_of(send);
  EXPECT_EQ(text_of(sent, "message_id"), text_of(asked, "message_id"));
  const auto at_caw = inbox(caw);
  ASSERT_EQ(at_caw.size(), 1U);
  caw.json_of({"read", std::to_string(at_caw[0].as_object().at("sequence").as_int64()), "--save",
               (dir.path() / "caw-files").string()});
  EXPECT_EQ(slurp(dir.path() / "caw-files" / "groeicurve.pdf"), approved_bytes);
}

}  // namespace
}  // namespace draaischijf::testing
