#pragma once

#include <string>
#include <type_traits>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace draaischijf::protocol {

/// Every way a protocol object can be refused. The values are stable (they appear in logs and
/// problem documents), so new ones are only ever appended.
enum class errc {
  // Canonical encoding
  truncated = 1,
  trailing_data,
  bad_magic,
  unsupported_version,
  unsupported_suite,
  non_canonical,
  field_out_of_range,
  bad_base64,
  bad_bech32,
  wrong_key_type,
  // age v1
  age_header_malformed,
  age_no_identity_matched,
  age_header_mac_mismatch,
  age_payload_corrupt,
  age_payload_truncated,
  age_trailing_data,
  age_all_zero_shared_secret,
  // Certificates and keys
  certificate_untrusted,
  certificate_signature_invalid,
  certificate_not_yet_valid,
  certificate_expired,
  certificate_wrong_organisation,
  // Mailbox epochs
  seed_box_invalid,
  seed_does_not_match_certificate,
  epoch_chain_broken,
  // Envelope
  no_recipients,
  too_many_recipients,
  duplicate_recipient,
  recipient_stanza_mismatch,
  not_a_recipient,
  unknown_epoch,
  stale_epoch,
  stanza_does_not_open,
  key_commitment_mismatch,
  signature_invalid,
  sender_mismatch,
  label_mismatch,
  payload_too_large,
  // Second approval
  approval_mismatch,
  // Mailbox epochs, continued: the validity window of epoch certificate v2
  epoch_expired,
  epoch_not_yet_valid,
  // Envelope v2 (PROTOCOL.md 7.7, 8.1)
  approval_content_mismatch,
  pupil_mismatch,
  pupil_missing,
  // Envelope v3 (PROTOCOL.md 7.1, 8.1): the outer attachment list
  attachment_list_mismatch,
};

[[nodiscard]] const boost::system::error_category& protocol_category() noexcept;

/// An error category with a fixed name and fixed messages, shared by every module: messages are
/// strings chosen in the code, never data from the input, so they are safe in logs and problem
/// documents.
class FixedMessageCategory final : public boost::system::error_category {
 public:
  using Describe = const char* (*)(int value) noexcept;
  FixedMessageCategory(const char* name, Describe describe) noexcept
      : name_(name), describe_(describe) {}
  [[nodiscard]] const char* name() const noexcept override { return name_; }
  [[nodiscard]] std::string message(int value) const override { return describe_(value); }

 private:
  const char* name_;
  Describe describe_;
};

[[nodiscard]] inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), protocol_category()};
}

template <class T>
using Result = boost::system::result<T>;

}  // namespace draaischijf::protocol

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::protocol::errc> : std::true_type {};
}  // namespace boost::system
