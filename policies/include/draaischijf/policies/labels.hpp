#pragma once

// The one way a policy request is built from an envelope's signed labels. The client's
// pre-check (before sealing) and the hub's gate (on every submitted envelope) both call
// request_for(), so the two can never judge different requests for the same message; what only
// one side knows (the consent records and approvals the hub holds) is added by that side after.
//
//   auto request = policies::request_for(envelope.outer, sender, first, belgian_date(now));
//   request.consents.push_back(record);   // hub: a consent the sender may rely on
//   auto decision = policies::evaluate(rules, request);
//   policies::address_to(request, second);  // the next recipient mailbox, the rest unchanged

#include <optional>
#include <string>
#include <string_view>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/request.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

namespace draaischijf::policies {

/// Who sends, as its certificate (and the directory that holds it) says.
struct SenderFacts {
  protocol::OrgType org_type = protocol::OrgType::clb;
  protocol::Id org_id{};
  protocol::StaffRole role = protocol::StaffRole::clb_onthaal;
  protocol::Id staff_id{};
};

/// Who receives: the recipient mailbox's organisation, and the staff role the mailbox serves
/// (none for a general mailbox): the function in its verified epoch certificate, never its name.
struct RecipientFacts {
  protocol::Id org_id{};
  protocol::OrgType org_type = protocol::OrgType::clb;
  std::optional<protocol::StaffRole> role;
};

/// The request for one recipient of a message with these labels, judged on `date` (the day in
/// Belgium: belgian_date()). Consents, pupil facts and approvals are left empty.
[[nodiscard]] Request request_for(const protocol::OuterHeader& labels, const SenderFacts& sender,
                                  const RecipientFacts& recipient, CivilDate date);

/// Points `request` at another recipient; everything else stays. A message to several mailboxes
/// is judged once per mailbox with one request built by request_for().
void address_to(Request& request, const RecipientFacts& recipient);

/// Why a consent reference did not count, in the words both the hub's refusal and the client's
/// pre-check use.
inline constexpr std::string_view kConsentNotUsable =
    "the consent reference is not a consent registered for this pupil that this organisation "
    "may rely on";

}  // namespace draaischijf::policies
