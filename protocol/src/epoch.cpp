#include <sodium.h>

#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/wire.hpp>

namespace draaischijf::protocol {
namespace {

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "DRSJmbx1";
constexpr std::uint64_t kMailboxKeyId = 1;
constexpr std::uint64_t kChainKeyId = 2;
constexpr std::string_view kPreviousSeedDomain = "draaischijf/previous-seed/v1";
constexpr std::size_t kBindingSize = 16 + 4;

SecretKey<32> derive(const EpochSeed& seed, std::uint64_t id) {
  ensure_sodium();
  SecretKey<32> out;
  crypto_kdf_derive_from_key(out.expose_mutable().data(), out.kSize, id, kKdfContext,
                             seed.expose().data());
  return out;
}

std::array<std::uint8_t, kBindingSize> binding(const Id& mailbox_id, std::uint32_t epoch) {
  std::vector<std::uint8_t> out;
  wire::Writer w(out);
  w.bytes(mailbox_id);
  w.u32(epoch);
  std::array<std::uint8_t, kBindingSize> fixed{};
  std::copy(out.begin(), out.end(), fixed.begin());
  return fixed;
}

std::vector<std::uint8_t> previous_seed_ad(const Id& mailbox_id, std::uint32_t epoch) {
  std::vector<std::uint8_t> ad(kPreviousSeedDomain.begin(), kPreviousSeedDomain.end());
  const auto bound = binding(mailbox_id, epoch);
  ad.insert(ad.end(), bound.begin(), bound.end());
  return ad;
}

Result<void> check_seed(const EpochSeed& seed, const MailboxEpochCertificate& certificate) {
  if (!ct_equal(mailbox_identity(seed).public_key(), certificate.mailbox_key)) {
    return errc::seed_does_not_match_certificate;
  }
  return {};
}

}  // namespace

age::X25519Identity mailbox_identity(const EpochSeed& seed) {
  return age::X25519Identity::from_secret(derive(seed, kMailboxKeyId));
}

Result<std::vector<std::uint8_t>> seal_seed_to_device(const EpochSeed& seed, const Id& mailbox_id,
                                                      std::uint32_t epoch,
                                                      const X25519PublicKey& device_key) {
  ensure_sodium();
  if (!age::is_usable_recipient_key(device_key)) {
    return errc::field_out_of_range;
  }
  SecretBytes message = SecretBytes::copy_of(seed.expose());
  message.append(binding(mailbox_id, epoch));
  std::vector<std::uint8_t> box(message.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(box.data(), message.expose().data(), message.size(), device_key.data()) !=
      0) {
    return errc::field_out_of_range;
  }
  return box;
}

Result<EpochSeed> open_seed_box(std::span<const std::uint8_t> box,
                                const age::X25519Identity& device_key,
                                const MailboxEpochCertificate& certificate) {
  if (box.size() != kSeedBoxSize) {
    return errc::seed_box_invalid;
  }
  ensure_sodium();
  SecretBytes message(box.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(message.expose_mutable().data(), box.data(), box.size(),
                           device_key.public_key().data(),
                           device_key.secret().expose().data()) != 0) {
    return errc::seed_box_invalid;
  }
  const auto bound = binding(certificate.mailbox_id, certificate.epoch);
  if (!ct_equal(message.expose().subspan(32), bound)) {
    return errc::seed_box_invalid;
  }
  auto seed = EpochSeed::copy_of(message.expose().first<32>());
  if (auto ok = check_seed(seed, certificate); !ok) {
    return ok.error();
  }
  return seed;
}

std::vector<std::uint8_t> seal_previous_seed(const EpochSeed& current, const Id& mailbox_id,
                                             std::uint32_t current_epoch,
                                             const EpochSeed& previous) {
  const SecretKey<32> chain_key = derive(current, kChainKeyId);
  const std::vector<std::uint8_t> ad = previous_seed_ad(mailbox_id, current_epoch);
  std::vector<std::uint8_t> box(kPreviousSeedBoxSize);
  random_fill(std::span(box).first(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES));
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      box.data() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, nullptr, previous.expose().data(),
      previous.kSize, ad.data(), ad.size(), nullptr, box.data(), chain_key.expose().data());
  return box;
}

Result<EpochSeed> open_previous_seed(std::span<const std::uint8_t> box, const EpochSeed& current,
                                     const MailboxEpochCertificate& current_certificate,
                                     const MailboxEpochCertificate& previous_certificate) {
  if (box.size() != kPreviousSeedBoxSize) {
    return errc::epoch_chain_broken;
  }
  if (auto linked = verify_succession(previous_certificate, current_certificate); !linked) {
    return linked.error();
  }
  const SecretKey<32> chain_key = derive(current, kChainKeyId);
  const std::vector<std::uint8_t> ad =
      previous_seed_ad(current_certificate.mailbox_id, current_certificate.epoch);
  EpochSeed previous;
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          previous.expose_mutable().data(), nullptr, nullptr, box.data() + kNonce,
          box.size() - kNonce, ad.data(), ad.size(), box.data(), chain_key.expose().data()) != 0) {
    return errc::epoch_chain_broken;
  }
  if (auto ok = check_seed(previous, previous_certificate); !ok) {
    return ok.error();
  }
  return previous;
}

}  // namespace draaischijf::protocol
