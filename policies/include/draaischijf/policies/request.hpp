#pragma once

// The inputs of a policy decision: who sends to whom, about which pupil, for which purpose,
// which data categories, under which attested circumstances, with which consent records and
// approvals, on which date. Plain values: the hub fills them from an envelope's labels, its
// consent registry and the approvals it holds; the client from the message being composed.

#include <optional>
#include <string>
#include <vector>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/vocabulary.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::policies {

/// What the engine needs to know about the pupil. Give the birth date when known: the age is
/// then computed on the decision date (the birthday counts). `age` is used only when there is
/// no birth date. With neither, the age is unknown and every age-dependent rule takes its
/// strict side (consent from both the parents and the pupil).
struct PupilFacts {
  std::optional<CivilDate> birth_date;
  std::optional<int> age;
  /// The CLB team's assessment below 18 (written motivation in the MDD); `vermoed` follows
  /// the rule set's competency age.
  Competency competency = Competency::vermoed;
  /// From 18 a pupil is competent unless this is set (onbekwame meerderjarige: the parents,
  /// voogd or bewindvoerder decide).
  bool adult_incompetent = false;
};

/// A consent as the CLB recorded it in the MDD and registered it with the hub. There is no
/// blanket consent: a record covers the organisations, data categories and purposes it names,
/// from `valid_from` up to and including `valid_until`, until it is revoked.
struct ConsentRecord {
  std::string id;     // the registry's id (hex of the 16-byte id, or any stable string)
  std::string pupil;  // the per-CLB pupil pseudonym; must equal the request's
  ConsentGiver giver = ConsentGiver::ouders;
  std::string capacity;          // "moeder", "vader", "voogd", "leerling", ...
  std::string competency_basis;  // why the giver may decide (age, team assessment)
  // Scope: whom the consent allows to receive (or, for an exchange with the pupil's CLB, the
  // other organisation of the exchange).
  std::vector<protocol::Id> recipient_org_ids;
  EnumSet<protocol::OrgType> recipient_org_types;
  EnumSet<RecipientKind> recipient_kinds;  // ouders: consent of the pupil to parental access
  protocol::CategorySet categories;
  EnumSet<protocol::Purpose> purposes;
  CivilDate valid_from;
  std::optional<CivilDate> valid_until;
  ConsentChannel channel = ConsentChannel::schriftelijk;
  std::string recorded_by;  // the staff member who recorded it
  bool revoked = false;
  std::optional<CivilDate> revoked_on;  // revocation counts from this day (for the future only)
};

/// Whether `record` holds on `date`: inside its window and not revoked by then.
[[nodiscard]] inline bool in_force_on(const ConsentRecord& record, CivilDate date) noexcept {
  const bool in_window =
      !(date < record.valid_from) && !(record.valid_until && *record.valid_until < date);
  return in_window && !(record.revoked && (!record.revoked_on || *record.revoked_on <= date));
}

/// A second approval the hub holds for the message (signed by a colleague).
struct Approval {
  protocol::StaffRole role = protocol::StaffRole::clb_arts;
  std::string approver;  // staff id; an approval by the sender themselves does not count
};

struct Request {
  protocol::OrgType sender_org_type = protocol::OrgType::clb;
  protocol::StaffRole sender_role = protocol::StaffRole::clb_onthaal;
  protocol::Id sender_org_id{};  // all zero: unknown
  std::string sender_staff;      // staff id, to tell a second approval from the sender's own

  RecipientKind recipient_kind = RecipientKind::organisation;
  protocol::OrgType recipient_org_type = protocol::OrgType::clb;
  std::optional<protocol::StaffRole> recipient_role;  // none: an organisation mailbox
  protocol::Id recipient_org_id{};

  protocol::MessageKind kind = protocol::MessageKind::signaal;
  protocol::Purpose purpose = protocol::Purpose::begeleiding;
  /// Judged per category. An empty set is judged as identification data only: every message
  /// about a pupil identifies the pupil.
  protocol::CategorySet categories;
  FlagSet flags;

  PupilFacts pupil;
  std::string pupil_pseudonym;
  std::vector<ConsentRecord> consents;
  std::vector<Approval> approvals;
  CivilDate date;  // the decision date: the engine never reads a clock
  /// The message goes from the partner to the CLB that referred the pupil to it, under the
  /// consent that referral was sent under: a fact of the hub's referral record
  /// (docs/WORKFLOW.md 3), never of the labels (Settings::consent_covers_referral_answers).
  bool answers_referral = false;
};

}  // namespace draaischijf::policies
