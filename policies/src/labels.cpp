#include <draaischijf/policies/labels.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::policies {

Request request_for(const protocol::OuterHeader& labels, const SenderFacts& sender,
                    const RecipientFacts& recipient, CivilDate date) {
  Request request;
  request.sender_org_type = sender.org_type;
  request.sender_org_id = sender.org_id;
  request.sender_staff = protocol::hex_encode(sender.staff_id);
  request.sender_role = sender.role;
  address_to(request, recipient);
  request.kind = labels.kind;
  request.purpose = labels.purpose;
  request.categories = labels.categories;
  request.flags = FlagSet::from_bits(labels.attestations);
  request.date = date;
  // Hex as consent records carry it; empty for the zero pseudonym (a message about no pupil).
  if (labels.pupil_pseudonym != protocol::Hash256{}) {
    request.pupil_pseudonym = protocol::hex_encode(labels.pupil_pseudonym);
  }
  return request;
}

void address_to(Request& request, const RecipientFacts& recipient) {
  // The team's Sent folder is a general mailbox (no function) of the sender's own
  // organisation, as the directory's verified epoch certificate says: nothing the sender
  // writes in the envelope can make another organisation's mailbox look like its own.
  const protocol::Id zero{};
  const bool own_team =
      request.sender_org_id != zero && recipient.org_id == request.sender_org_id && !recipient.role;
  request.recipient_kind = own_team ? RecipientKind::eigen_team : RecipientKind::organisation;
  request.recipient_org_id = recipient.org_id;
  request.recipient_org_type = recipient.org_type;
  request.recipient_role = recipient.role;
}

}  // namespace draaischijf::policies
