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
  request.recipient_org_id = recipient.org_id;
  request.recipient_org_type = recipient.org_type;
  request.recipient_role = recipient.role;
}

}  // namespace draaischijf::policies
