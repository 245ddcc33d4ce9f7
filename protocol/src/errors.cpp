#include <string>

#include <draaischijf/protocol/errors.hpp>

namespace draaischijf::protocol {
namespace {

// Messages are fixed strings: an error must never carry user data into a log line.
const char* describe(int value) noexcept {
  switch (static_cast<errc>(value)) {
    case errc::truncated:
      return "input ends before the structure does";
    case errc::trailing_data:
      return "bytes follow the end of the structure";
    case errc::bad_magic:
      return "wrong magic bytes";
    case errc::unsupported_version:
      return "unsupported version";
    case errc::unsupported_suite:
      return "unsupported cipher suite";
    case errc::non_canonical:
      return "encoding is not canonical";
    case errc::field_out_of_range:
      return "field value out of range";
    case errc::bad_base64:
      return "invalid or non-canonical base64";
    case errc::bad_bech32:
      return "invalid Bech32 string";
    case errc::wrong_key_type:
      return "key string is of another type";
    case errc::age_header_malformed:
      return "age header is malformed";
    case errc::age_no_identity_matched:
      return "no identity matches any age recipient stanza";
    case errc::age_header_mac_mismatch:
      return "age header MAC does not verify";
    case errc::age_payload_corrupt:
      return "age payload chunk fails authentication";
    case errc::age_payload_truncated:
      return "age payload ends without a final chunk";
    case errc::age_trailing_data:
      return "data follows the final age payload chunk";
    case errc::age_all_zero_shared_secret:
      return "X25519 share gives an all-zero secret";
    case errc::certificate_untrusted:
      return "certificate issuer is not the trusted key";
    case errc::certificate_signature_invalid:
      return "certificate signature does not verify";
    case errc::certificate_not_yet_valid:
      return "certificate is not yet valid";
    case errc::certificate_expired:
      return "certificate has expired";
    case errc::certificate_wrong_organisation:
      return "certificate names another organisation";
    case errc::seed_box_invalid:
      return "seed box does not open";
    case errc::seed_does_not_match_certificate:
      return "unwrapped seed does not derive the certified mailbox key";
    case errc::epoch_chain_broken:
      return "previous-seed chain is broken";
    case errc::no_recipients:
      return "envelope has no recipients";
    case errc::too_many_recipients:
      return "envelope has too many recipients";
    case errc::duplicate_recipient:
      return "a mailbox is listed twice";
    case errc::recipient_stanza_mismatch:
      return "recipient list and age stanzas do not correspond";
    case errc::not_a_recipient:
      return "none of our mailboxes is a recipient";
    case errc::unknown_epoch:
      return "no key for the mailbox epoch of this envelope";
    case errc::stale_epoch:
      return "envelope is sealed to a superseded mailbox epoch";
    case errc::stanza_does_not_open:
      return "the stanza for our mailbox does not open";
    case errc::key_commitment_mismatch:
      return "file key does not match the key commitment";
    case errc::signature_invalid:
      return "envelope signature does not verify";
    case errc::sender_mismatch:
      return "signing device does not belong to the sender organisation";
    case errc::label_mismatch:
      return "outer labels do not match the sealed content";
    case errc::payload_too_large:
      return "payload exceeds the size limit";
    case errc::approval_mismatch:
      return "second approval does not match the envelope";
    case errc::epoch_expired:
      return "mailbox epoch certificate has expired";
    case errc::epoch_not_yet_valid:
      return "mailbox epoch certificate is not yet valid";
    case errc::approval_content_mismatch:
      return "the approved content is not the content that was sent";
    case errc::pupil_mismatch:
      return "the pupil pseudonym does not match the pupil named inside";
    case errc::pupil_missing:
      return "data about a pupil needs a pupil pseudonym";
    case errc::attachment_list_mismatch:
      return "the outer attachment list does not match the attachments inside";
  }
  return "unknown protocol error";
}

}  // namespace

const boost::system::error_category& protocol_category() noexcept {
  static const FixedMessageCategory category("draaischijf.protocol", describe);
  return category;
}

}  // namespace draaischijf::protocol
