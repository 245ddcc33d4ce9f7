#include <algorithm>
#include <future>
#include <map>
#include <ostream>

#include <draaischijf/certs/authority.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/server/admin/pki_command.hpp>

#include "admin/command_args.hpp"

namespace draaischijf::server {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using namespace admin_args;  // NOLINT(google-build-using-namespace): the commands' own helpers

constexpr std::string_view kPkiUsage = R"(draaischijf-hub pki - the hub's PKI for mutual TLS

Usage (DIR is the PKI folder; tls.client_ca = DIR/root/ca.pem, tls.crl_dir = DIR/crl):
  pki root   --dir DIR [--name NAME] [--days 3650]
             Creates the hub root CA in DIR/root.
  pki server --dir DIR --name HOST [--name HOST ...] [--days 365]
             Issues the hub's server certificate (DIR/server.pem, DIR/server.key).
  pki org    --dir DIR --org-id HEX --name NAME [--days 1825]
             Creates an organisation CA (pathlen 0) in DIR/orgs/<org id>.
  pki device --dir DIR --org-id HEX --org-type TYPE --role ROLE --out FOLDER
             [--csr FILE] [--device-id HEX] [--days 365]
             Issues a device client certificate into FOLDER (device.pem with the chain,
             device.key). TYPE and ROLE are vocabulary names (clb, clb_onthaal, ...).
             With --csr, certifies the ECDSA P-256 key of the device's PEM certificate
             request instead and writes device.pem only: the key stays on the device.
  pki revoke --dir DIR --serial HEX [--org-id HEX]
             Revokes a device certificate of an organisation CA (or, without --org-id, an
             organisation CA under the root). Run "pki crl" next.
  pki crl    --dir DIR [--days 7]
             Issues fresh CRLs for every CA into DIR/crl. The hub reloads them within
             tls.crl_reload_seconds and refuses every client once a CRL is past its next update:
             publish again well before --days have passed.
)";

bool only_known_options(std::string_view command, const Args& args, std::ostream& err) {
  static const std::map<std::string_view, std::vector<std::string_view>> kKnown = {
      {"root", {"dir", "name", "days"}},
      {"server", {"dir", "name", "days"}},
      {"org", {"dir", "org-id", "name", "days"}},
      {"device", {"dir", "org-id", "org-type", "role", "out", "csr", "device-id", "days"}},
      {"revoke", {"dir", "serial", "org-id"}},
      {"crl", {"dir", "days"}},
  };
  const auto known = kKnown.find(command);
  // An unknown command is reported by its caller.
  return known == kKnown.end() ||
         only_known(command, args, known->second, "draaischijf-hub pki --help", err);
}

// As `openssl x509 -serial` prints it ("serial=0A1B...") or plain, in either case.
std::string normalised_serial(std::string serial) {
  if (serial.starts_with("serial=")) {
    serial.erase(0, 7);
  }
  for (char& c : serial) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return serial;
}

bool days(const Args& args, int fallback, hours& out, std::ostream& err) {
  const std::string text = args.one("days", std::to_string(fallback));
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < 1 || value > 36500) {
    err << "error: --days takes a whole number of days between 1 and 36500\n";
    return false;
  }
  out = hours(24 * value);
  return true;
}

// Over 80 lines on purpose: one short branch per `pki` subcommand, read top to bottom like the
// usage text above; each branch is a few calls into certs::Authority.
int run(std::string_view command, const Args& args, std::ostream& out, std::ostream& err,
        const protocol::Clock& clock) {
  if (!args.has("dir")) {
    err << "error: --dir is required: the PKI folder\n";
    return 2;
  }
  const certs::PkiLayout layout{args.one("dir")};
  hours lifetime{};
  if (command == "root") {
    if (!days(args, 3650, lifetime, err)) {
      return 2;
    }
    auto root =
        certs::Authority::create_root(layout.root(), args.one("name", "Draaischijf hub root"),
                                      certs::Validity::starting_now(lifetime));
    if (!root) {
      return failed(err, "creating the root", root.error(), "DIR/root must not exist yet");
    }
    out << "root CA: " << layout.root_certificate().string() << "\n";
    return 0;
  }
  if (command == "crl") {
    if (!days(args, 7, lifetime, err)) {
      return 2;
    }
    if (auto published = certs::publish_crls(layout, lifetime); !published) {
      return failed(err, "publishing CRLs", published.error(), "check that DIR holds the PKI");
    }
    out << "CRLs: " << layout.crl_dir().string() << "\n";
    return 0;
  }
  auto root = certs::Authority::load(layout.root());
  if (!root) {
    return failed(err, "loading the root", root.error(), "create it with pki root");
  }
  const std::string org_id = args.one("org-id");
  if (command == "server") {
    const auto it = args.values.find("name");
    if (it == args.values.end() || !days(args, 365, lifetime, err)) {
      err << "error: give the hub's names with --name (one or more)\n";
      return 2;
    }
    auto key = certs::generate_p256_key();
    auto certificate = key ? root->issue_server(key->get(), {it->second.begin(), it->second.end()},
                                                certs::Validity::starting_now(lifetime))
                           : certs::Result<certs::CertificatePtr>(key.error());
    if (!certificate) {
      return failed(err, "issuing the server certificate", certificate.error(),
                    "names are DNS names or IP addresses");
    }
    std::error_code ignored;
    fs::remove(layout.server_key(), ignored);  // a re-issue replaces the key
    if (auto written = certs::write_private_key_file(key->get(), layout.server_key().string());
        !written) {
      return failed(err, "writing server.key", written.error(), "check DIR's permissions");
    }
    if (auto written = certs::write_file_atomically(layout.server_certificate(),
                                                    certs::certificate_to_pem(certificate->get()));
        !written) {
      return failed(err, "writing server.pem", written.error(), "check DIR's permissions");
    }
    out << "server certificate: " << layout.server_certificate().string() << "\n";
    return 0;
  }
  if (command == "org") {
    if (!days(args, 1825, lifetime, err)) {
      return 2;
    }
    auto org = certs::Authority::create_organisation(layout.organisation(org_id), *root, org_id,
                                                     args.one("name", "organisation " + org_id),
                                                     certs::Validity::starting_now(lifetime));
    if (!org) {
      return failed(err, "creating the organisation CA", org.error(),
                    "--org-id takes 32 lower-case hexadecimal digits not used before");
    }
    out << "organisation CA: " << (layout.organisation(org_id) / "ca.pem").string() << "\n"
        << "serial: " << certs::serial_hex(org->certificate()) << "\n";
    return 0;
  }
  if (command == "revoke") {
    auto authority =
        org_id.empty() ? std::move(root) : certs::Authority::load(layout.organisation(org_id));
    if (!authority) {
      return failed(err, "loading the CA", authority.error(), "check --org-id");
    }
    const std::string serial = normalised_serial(args.one("serial"));
    if (auto revoked = authority->revoke(serial, clock.now()); !revoked) {
      return failed(err, "revoking", revoked.error(), "--serial takes the hexadecimal serial");
    }
    out << "revoked " << serial << "; now run: draaischijf-hub pki crl --dir "
        << layout.dir.string() << "\n";
    return 0;
  }
  if (command == "device") {
    auto org = certs::Authority::load(layout.organisation(org_id));
    if (!org) {
      return failed(err, "loading the organisation CA", org.error(), "create it with pki org");
    }
    if (!args.has("out") || !days(args, 365, lifetime, err)) {
      err << "error: --out names the folder for device.pem and device.key\n";
      return 2;
    }
    const fs::path folder = args.one("out");
    const std::string device_id = args.one("device-id", protocol::to_hex(protocol::random_id()));
    // With --csr the key is the device's own public key (its private key never leaves the
    // device); without, the command makes the key pair and hands the private key over.
    const bool requested = args.has("csr");
    const auto request = requested ? certs::read_text_file(args.one("csr"))
                                   : certs::Result<std::string>(std::string());
    if (!request) {
      return failed(err, "reading --csr", request.error(), "check the file's name");
    }
    auto key = requested ? certs::parse_certificate_request(*request) : certs::generate_p256_key();
    if (requested && !key) {
      return failed(err, "refusing the certificate signing request " + args.one("csr"), key.error(),
                    "the device must send a PEM request signed with its own ECDSA P-256 key");
    }
    auto certificate =
        key ? org->issue_device(key->get(),
                                {org_id, args.one("org-type"), args.one("role"), device_id},
                                certs::Validity::starting_now(lifetime))
            : certs::Result<certs::CertificatePtr>(key.error());
    if (!certificate) {
      return failed(err, "issuing the device certificate", certificate.error(),
                    "--org-type and --role take vocabulary names, --device-id 32 hex digits");
    }
    std::error_code created;
    fs::create_directories(folder, created);
    if (!requested) {
      if (auto written =
              certs::write_private_key_file(key->get(), (folder / "device.key").string());
          !written) {
        return failed(err, "writing device.key", written.error(),
                      "--out must be a writable folder without a device.key");
      }
    }
    if (auto written = certs::write_file_atomically(
            folder / "device.pem", certs::certificate_to_pem(certificate->get()) +
                                       certs::certificate_to_pem(org->certificate()));
        !written) {
      return failed(err, "writing device.pem", written.error(), "check --out's permissions");
    }
    out << "device " << device_id << ": " << (folder / "device.pem").string() << "\n"
        << "serial: " << certs::serial_hex(certificate->get()) << "\n";
    return 0;
  }
  err << "error: unknown pki command " << command << "; run draaischijf-hub pki --help\n";
  return 2;
}

}  // namespace

int pki_command(const std::vector<std::string_view>& args, std::ostream& out, std::ostream& err,
                const protocol::Clock& clock) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kPkiUsage;
    return args.empty() ? 2 : 0;
  }
  Args parsed;
  if (!parse(args, parsed, err) || !only_known_options(args[0], parsed, err)) {
    return 2;
  }
  return run(args[0], parsed, out, err, clock);
}

}  // namespace draaischijf::server
