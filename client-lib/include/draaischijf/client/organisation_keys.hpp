#pragma once

// The organisation key ceremony on the admin's device (`draaischijf admin org init`): the
// organisation's Ed25519 signing key is made here and kept in a key store of its own, apart
// from the device key store (its own file and its own passphrase or key file, sealed the same
// way: Argon2id or a key file, XChaCha20-Poly1305, 0600, never overwritten); an age-encrypted
// backup goes to a recipient the organisation keeps offline; and a registration request signed
// with the new key goes to the hub operator (docs/PROTOCOL.md 7.16).
//
// Organisation key store: the device store's layout (key_store.hpp) with magic "DROK" and the
// payload org id[16] | org type u8 (PROTOCOL.md 4.1) | name utf8_8 | Ed25519 seed[32].
//
// Backup: an age v1 file (X25519 recipient) whose plaintext is text lines, so the stock `age`
// tool alone recovers the key (`age -d -i offline.key org-key.age`):
//   draaischijf organisation key v1
//   org_id <32 hex digits>
//   org_type <vocabulary name>
//   name <name>
//   signing_key <public key, base64>
//   signing_seed <32-byte seed, base64>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <draaischijf/client/key_store.hpp>
#include <draaischijf/client/session.hpp>
#include <draaischijf/protocol/age.hpp>
#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/registration.hpp>

namespace draaischijf::client {

enum class organisation_key_errc {
  /// The organisation key store is another organisation's, or its key is not the one the
  /// device's trust file pins for its organisation (or another than the device store holds).
  mismatch = 1,
};

[[nodiscard]] const boost::system::error_category& organisation_key_category() noexcept;
[[nodiscard]] inline boost::system::error_code make_error_code(organisation_key_errc e) noexcept {
  return {static_cast<int>(e), organisation_key_category()};
}

struct OrganisationSecrets {
  protocol::Id org_id{};
  protocol::OrgType type = protocol::OrgType::clb;
  std::string name;
  protocol::SigningKey key;
};

/// Creates `path` (0600); fails with key_store_errc::exists rather than replace a store.
[[nodiscard]] protocol::Result<void> save_organisation_key_store(
    const std::filesystem::path& path, const OrganisationSecrets& secrets, const Unlock& unlock,
    KdfCost cost = KdfCost::moderate());
[[nodiscard]] protocol::Result<OrganisationSecrets> open_organisation_key_store(
    const std::filesystem::path& path, const Unlock& unlock);

/// The backup's age file, sealed to `recipient` only.
[[nodiscard]] std::vector<std::uint8_t> organisation_backup(
    const OrganisationSecrets& secrets, const protocol::age::X25519Recipient& recipient);
/// The secrets in a backup, opened with the offline identity; key_store_errc::damaged when the
/// plaintext is not a backup or its seed does not give its public key.
[[nodiscard]] protocol::Result<OrganisationSecrets> open_organisation_backup(
    std::span<const std::uint8_t> backup, const protocol::age::X25519Identity& identity);

/// What `admin org init` is given.
struct NewOrganisation {
  protocol::Id org_id{};  // zero: a fresh random id
  protocol::OrgType type = protocol::OrgType::clb;
  std::string name;  // display safe, 1 to 200 bytes
  std::filesystem::path store;
  std::filesystem::path backup;
  protocol::age::X25519Recipient backup_recipient;
};

/// Makes the key, writes the store and the backup (neither may exist yet; nothing is left
/// behind when one cannot be written) and returns the registration request, signed with the
/// new key and dated `now_seconds`. name_unsafe for a name that is not display safe or too long.
[[nodiscard]] protocol::Result<protocol::OrganisationRegistration> create_organisation(
    const NewOrganisation& organisation, const Unlock& unlock, std::uint64_t now_seconds,
    KdfCost cost = KdfCost::moderate());

/// Makes the organisation key from its own store the session's, for the admin's work
/// (certifying devices, signing mailbox epochs and admin actions). organisation_key_errc::
/// mismatch when the store is not for the device's organisation or its key is not the pinned
/// one. When the trust file does not pin the organisation yet, this key is pinned: it is the
/// organisation's own key, held on this device.
[[nodiscard]] protocol::Result<void> use_organisation_key(Session& session,
                                                          OrganisationSecrets organisation);

/// An organisation's first admin device: this device's own end-to-end certificate for a new
/// person, signed with the organisation key (use_organisation_key first), which the hub
/// operator enrols (`draaischijf-hub org enrol-admin`) since no enrolled admin can approve it.
/// The device's role must be organisation_admin (client_errc::not_an_admin otherwise) and the
/// hub must list the organisation with this key (organisation_key_errc::mismatch otherwise).
[[nodiscard]] protocol::Result<protocol::DeviceCertificate> certify_self(Session& session);

}  // namespace draaischijf::client

namespace boost::system {
template <>
struct is_error_code_enum<draaischijf::client::organisation_key_errc> : std::true_type {};
}  // namespace boost::system
