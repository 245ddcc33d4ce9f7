#include <fstream>
#include <sstream>
#include <stdexcept>

#include <draaischijf/certs/pki.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/dev_deployment.hpp>

namespace draaischijf::server {
namespace {

using std::chrono::hours;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string() +
                             "; remove the folder to let the hub create it again");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

template <class T>
T must(certs::Result<T> result, std::string_view what) {
  if (!result) {
    throw std::runtime_error("development PKI: " + std::string(what) + ": " +
                             result.error().message());
  }
  return std::move(*result);
}

void must(const certs::Result<void>& result, std::string_view what) {
  if (!result) {
    throw std::runtime_error("development PKI: " + std::string(what) + ": " +
                             result.error().message());
  }
}

void create_dev_pki(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  const auto root_key = must(certs::generate_p256_key(), "root key");
  const auto root = must(certs::issue_root_ca(root_key.get(), "Draaischijf development root",
                                              certs::Validity::starting_now(hours(24 * 3650))),
                         "root");
  write_text(dir / "root.pem", certs::certificate_to_pem(root.get()));
  const auto server_key = must(certs::generate_p256_key(), "server key");
  const auto server =
      must(certs::issue_server_certificate(server_key.get(), names, root.get(), root_key.get(),
                                           certs::Validity::starting_now(hours(24 * 90))),
           "server certificate");
  write_text(dir / "server.pem", certs::certificate_to_pem(server.get()));
  must(certs::write_private_key_file(server_key.get(), (dir / "server.key").string()),
       "server key file");
  for (DevOrganisation org : dev_organisations()) {
    const auto folder = dir / org.slug;
    std::filesystem::create_directories(folder);
    org.org_id = protocol::to_hex(protocol::random_id());
    org.device_id = protocol::to_hex(protocol::random_id());
    const auto ca_key = must(certs::generate_p256_key(), "organisation CA key");
    const auto ca = must(
        certs::issue_organisation_ca(ca_key.get(), org.org_id, org.name, root.get(), root_key.get(),
                                     certs::Validity::starting_now(hours(24 * 1825))),
        "organisation CA");
    write_text(folder / "ca.pem", certs::certificate_to_pem(ca.get()));
    const auto device_key = must(certs::generate_p256_key(), "device key");
    const auto device =
        must(certs::issue_device_certificate(
                 device_key.get(), {org.org_id, org.type, org.role, org.device_id}, ca.get(),
                 ca_key.get(), certs::Validity::starting_now(hours(24 * 365))),
             "device certificate");
    // The device presents its chain: its own certificate, then its organisation's CA.
    write_text(folder / "device.pem",
               certs::certificate_to_pem(device.get()) + certs::certificate_to_pem(ca.get()));
    must(certs::write_private_key_file(device_key.get(), (folder / "device.key").string()),
         "device key file");
    write_text(folder / "id.txt", "org " + org.org_id + "\ndevice " + org.device_id + "\n");
  }
  write_text(dir / "complete", "");  // last: a half-written PKI is never used
}

}  // namespace

std::vector<DevOrganisation> dev_organisations() {
  return {{"clb", "CLB Waas en Dender", "clb", "clb_onthaal", "", ""},
          {"school", "Basisschool De Regenboog", "school", "school_zorgcoordinator", "", ""},
          {"caw", "CAW Oost-Vlaanderen", "caw", "partner_intake", "", ""}};
}

TlsMaterial ensure_dev_pki(const std::filesystem::path& dir,
                           const std::vector<std::string>& server_names) {
  if (!std::filesystem::exists(dir / "complete")) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    create_dev_pki(dir, server_names);
  }
  return {read_text(dir / "server.pem"), read_text(dir / "server.key"),
          read_text(dir / "root.pem")};
}

}  // namespace draaischijf::server
