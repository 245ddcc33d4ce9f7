#include <ostream>
#include <string>

#include <draaischijf/client/walkthrough.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>

namespace draaischijf::client {
namespace {

using namespace protocol;

struct Organisation {
  std::string name;
  Id id = random_id();
  OrgType type;
  SigningKey signing_key = SigningKey::generate();
};

struct Device {
  DeviceCertificate certificate;
  SigningKey signing_key = SigningKey::generate();
  age::X25519Identity encryption_key = age::X25519Identity::generate();
};

struct Mailbox {
  std::string name;
  Id id = random_id();
  EpochSeed seed = EpochSeed::random();
  MailboxEpochCertificate certificate;
};

std::uint64_t seconds_of(const Clock& clock) {
  return static_cast<std::uint64_t>(clock.now_ms() / 1000);
}

Device enrol(const Organisation& org, StaffRole role, const Clock& clock) {
  Device device;
  DeviceCertificate c;
  c.org_id = org.id;
  c.org_type = org.type;
  c.device_id = random_id();
  c.staff_id = random_id();
  c.role = role;
  c.signing_key = device.signing_key.public_key();
  c.encryption_key = device.encryption_key.public_key();
  c.not_before = seconds_of(clock) - 60;
  c.not_after = seconds_of(clock) + 365ULL * 24 * 3600;
  device.certificate = issue(c, org.signing_key);
  return device;
}

Mailbox open_mailbox(const Organisation& org, std::string name, std::span<const Id> members,
                     const Clock& clock) {
  Mailbox mailbox;
  mailbox.name = std::move(name);
  MailboxEpochCertificate c;
  c.mailbox_id = mailbox.id;
  c.org_id = org.id;
  c.epoch = 0;
  c.mailbox_key = mailbox_identity(mailbox.seed).public_key();
  c.members_hash = members_hash(members);
  set_default_window(c, seconds_of(clock));
  mailbox.certificate = issue(c, org.signing_key);
  return mailbox;
}

class Steps {
 public:
  explicit Steps(std::ostream& out) : out_(out) {}
  void say(const std::string& line) { out_ << "  " << line << '\n'; }
  void step(const std::string& title) { out_ << '\n' << ++number_ << ". " << title << '\n'; }
  bool check(bool ok, const std::string& what) {
    out_ << "  [" << (ok ? "ok" : "FAILED") << "] " << what << '\n';
    failed_ = failed_ || !ok;
    return ok;
  }
  template <class T>
  bool check_error(const Result<T>& r, errc expected, const std::string& what) {
    const bool ok = !r && r.error() == expected;
    return check(ok, what + " -> " + (r ? std::string("accepted") : r.error().message()));
  }
  [[nodiscard]] int exit_code() const { return failed_ ? 1 : 0; }

 private:
  std::ostream& out_;
  int number_ = 0;
  bool failed_ = false;
};

}  // namespace

// One linear story, read top to bottom like the README's walkthrough (about 130 lines): split
// into functions, its order would be harder to follow, and each step is a few lines already.
int run_walkthrough(std::ostream& out, const Clock& clock) {
  Steps s(out);
  out << "Draaischijf protocol walkthrough: a CLB refers a pupil to a CAW\n";

  s.step("Two organisations, each with its own Ed25519 signing key");
  const Organisation clb{"CLB Waas en Dender", random_id(), OrgType::clb};
  const Organisation caw{"CAW Oost-Vlaanderen", random_id(), OrgType::caw};
  s.say(clb.name + " key id " + to_hex(clb.signing_key.key_id()).substr(0, 16) + "...");
  s.say(caw.name + " key id " + to_hex(caw.signing_key.key_id()).substr(0, 16) + "...");

  s.step("Devices generate their own keys; their organisation certifies them");
  const Device clb_device = enrol(clb, StaffRole::clb_maatschappelijk_werker, clock);
  const Device caw_device = enrol(caw, StaffRole::partner_intake, clock);
  s.check(
      verify(clb_device.certificate, clb.signing_key.public_key(), seconds_of(clock)).has_value(),
      "CLB device certificate verifies under the CLB key");
  s.check(!verify(clb_device.certificate, caw.signing_key.public_key(), seconds_of(clock)),
          "the same certificate is refused under the CAW key");

  s.step("Mailboxes get an epoch seed, sealed to each member device");
  const Id caw_members[] = {caw_device.certificate.device_id};
  Mailbox intake = open_mailbox(caw, caw.name + " / intake", caw_members, clock);
  const Id clb_members[] = {clb_device.certificate.device_id};
  const Mailbox onthaal = open_mailbox(clb, clb.name + " / onthaal", clb_members, clock);
  const auto box =
      seal_seed_to_device(intake.seed, intake.id, 0, caw_device.certificate.encryption_key);
  if (!s.check(box.has_value(), "the intake seed is sealed to the CAW device")) {
    return s.exit_code();
  }
  auto unwrapped = open_seed_box(*box, caw_device.encryption_key, intake.certificate);
  s.check(unwrapped.has_value(),
          "CAW device opens its seed box and the seed derives the certified mailbox key");
  s.say("mailbox key (age recipient) " + mailbox_identity(intake.seed).recipient().to_string());

  s.step("The CLB seals a doorverwijzing to the CAW intake mailbox and its own onthaal mailbox");
  Draft draft;
  draft.kind = MessageKind::doorverwijzing;
  draft.purpose = Purpose::doorverwijzing;
  draft.consent_reference = random_id();
  // The CLB's own dossier number, pseudonymised with the CLB's pupil key: the hub sees only the
  // pseudonym, the CAW sees the number and checks it against the pseudonym.
  draft.pupil = bind_pupil(PupilKey::of_organisation(clb.signing_key), "CLB-2026-0042").value();
  draft.thread_id = random_id();
  const std::string advice = "Vraag: begeleiding bij schoolangst; ouders en leerling akkoord.";
  draft.fragments.push_back(
      {DataCategory::psychisch_sociaal, GuidanceDomain::psychisch_en_sociaal_functioneren,
       "text/plain",
       SecretBytes::copy_of(
           {reinterpret_cast<const std::uint8_t*>(advice.data()), advice.size()})});
  const MailboxEpochCertificate recipients[] = {intake.certificate, onthaal.certificate};
  const auto created = static_cast<std::uint64_t>(clock.now_ms());
  auto envelope =
      seal(draft, {clb_device.certificate, clb_device.signing_key, 1}, recipients, created);
  if (!s.check(envelope.has_value(), "sealed and signed")) {
    return s.exit_code();
  }
  s.say(std::to_string(envelope->size()) + " bytes on the wire");

  s.step("What the hub sees: labels, never content");
  auto parsed = parse_envelope(*envelope);
  if (!s.check(parsed.has_value(), "the hub parses the outer part without any key")) {
    return s.exit_code();
  }
  s.say(std::string("kind ") + std::string(name_of(parsed->outer.kind)) + ", purpose " +
        std::string(name_of(parsed->outer.purpose)) + ", " +
        std::to_string(parsed->outer.recipients.size()) + " recipient mailboxes");
  const std::string_view wire(reinterpret_cast<const char*>(envelope->data()), envelope->size());
  s.check(wire.find("schoolangst") == std::string_view::npos,
          "the content does not appear anywhere in the envelope bytes");

  s.step("The CAW opens it: stanza, key commitment, MAC, signature, certificate, labels");
  MailboxKeyring caw_keys;
  caw_keys.add(intake.id, 0, mailbox_identity(*unwrapped));
  TrustStore trust;
  trust.add(clb.id, clb.signing_key.public_key());
  auto opened = open(*envelope, caw_keys, trust);
  if (!s.check(opened.has_value(), "opened and verified")) {
    return s.exit_code();
  }
  const auto& body = opened->fragments.at(0).body;
  s.check(std::string(body.begin(), body.end()) == advice, "the fragment reads as written");
  s.check(opened->pupil && opened->pupil->reference == "CLB-2026-0042",
          "the pupil named inside is the one the outer pseudonym stands for");
  s.say(std::string("signed by a ") + std::string(name_of(opened->sender.role)) + " of " +
        clb.name);

  s.step("Tampering is refused with a specific reason");
  auto tampered = *envelope;
  tampered[40] ^= 0x01;  // a bit of the sender organisation id in the outer part
  s.check_error(open(tampered, caw_keys, trust), errc::sender_mismatch,
                "changed sender organisation");
  MailboxKeyring stranger;
  stranger.add(random_id(), 0, age::X25519Identity::generate());
  s.check_error(open(*envelope, stranger, trust), errc::not_a_recipient, "another mailbox");

  s.step("A member leaves: the CAW rotates the intake mailbox to epoch 1");
  const Device caw_new_device = enrol(caw, StaffRole::partner_hulpverlener, clock);
  EpochSeed next_seed = EpochSeed::random();
  MailboxEpochCertificate next;
  next.mailbox_id = intake.id;
  next.org_id = caw.id;
  next.epoch = 1;
  next.mailbox_key = mailbox_identity(next_seed).public_key();
  const Id new_members[] = {caw_new_device.certificate.device_id};
  next.members_hash = members_hash(new_members);
  next.previous_certificate = certificate_hash(intake.certificate);
  set_default_window(next, seconds_of(clock));
  next = issue(next, caw.signing_key);
  const auto chain_box = seal_previous_seed(next_seed, intake.id, 1, intake.seed);
  const auto new_box =
      seal_seed_to_device(next_seed, intake.id, 1, caw_new_device.certificate.encryption_key);
  if (!s.check(new_box.has_value(), "epoch 1 is sealed to the remaining member")) {
    return s.exit_code();
  }
  auto new_seed = open_seed_box(*new_box, caw_new_device.encryption_key, next);
  s.check(new_seed.has_value(), "the new device opens epoch 1");
  s.check_error(open_seed_box(*new_box, caw_device.encryption_key, next), errc::seed_box_invalid,
                "the removed device cannot open epoch 1");
  auto walked = open_previous_seed(chain_box, *new_seed, next, intake.certificate);
  s.check(walked.has_value(), "the new device walks the seed chain back to epoch 0");
  if (walked) {
    MailboxKeyring history;
    history.add(intake.id, 0, mailbox_identity(*walked));
    s.check(open(*envelope, history, trust).has_value(),
            "and reads the doorverwijzing sent before it joined");
  }
  const RecipientMailbox current[] = {{intake.id, 1}, {onthaal.id, 0}};
  s.check_error(check_recipient_epochs(parsed->outer, current), errc::stale_epoch,
                "the hub would now refuse an envelope sealed to epoch 0");

  out << '\n' << (s.exit_code() == 0 ? "Every check held." : "Some checks FAILED.") << '\n';
  return s.exit_code();
}

}  // namespace draaischijf::client
