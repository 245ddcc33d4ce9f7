#include <fcntl.h>
#include <map>
#include <stdexcept>
#include <unistd.h>

#include <sodium.h>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/pupil.hpp>
#include <draaischijf/server/admin/dev_deployment.hpp>

namespace draaischijf::server {
namespace {

namespace fs = std::filesystem;
using protocol::Id;
using std::chrono::hours;

constexpr hours kCrlLifetime{24 * 7};

[[noreturn]] void fail(std::string_view what, std::string_view why) {
  throw std::runtime_error("development deployment: " + std::string(what) + ": " +
                           std::string(why) + "; remove the dev-pki folder to start afresh");
}

template <class T>
T must(certs::Result<T> result, std::string_view what) {
  if (!result) {
    fail(what, result.error().message());
  }
  return std::move(*result);
}

void must(const certs::Result<void>& result, std::string_view what) {
  if (!result) {
    fail(what, result.error().message());
  }
}

std::string read_text(const fs::path& path) {
  return must(certs::read_text_file(path), path.filename().string());
}

// Key files: "name value" lines, created 0600 and never overwritten. The text is wiped after.
void write_key_file(const fs::path& path, std::string text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  const bool ok = fd >= 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  if (fd >= 0) {
    ::close(fd);
  }
  sodium_memzero(text.data(), text.size());
  if (!ok) {
    fail(path.filename().string(), "cannot be written");
  }
}

std::map<std::string, std::string> read_key_file(const fs::path& path) {
  std::string text = read_text(path);
  std::map<std::string, std::string> fields;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line(text.data() + at, end - at);
    const std::size_t space = line.find(' ');
    if (!line.starts_with('#') && space != std::string_view::npos) {
      fields.emplace(std::string(line.substr(0, space)), std::string(line.substr(space + 1)));
    }
    at = end + 1;
  }
  sodium_memzero(text.data(), text.size());
  return fields;
}

template <std::size_t N>
std::array<std::uint8_t, N> hex_field(const std::map<std::string, std::string>& fields,
                                      const std::string& name, const fs::path& path) {
  const auto it = fields.find(name);
  auto bytes = it == fields.end() ? protocol::Result<std::vector<std::uint8_t>>(
                                        make_error_code(protocol::errc::non_canonical))
                                  : protocol::hex_decode(it->second);
  if (!bytes || bytes->size() != N) {
    fail(path.filename().string(), "lacks a valid " + name);
  }
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  sodium_memzero(bytes->data(), bytes->size());
  return out;
}

protocol::SecretKey<32> secret_field(const std::map<std::string, std::string>& fields,
                                     const std::string& name, const fs::path& path) {
  auto bytes = hex_field<32>(fields, name, path);
  auto secret = protocol::SecretKey<32>::copy_of(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return secret;
}

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

// A device: its client certificate under the organisation CA and its end-to-end keys.
void create_device(const fs::path& folder, const certs::Authority& ca, const std::string& org_id,
                   const std::string& org_type, const std::string& role) {
  fs::create_directories(folder);
  const std::string device_id = hex(protocol::random_id());
  const auto key = must(certs::generate_p256_key(), "device key");
  const auto certificate = must(ca.issue_device(key.get(), {org_id, org_type, role, device_id},
                                                certs::Validity::starting_now(hours(24 * 365))),
                                "device certificate");
  // The device presents its chain: its own certificate, then its organisation's CA.
  must(certs::write_file_atomically(folder / "device.pem",
                                    certs::certificate_to_pem(certificate.get()) +
                                        certs::certificate_to_pem(ca.certificate())),
       "device.pem");
  must(certs::write_private_key_file(key.get(), (folder / "device.key").string()), "device.key");
  const auto signing = protocol::SigningKey::generate();
  const auto encryption = protocol::age::X25519Identity::generate();
  write_key_file(folder / "device.keys",
                 "# Draaischijf device keys (development deployment). Private.\n"
                 "org_id " +
                     org_id + "\ndevice_id " + device_id + "\nstaff_id " +
                     hex(protocol::random_id()) + "\nrole " + role + "\nsigning_seed " +
                     hex(signing.expose_seed().expose()) + "\nencryption_secret " +
                     hex(encryption.secret().expose()) + "\n");
  must(certs::write_file_atomically(folder / "id.txt",
                                    "org " + org_id + "\ndevice " + device_id + "\n"),
       "id.txt");
}

void create_dev_pki(const fs::path& dir, const std::vector<std::string>& names) {
  const certs::PkiLayout layout{dir};
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all);
  const auto root =
      must(certs::Authority::create_root(layout.root(), "Draaischijf development root",
                                         certs::Validity::starting_now(hours(24 * 3650))),
           "root CA");
  must(
      certs::write_file_atomically(dir / "root.pem", certs::certificate_to_pem(root.certificate())),
      "root.pem");
  const auto server_key = must(certs::generate_p256_key(), "server key");
  const auto server = must(
      root.issue_server(server_key.get(), names, certs::Validity::starting_now(hours(24 * 365))),
      "server certificate");
  must(certs::write_file_atomically(layout.server_certificate(),
                                    certs::certificate_to_pem(server.get())),
       "server.pem");
  must(certs::write_private_key_file(server_key.get(), layout.server_key().string()), "server.key");
  for (const DevOrganisation& org : dev_organisations()) {
    const auto folder = dir / org.slug;
    fs::create_directories(folder);
    const std::string org_id = hex(protocol::random_id());
    const auto ca = must(
        certs::Authority::create_organisation(layout.organisation(org_id), root, org_id, org.name,
                                              certs::Validity::starting_now(hours(24 * 1825))),
        "organisation CA");
    const auto organisation_key = protocol::SigningKey::generate();
    write_key_file(folder / "organisation.keys",
                   "# Draaischijf organisation signing key (development deployment). Private.\n"
                   "org_id " +
                       org_id + "\norg_type " + org.type + "\nsigning_seed " +
                       hex(organisation_key.expose_seed().expose()) + "\n");
    create_device(folder, ca, org_id, org.type, org.role);
    create_device(folder / "admin", ca, org_id, org.type,
                  std::string(protocol::name_of(protocol::StaffRole::organisation_admin)));
  }
  must(certs::publish_crls(layout, kCrlLifetime), "CRLs");
  must(certs::write_file_atomically(dir / "complete", ""), "complete");  // last
}

// CRLs are re-issued when half their lifetime has passed: at every start, and before every
// reload of a running hub (refresh_dev_crls).
void refresh_crls(const certs::PkiLayout& layout, const protocol::Clock& clock) {
  auto text = certs::read_text_file(layout.crl_dir() / "root.crl.pem");
  auto crl = text ? certs::crl_from_pem(*text) : certs::Result<certs::CrlPtr>(text.error());
  if (crl) {
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl->get());
    const std::time_t half = std::chrono::system_clock::to_time_t(clock.now() + kCrlLifetime / 2);
    if (next != nullptr && X509_cmp_time(next, const_cast<std::time_t*>(&half)) > 0) {
      return;
    }
  }
  must(certs::publish_crls(layout, kCrlLifetime), "CRLs");
}

void must_commit(const sqlite::Result<void>& result, std::string_view what) {
  if (!result) {
    fail(what, result.error().message());
  }
}

void enrol(Directory& directory, const DevDeviceKeys& device, const Organisation& organisation,
           const protocol::SigningKey& organisation_key, const Actor& admin,
           const protocol::Clock& clock) {
  const auto now = clock.now();
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  Device request{device.device_id,
                 device.org_id,
                 device.role,
                 DeviceState::pending,
                 device.signing.public_key(),
                 device.encryption.public_key(),
                 device.staff_id,
                 {},
                 now_ms};
  must_commit(directory.wait([&](auto done) { return directory.request_enrolment(request, done); }),
              "enrolment request");
  protocol::DeviceCertificate certificate;
  certificate.org_id = device.org_id;
  certificate.org_type = organisation.type;
  certificate.device_id = device.device_id;
  certificate.staff_id = device.staff_id;
  certificate.role =
      protocol::parse_name<protocol::StaffRole>(device.role).value_or(protocol::StaffRole{});
  certificate.signing_key = device.signing.public_key();
  certificate.encryption_key = device.encryption.public_key();
  const auto seconds = static_cast<std::uint64_t>(std::chrono::system_clock::to_time_t(now));
  certificate.not_before = seconds - 300;
  certificate.not_after = seconds + 365ULL * 24 * 3600;
  const auto bytes = protocol::encode(protocol::issue(certificate, organisation_key));
  must_commit(directory.wait([&](auto done) {
    return directory.approve_enrolment(admin, device.device_id, bytes, now_ms, done);
  }),
              "enrolment approval");
}

}  // namespace

DevDeviceKeys load_dev_device_keys(const fs::path& folder) {
  const auto path = folder / "device.keys";
  const auto fields = read_key_file(path);
  return {
      hex_field<16>(fields, "org_id", path),
      hex_field<16>(fields, "device_id", path),
      hex_field<16>(fields, "staff_id", path),
      fields.count("role") != 0 ? fields.at("role") : std::string(),
      protocol::SigningKey::from_seed(secret_field(fields, "signing_seed", path)),
      protocol::age::X25519Identity::from_secret(secret_field(fields, "encryption_secret", path))};
}

DevOrganisationKey load_dev_organisation_key(const fs::path& folder) {
  const auto path = folder / "organisation.keys";
  const auto fields = read_key_file(path);
  return {hex_field<16>(fields, "org_id", path),
          protocol::SigningKey::from_seed(secret_field(fields, "signing_seed", path))};
}

std::vector<DevOrganisation> dev_organisations() {
  return {{"clb", "CLB Waas en Dender", "clb", "clb_onthaal", "Onthaal"},
          {"school", "Basisschool De Regenboog", "school", "school_zorgcoordinator", "Zorgteam"},
          {"caw", "CAW Oost-Vlaanderen", "caw", "partner_intake", "Intake"}};
}

void refresh_dev_crls(const fs::path& dir, const protocol::Clock& clock) {
  refresh_crls(certs::PkiLayout{dir}, clock);
}

TlsMaterial ensure_dev_pki(const fs::path& dir, HubConfig& config, const protocol::Clock& clock) {
  const certs::PkiLayout layout{dir};
  if (!fs::exists(dir / "complete")) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    create_dev_pki(dir, config.server.names);
  }
  refresh_crls(layout, clock);
  config.tls.certificate = layout.server_certificate();
  config.tls.private_key = layout.server_key();
  config.tls.client_ca = layout.root_certificate();
  config.tls.crl_dir = layout.crl_dir();
  return {read_text(layout.server_certificate()), read_text(layout.server_key()),
          read_text(layout.root_certificate())};
}

namespace {

// Where the demo organisations work, what the CAW offers and the school's own CLB, as the
// operator records them with `org set`; once, so a restart writes no audit rows.
void record_dev_profiles(Directory& directory, const fs::path& dir, const protocol::Clock& clock) {
  using protocol::Offer;
  const auto clb = load_dev_organisation_key(dir / "clb").org_id;
  const std::map<std::string, OrganisationProfileChange> profiles = {
      {"clb", {protocol::Province::oost_vlaanderen, "Sint-Niklaas", {}, {}, false}},
      {"school", {protocol::Province::oost_vlaanderen, "Lokeren", {}, clb, false}},
      {"caw",
       {protocol::Province::oost_vlaanderen,
        "Gent",
        std::vector{Offer::caw_onthaal, Offer::caw_intake, Offer::caw_jac,
                    Offer::jeugdhulp_rechtstreeks_toegankelijk},
        {},
        false}},
  };
  for (const auto& [slug, change] : profiles) {
    const auto org_id = load_dev_organisation_key(dir / slug).org_id;
    auto recorded = directory.organisation(org_id);
    if (!recorded || recorded->province) {
      continue;
    }
    must_commit(directory.wait([&](auto done) {
      return directory.change_organisation_profile(org_id, change, clock.now_ms(), done);
    }),
                "organisation profile");
  }
}

}  // namespace

void ensure_dev_directory(Directory& directory, ConsentRegistry& consents, const fs::path& dir,
                          const protocol::Clock& clock) {
  // The organisation keys a client pins, as an operator would hand them over out of band.
  std::string trust =
      "# Draaischijf trust file: organisation signing keys, verified out of band.\n";
  for (const DevOrganisation& org : dev_organisations()) {
    const auto folder = dir / org.slug;
    const auto [org_id, organisation_key] = load_dev_organisation_key(folder);
    trust += "org " + hex(org_id) + " " + protocol::base64_encode(organisation_key.public_key()) +
             " " + org.name + "\n";
    if (directory.organisation(org_id)) {
      continue;
    }
    const Organisation organisation{
        org_id, protocol::parse_name<protocol::OrgType>(org.type).value_or(protocol::OrgType{}),
        org.name, organisation_key.public_key()};
    const auto now = clock.now();
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    must_commit(directory.wait([&](auto done) {
      return directory.add_organisation(organisation, now_ms, done);
    }),
                "organisation");
    const DevDeviceKeys admin = load_dev_device_keys(folder / "admin");
    const DevDeviceKeys staff = load_dev_device_keys(folder);
    const Actor actor{org_id, admin.device_id};
    enrol(directory, admin, organisation, organisation_key, actor, clock);
    enrol(directory, staff, organisation, organisation_key, actor, clock);
    // The organisation's pupil key for both devices, as the admin's client leaves it at
    // enrolment: sealed to each device and signed by the organisation (protocol/pupil.hpp).
    const auto pupil_key = protocol::PupilKey::of_organisation(organisation_key);
    for (const DevDeviceKeys* device : {&staff, &admin}) {
      StoredPupilKey box{
          org_id, device->device_id, admin.device_id,
          protocol::seal_pupil_key(pupil_key, org_id, device->device_id,
                                   device->encryption.public_key(), organisation_key),
          now_ms};
      must_commit(directory.wait([&](auto done) { return consents.store_pupil_key(box, done); }),
                  "pupil key");
    }

    // One mailbox, epoch 0, with the staff device and the admin as its members: the admin
    // holds the seed so it can rotate the mailbox when it adds or removes a device. It serves
    // the staff device's role (Onthaal is the CLB's clb_onthaal mailbox, and so on), which
    // both members fit (docs/PROTOCOL.md 5.1).
    const auto seed = protocol::EpochSeed::random();
    protocol::MailboxEpochCertificate epoch;
    epoch.mailbox_id = protocol::random_id();
    epoch.org_id = org_id;
    epoch.epoch = 0;
    epoch.function = protocol::parse_name<protocol::StaffRole>(org.role);
    epoch.mailbox_key = protocol::mailbox_identity(seed).public_key();
    const std::vector<Id> members = {staff.device_id, admin.device_id};
    epoch.members_hash = protocol::members_hash(members);
    protocol::set_default_window(
        epoch, static_cast<std::uint64_t>(std::chrono::system_clock::to_time_t(now)));
    epoch = protocol::issue(epoch, organisation_key);
    EpochChange change{epoch.mailbox_id, org.mailbox, protocol::encode(epoch), {}, {}};
    for (const DevDeviceKeys* member : {&staff, &admin}) {
      auto box = protocol::seal_seed_to_device(seed, epoch.mailbox_id, epoch.epoch,
                                               member->encryption.public_key());
      if (!box) {
        fail("seed box", box.error().message());
      }
      change.members.push_back({member->device_id, std::move(*box)});
    }
    must_commit(directory.wait([&](auto done) {
      return directory.change_mailbox(actor, std::move(change), now_ms, done);
    }),
                "mailbox");
  }
  must(certs::write_file_atomically(dir / "trust.txt", trust), "trust.txt");
  record_dev_profiles(directory, dir, clock);
}

}  // namespace draaischijf::server
