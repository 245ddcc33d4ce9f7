#include <sodium.h>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/organisation_keys.hpp>
#include <draaischijf/client/profile.hpp>
#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/wire.hpp>

#include "fixed_bytes.hpp"
#include "sealed_store.hpp"
#include "session_state.hpp"

namespace draaischijf::client {
namespace {

namespace fs = std::filesystem;
using protocol::Result;
using protocol::SecretBytes;
using protocol::SecretKey;

constexpr std::array<std::uint8_t, 4> kMagic = {'D', 'R', 'O', 'K'};
constexpr std::string_view kBackupFirstLine = "draaischijf organisation key v1";

void append(SecretBytes& out, std::string_view text) {
  out.append({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

// A base64 or decoded copy of the seed lives outside a wiping buffer only this long.
template <class Bytes>
void wipe(Bytes& bytes) {
  sodium_memzero(bytes.data(), bytes.size());
}

// The value of the backup line "`name` value", or nullopt; `lines` are the plaintext's.
std::optional<std::string_view> line_value(const std::vector<std::string_view>& lines,
                                           std::string_view name) {
  for (const auto line : lines) {
    if (line.size() > name.size() && line.substr(0, name.size()) == name &&
        line[name.size()] == ' ') {
      return line.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

bool good_name(std::string_view name) {
  return !name.empty() && name.size() <= protocol::kMaxOrganisationName &&
         protocol::is_display_safe(name);
}

const char* describe(int value) noexcept {
  switch (static_cast<organisation_key_errc>(value)) {
    case organisation_key_errc::mismatch:
      return "the organisation key store (--org-keys) is not this device's organisation's, or "
             "its key is not the one pinned for it; use the store `admin org init` or `admin org "
             "restore-key` made for this organisation";
  }
  return "unknown organisation key error";
}

}  // namespace

const boost::system::error_category& organisation_key_category() noexcept {
  static const protocol::FixedMessageCategory category("draaischijf.organisation_key", describe);
  return category;
}

Result<void> use_organisation_key(Session& session, OrganisationSecrets organisation) {
  auto& s = session.state();
  const auto& key = organisation.key.public_key();
  const bool other_in_device_store =
      s.secrets.organisation && s.secrets.organisation->public_key() != key;
  if (organisation.org_id != s.secrets.org_id || other_in_device_store) {
    return make_error_code(organisation_key_errc::mismatch);
  }
  if (const auto* pinned = s.trust.find(organisation.org_id); pinned == nullptr) {
    TrustFile changed = s.trust;
    if (auto added = changed.pin({organisation.org_id, key, organisation.name}); !added) {
      return added.error();
    }
    if (auto committed = s.commit_trust(std::move(changed)); !committed) {
      return committed;
    }
  } else if (pinned->key != key) {
    return make_error_code(organisation_key_errc::mismatch);
  }
  s.secrets.organisation = std::move(organisation.key);
  s.pupil_key.reset();  // derived from the organisation key
  return {};
}

Result<void> save_organisation_key_store(const fs::path& path, const OrganisationSecrets& secrets,
                                         const Unlock& unlock, KdfCost cost) {
  protocol::SecretBuffer payload;
  protocol::wire::SecretWriter writer(payload);
  writer.bytes(secrets.org_id);
  writer.u8(static_cast<std::uint8_t>(secrets.type));
  writer.text8(secrets.name);
  writer.bytes(secrets.key.expose_seed().expose());
  return seal_store(path, kMagic, payload, unlock, cost);
}

Result<OrganisationSecrets> open_organisation_key_store(const fs::path& path,
                                                        const Unlock& unlock) {
  auto payload = open_store(path, kMagic, unlock);
  if (!payload) {
    return payload.error();
  }
  protocol::wire::Reader reader(payload->expose());
  const auto org_id = reader.fixed<16>();
  const auto type = protocol::from_code<protocol::OrgType>(reader.u8());
  std::string name = reader.utf8_8();
  const auto seed = reader.take(32);
  if (!reader.finish() || !type) {
    return make_error_code(key_store_errc::damaged);
  }
  return OrganisationSecrets{
      org_id, *type, std::move(name),
      protocol::SigningKey::from_seed(SecretKey<32>::copy_of(seed.first<32>()))};
}

std::vector<std::uint8_t> organisation_backup(const OrganisationSecrets& secrets,
                                              const protocol::age::X25519Recipient& recipient) {
  SecretBytes text;
  append(text, std::string(kBackupFirstLine) + "\norg_id " + protocol::to_hex(secrets.org_id) +
                   "\norg_type " + std::string(protocol::name_of(secrets.type)) + "\nname " +
                   secrets.name + "\nsigning_key " +
                   protocol::base64_encode(secrets.key.public_key()) + "\nsigning_seed ");
  std::string seed = protocol::base64_encode(secrets.key.expose_seed().expose());
  append(text, seed);
  wipe(seed);
  append(text, "\n");
  return protocol::age::encrypt(text.expose(), {&recipient, 1});
}

Result<OrganisationSecrets> open_organisation_backup(
    std::span<const std::uint8_t> backup, const protocol::age::X25519Identity& identity) {
  auto plaintext = protocol::age::decrypt(backup, {&identity, 1});
  if (!plaintext) {
    return plaintext.error();
  }
  const std::string_view text(reinterpret_cast<const char*>(plaintext->expose().data()),
                              plaintext->size());
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    const auto end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at));
    at = end == std::string_view::npos ? text.size() : end + 1;
  }
  const auto org_id = exactly<16>(protocol::hex_decode(line_value(lines, "org_id").value_or("")));
  const auto type =
      protocol::parse_name<protocol::OrgType>(line_value(lines, "org_type").value_or(""));
  const auto name = line_value(lines, "name");
  const auto public_key =
      exactly<32>(protocol::base64_decode(line_value(lines, "signing_key").value_or("")));
  auto seed = exactly<32>(protocol::base64_decode(line_value(lines, "signing_seed").value_or("")));
  const bool complete = !lines.empty() && lines.front() == kBackupFirstLine && org_id && type &&
                        name && good_name(*name) && public_key && seed;
  if (!complete) {
    if (seed) {
      sodium_memzero(seed->data(), seed->size());
    }
    return make_error_code(key_store_errc::damaged);
  }
  OrganisationSecrets secrets{*org_id, *type, std::string(*name),
                              protocol::SigningKey::from_seed(SecretKey<32>::copy_of(*seed))};
  sodium_memzero(seed->data(), seed->size());
  // A seed that does not give the public key beside it is a damaged or doctored backup.
  if (*public_key != secrets.key.public_key()) {
    return make_error_code(key_store_errc::damaged);
  }
  return secrets;
}

Result<protocol::OrganisationRegistration> create_organisation(const NewOrganisation& organisation,
                                                               const Unlock& unlock,
                                                               std::uint64_t now_seconds,
                                                               KdfCost cost) {
  if (!good_name(organisation.name)) {
    return make_error_code(client_errc::name_unsafe);
  }
  std::error_code ec;
  if (fs::exists(organisation.store, ec) || fs::exists(organisation.backup, ec)) {
    return make_error_code(key_store_errc::exists);
  }
  OrganisationSecrets secrets{
      protocol::is_zero(organisation.org_id) ? protocol::random_id() : organisation.org_id,
      organisation.type, organisation.name, protocol::SigningKey::generate()};
  if (auto saved = save_organisation_key_store(organisation.store, secrets, unlock, cost); !saved) {
    return saved.error();
  }
  // Without its backup the key is one lost laptop away from a new organisation: both or none.
  const auto backup = organisation_backup(secrets, organisation.backup_recipient);
  const std::string_view backup_text(reinterpret_cast<const char*>(backup.data()), backup.size());
  if (auto written = write_file_atomically(organisation.backup, backup_text, 0600); !written) {
    fs::remove(organisation.store, ec);
    return written.error();
  }
  protocol::OrganisationRegistration request;
  request.org_id = secrets.org_id;
  request.org_type = secrets.type;
  request.name = secrets.name;
  request.created_at = now_seconds;
  return protocol::sign_registration(std::move(request), secrets.key);
}

}  // namespace draaischijf::client
