#include "consent_match.hpp"

#include <string>

namespace draaischijf::policies::detail {
namespace {

constexpr std::uint32_t kIdentification =
    1U << static_cast<unsigned>(protocol::DataCategory::identificatie);

bool scope_names(const ConsentRecord& record, const Counterpart& c, bool by_type_counts) {
  if (!c.is_organisation) {
    return record.recipient_kinds.contains(c.kind);
  }
  const protocol::Id zero{};
  if (*c.id != zero) {
    for (const auto& id : record.recipient_org_ids) {
      if (id == *c.id) {
        return true;
      }
    }
  }
  return by_type_counts && record.recipient_org_types.contains(c.type);
}

std::string category_names(std::uint32_t bits) {
  std::string out;
  for (unsigned k = 0; k < 32; ++k) {
    if ((bits & (1U << k)) != 0) {
      out += (out.empty() ? "" : ", ") +
             std::string(protocol::name_of(static_cast<protocol::DataCategory>(k)));
    }
  }
  return out;
}

std::string date_or_empty(const std::optional<CivilDate>& date, std::string_view word) {
  return date ? " " + std::string(word) + " " + to_string(*date) : std::string();
}

// R06 in both directions: the answer and feedback on a referral ride under the consent the
// referral was sent under, when the hub's referral record links them.
bool covers_referral_answer(const ConsentRecord& record, const Request& r,
                            const Settings& settings) {
  using protocol::Purpose;
  return settings.consent_covers_referral_answers && r.answers_referral &&
         (r.purpose == Purpose::terugkoppeling || r.purpose == Purpose::doorverwijzing ||
          r.purpose == Purpose::consultatie) &&
         (record.purposes.contains(Purpose::doorverwijzing) ||
          record.purposes.contains(Purpose::consultatie));
}

}  // namespace

Counterpart counterpart_of(const Request& r) {
  Counterpart c;
  if (r.recipient_kind != RecipientKind::organisation) {
    c.is_organisation = false;
    c.kind = r.recipient_kind;
    return c;
  }
  const bool from_outside_to_clb =
      r.recipient_org_type == protocol::OrgType::clb && r.sender_org_type != protocol::OrgType::clb;
  c.type = from_outside_to_clb ? r.sender_org_type : r.recipient_org_type;
  c.id = from_outside_to_clb ? &r.sender_org_id : &r.recipient_org_id;
  return c;
}

std::optional<Mismatch> mismatch_of(const ConsentRecord& record, const Request& r,
                                    const Counterpart& c, const Effect& need,
                                    std::uint32_t categories, const Settings& settings) {
  if (!scope_names(record, c, !need.specific)) {
    // Named by type where the rule wants the organisation itself: say so, it is the fix.
    const bool type_only = need.specific && c.is_organisation && scope_names(record, c, true);
    return Mismatch{type_only ? ConsentMismatch::organisation_not_named
                              : ConsentMismatch::recipient_not_named};
  }
  if (!record.purposes.contains(r.purpose) && !covers_referral_answer(record, r, settings)) {
    return Mismatch{ConsentMismatch::purpose_not_covered};
  }
  std::uint32_t granted = record.categories.bits();
  if (settings.consent_implies_identification && !need.specific) {
    granted |= kIdentification;
  }
  if ((categories & ~granted) != 0) {
    return Mismatch{ConsentMismatch::category_not_covered, categories & ~granted};
  }
  if (r.date < record.valid_from) {
    return Mismatch{ConsentMismatch::not_yet_valid};
  }
  if (record.valid_until && *record.valid_until < r.date) {
    return Mismatch{ConsentMismatch::expired};
  }
  if (record.revoked && (!record.revoked_on || *record.revoked_on <= r.date)) {
    return Mismatch{ConsentMismatch::revoked};
  }
  if (need.written && record.channel == ConsentChannel::mondeling) {
    return Mismatch{ConsentMismatch::not_written};
  }
  return std::nullopt;
}

ConsentNote note_for(const ConsentRecord& record, const Mismatch& mismatch,
                     std::string_view rule_id, const Request& r) {
  ConsentNote note{record.id, mismatch.kind, std::string(rule_id), {}, {}};
  const std::string id = record.id;
  const std::string rule(rule_id);
  switch (mismatch.kind) {
    case ConsentMismatch::not_yet_valid:
      note.nl = "Toestemming " + id + " geldt pas vanaf " + to_string(record.valid_from) + ".";
      note.en = "Consent " + id + " applies only from " + to_string(record.valid_from) + ".";
      break;
    case ConsentMismatch::expired:
      note.nl = "Toestemming " + id + " is verlopen" + date_or_empty(record.valid_until, "op") +
                "; vraag een nieuwe toestemming.";
      note.en = "Consent " + id + " expired" + date_or_empty(record.valid_until, "on") +
                "; ask for a new consent.";
      break;
    case ConsentMismatch::revoked:
      note.nl =
          "Toestemming " + id + " werd ingetrokken" + date_or_empty(record.revoked_on, "op") + ".";
      note.en = "Consent " + id + " was revoked" + date_or_empty(record.revoked_on, "on") + ".";
      break;
    case ConsentMismatch::recipient_not_named:
      note.nl = "Toestemming " + id + " noemt deze ontvanger niet (organisatie of type).";
      note.en = "Consent " + id + " does not name this recipient (organisation or type).";
      break;
    case ConsentMismatch::organisation_not_named:
      note.nl = "Toestemming " + id + " noemt enkel het type organisatie; " + rule +
                " vraagt een specifieke toestemming die deze organisatie zelf noemt.";
      note.en = "Consent " + id + " names only the type of organisation; " + rule +
                " needs a specific consent that names this organisation itself.";
      break;
    case ConsentMismatch::purpose_not_covered: {
      const std::string purpose(protocol::name_of(r.purpose));
      note.nl = "Toestemming " + id + " dekt het doel " + purpose + " niet.";
      note.en = "Consent " + id + " does not cover the purpose " + purpose + ".";
      break;
    }
    case ConsentMismatch::category_not_covered: {
      const std::string names = category_names(mismatch.missing_categories);
      note.nl = "Toestemming " + id + " dekt de gegevens " + names + " niet.";
      note.en = "Consent " + id + " does not cover the data " + names + ".";
      break;
    }
    case ConsentMismatch::not_written:
      note.nl = "Toestemming " + id + " werd mondeling gegeven; " + rule +
                " vraagt een schriftelijke (of digitaal ondertekende) toestemming.";
      note.en = "Consent " + id + " was given orally; " + rule +
                " needs a written (or digitally signed) consent.";
      break;
    case ConsentMismatch::other_giver:
      note.nl = "Toestemming " + id + " komt van " +
                std::string(record.giver == ConsentGiver::ouders ? "de ouders" : "de leerling") +
                ", maar op deze datum beslist de andere partij (R32).";
      note.en = "Consent " + id + " was given by " +
                std::string(record.giver == ConsentGiver::ouders ? "the parents" : "the pupil") +
                ", but on this date the other party decides (R32).";
      break;
  }
  return note;
}

}  // namespace draaischijf::policies::detail
