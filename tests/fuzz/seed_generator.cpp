// Writes valid inputs for each fuzz target into OUT/<target>/, the starting points the fuzzer
// mutates: tools/make-fuzz-corpus.sh runs it and the result is committed under corpus/.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/note.hpp>
#include <draaischijf/protocol/receipt.hpp>

#include "fuzz_keys.hpp"

namespace {

using namespace draaischijf::protocol;
namespace fuzzing = draaischijf::fuzzing;

void write(const std::filesystem::path& dir, const std::string& name,
           const std::vector<std::uint8_t>& bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A second approval by a CLB-arts device for the draft (of another person than the sender),
// written to the corpus and carried in the draft.
bool add_approval(const std::filesystem::path& out, Draft& draft, DeviceCertificate approver,
                  const SigningKey& org_key, std::span<const MailboxEpochCertificate> recipients) {
  const SigningKey approver_key = SigningKey::from_seed(fuzzing::fixed_seed(14));
  approver.device_id = fuzzing::fixed_id(15);
  approver.staff_id = fuzzing::fixed_id(16);
  approver.role = StaffRole::clb_arts;
  approver.signing_key = approver_key.public_key();
  approver = issue(approver, org_key);
  std::vector<Id> mailboxes;
  for (const MailboxEpochCertificate& c : recipients) {
    mailboxes.push_back(c.mailbox_id);
  }
  ApprovalStatement statement =
      approval_statement(draft, approver.org_id, mailboxes, 1'800'000'000'000);
  statement.approval_id = fuzzing::fixed_id(11);
  const auto approval = sign_approval(statement, approver, approver_key);
  if (!approval) {
    std::fprintf(stderr, "signing the approval failed: %s\n", approval.error().message().c_str());
    return false;
  }
  write(out / "certificate", "approval", *approval);
  draft.approvals.push_back(*approval);
  return true;
}

void write_text(const std::filesystem::path& dir, const std::string& name, std::string_view text) {
  write(dir, name, std::vector<std::uint8_t>(text.begin(), text.end()));
}

// Checkpoints (with and without extension lines), a cosigned one, a vkey and a proof.
void write_notes(const std::filesystem::path& out, const SigningKey& log_key) {
  note::Checkpoint checkpoint{"hub.example/draaischijf/directory", 5, {}, {}};
  merkle::MemoryTree tree;
  for (std::uint8_t i = 0; i < 5; ++i) {
    tree.append(merkle::leaf_hash(std::vector<std::uint8_t>{i}));
  }
  checkpoint.root = merkle::tree_head(tree, 5).value();
  write_text(out / "note", "checkpoint", note::sign_checkpoint(log_key, checkpoint));
  note::SignedNote cosigned = note::parse(note::sign_checkpoint(log_key, checkpoint)).value();
  cosigned.signatures.push_back(
      note::cosign(log_key, "witness.example/w1", cosigned.text, 1'800'000'000));
  write_text(out / "note", "cosigned", note::encode(cosigned));
  write_text(out / "note", "checkpoint_text", note::checkpoint_text(checkpoint));
  checkpoint.extensions = {"extension line"};
  write_text(out / "note", "extension", note::sign_checkpoint(log_key, checkpoint));
  write_text(out / "note", "vkey",
             note::encode_vkey({"hub.example/log", note::kEd25519, log_key.public_key()}));
  std::vector<std::uint8_t> proof(16, 0);
  proof[7] = 1;   // size1 1
  proof[15] = 5;  // size2 5
  for (const merkle::Hash& h : merkle::consistency_proof(tree, 1, 5).value()) {
    proof.insert(proof.end(), h.begin(), h.end());
  }
  write(out / "note", "proof", proof);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const SigningKey org_key = fuzzing::organisation_key();
  const SigningKey device_key = SigningKey::from_seed(fuzzing::fixed_seed(5));

  DeviceCertificate device;
  device.org_id = fuzzing::organisation_id();
  device.org_type = OrgType::clb;
  device.device_id = fuzzing::fixed_id(6);
  device.staff_id = fuzzing::fixed_id(7);
  device.role = StaffRole::clb_psycholoog;
  device.signing_key = device_key.public_key();
  device.encryption_key = mailbox_identity(fuzzing::fixed_seed(8)).public_key();
  device.not_before = 0;
  device.not_after = 4'000'000'000;
  device = issue(device, org_key);
  write(out / "certificate", "device", encode(device));

  MailboxEpochCertificate mailbox;
  mailbox.mailbox_id = fuzzing::mailbox_id();
  mailbox.org_id = fuzzing::organisation_id();
  mailbox.mailbox_key = fuzzing::mailbox_key().public_key();
  mailbox.function = StaffRole::partner_intake;
  mailbox.not_before = 0;
  mailbox.not_after = 4'000'000'000;
  mailbox = issue(mailbox, org_key);
  write(out / "certificate", "epoch0", encode(mailbox));
  MailboxEpochCertificate next = mailbox;
  next.epoch = 1;
  next.previous_certificate = certificate_hash(mailbox);
  write(out / "certificate", "epoch1", encode(issue(next, org_key)));

  // A receipt for a referral to two mailboxes: one under a consent with an approver, one on
  // the rules alone; and its decisions as the hub stores them.
  ReceiptDecisions decided;
  decided.rule_set_version = "2026.12.1";
  decided.decisions.push_back({fuzzing::mailbox_id(),
                               "R06",
                               "consent:" + hex_encode(fuzzing::fixed_id(17)),
                               {fuzzing::fixed_id(16)}});
  decided.decisions.push_back({fuzzing::fixed_id(9), "R03,R05", "rule:R03,R05", {}});
  const auto receipt =
      sign_receipt(fuzzing::fixed_id(12), {}, 1'800'000'000'000, 7, decided, org_key);
  const auto stored = encode_decisions(decided);
  if (!receipt || !stored) {
    std::fprintf(stderr, "signing the receipt failed\n");
    return 1;
  }
  write(out / "certificate", "receipt", encode(*receipt));
  write(out / "certificate", "decisions", *stored);

  const auto recipient = fuzzing::mailbox_key().recipient();
  for (const std::size_t size : {std::size_t{0}, std::size_t{100}, std::size_t{65537}}) {
    const std::vector<std::uint8_t> plain(size, 0x61);
    write(out / "age_header", "age_" + std::to_string(size), age::encrypt(plain, {&recipient, 1}));
  }

  MailboxEpochCertificate other = mailbox;
  other.mailbox_id = fuzzing::fixed_id(9);
  other.mailbox_key = mailbox_identity(fuzzing::fixed_seed(10)).public_key();
  const MailboxEpochCertificate both[] = {mailbox, other};
  int n = 0;
  for (const std::size_t size : {std::size_t{10}, std::size_t{2048}, std::size_t{70000}}) {
    Draft draft;
    draft.kind = MessageKind::doorverwijzing;
    draft.purpose = Purpose::doorverwijzing;
    draft.pupil = PupilBinding{"leerling-fuzz", hash256("draaischijf-fuzz/pupil-salt", {})};
    draft.fragments.push_back(
        {DataCategory::psychisch_sociaal, GuidanceDomain::none, "text/plain", SecretBytes(size)});
    if (size == 2048) {
      // Two attachments, each with its reference fragment: the outer labels list both ids
      // (envelope v3) and the seed opens with every check passing.
      for (const std::uint8_t label : {std::uint8_t{18}, std::uint8_t{17}}) {
        AttachmentDescriptor a;
        a.id = fuzzing::fixed_id(label);
        a.media_type = "application/pdf";
        a.file_name = "verslag-" + std::to_string(label) + ".pdf";
        draft.fragments.push_back({DataCategory::psychisch_sociaal, GuidanceDomain::none,
                                   std::string(kAttachmentReferenceMediaType),
                                   SecretBytes::copy_of(a.id)});
        draft.attachments.push_back(std::move(a));
      }
      draft.message_id = fuzzing::fixed_id(13);
      draft.attestations = (1U << 5) | (1U << 24);
      if (!add_approval(out, draft, device, org_key, both)) {
        return 1;
      }
    }
    if (size != 70000) {
      // Inner version 3 gossips the sender's checkpoints of both logs (PROTOCOL.md 7.7).
      for (const char* log : {"directory", "record"}) {
        draft.checkpoints.push_back(note::sign_checkpoint(
            org_key, {std::string("draaischijf-hub/00112233aabbccdd/") + log, size, {}, {}}));
      }
    }
    const auto envelope = seal(draft, {device, device_key, 1}, both, 1'800'000'000'000);
    if (!envelope) {
      std::fprintf(stderr, "sealing failed: %s\n", envelope.error().message().c_str());
      return 1;
    }
    write(out / "envelope", "envelope_" + std::to_string(n++), *envelope);
  }
  write_notes(out, org_key);
  std::printf("seed corpus written to %s\n", out.c_str());
  return 0;
}
