#pragma once

// Whether a consent record on file covers what a rule asks for, and if not, why: the engine
// uses the first to decide and the second to tell the people who must fix it which consent did
// not count and for what reason (Decision::consent_notes).

#include <cstdint>
#include <optional>
#include <string_view>

#include <draaischijf/policies/decision.hpp>
#include <draaischijf/policies/request.hpp>

#include "compiled.hpp"

namespace draaischijf::policies::detail {

/// The organisation a consent must name: the recipient, or for a message to the pupil's CLB
/// from outside it, the sender (the consent for a referral covers the partner's answers).
struct Counterpart {
  bool is_organisation = true;
  protocol::OrgType type = protocol::OrgType::clb;
  const protocol::Id* id = nullptr;
  RecipientKind kind = RecipientKind::organisation;
};

[[nodiscard]] Counterpart counterpart_of(const Request& r);

struct Mismatch {
  ConsentMismatch kind;
  std::uint32_t missing_categories = 0;  // category_not_covered: which ones
};

/// Everything but the pupil and the giver: dates, scope, purpose, categories, channel, checked
/// in the order of ConsentMismatch. nullopt: the record covers `categories` for a consent
/// effect `need`.
[[nodiscard]] std::optional<Mismatch> mismatch_of(const ConsentRecord& record, const Request& r,
                                                  const Counterpart& c, const Effect& need,
                                                  std::uint32_t categories,
                                                  const Settings& settings);

/// The note for a record that did not count, in Dutch and English, naming what is missing.
[[nodiscard]] ConsentNote note_for(const ConsentRecord& record, const Mismatch& mismatch,
                                   std::string_view rule_id, const Request& r);

}  // namespace draaischijf::policies::detail
