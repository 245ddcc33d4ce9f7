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
  request.recipient_org_id = recipient.org_id;
  request.recipient_org_type = recipient.org_type;
  request.recipient_role = recipient.role;
  request.kind = labels.kind;
  request.purpose = labels.purpose;
  request.categories = labels.categories;
  request.flags = FlagSet::from_bits(labels.attestations);
  request.date = date;
  request.pupil_pseudonym = pseudonym_text(labels.pupil_pseudonym);
  return request;
}

std::string pseudonym_text(const protocol::Hash256& pseudonym) {
  return pseudonym == protocol::Hash256{} ? std::string() : protocol::hex_encode(pseudonym);
}

std::optional<protocol::StaffRole> mailbox_role(std::string_view mailbox_name) {
  return protocol::parse_name<protocol::StaffRole>(mailbox_name);
}

}  // namespace draaischijf::policies
