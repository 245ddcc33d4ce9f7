// draaischijf-hub: the hub process. Without arguments it runs the embedded development
// deployment; with --config it runs as configured. SIGTERM and SIGINT stop it gracefully;
// SIGHUP re-reads the CRLs, the signed rule set and, from the configuration file, the retention
// settings and the server certificate.

#include <csignal>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include <draaischijf/protocol/clock.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/admin/dev_deployment.hpp>
#include <draaischijf/server/admin/pki_command.hpp>
#include <draaischijf/server/net/hub.hpp>
#include <draaischijf/server/policy/admission.hpp>

#include "admin/audit_command.hpp"
#include "admin/backup_command.hpp"
#include "admin/directory_command.hpp"
#include "admin/heap_tuning.hpp"
#include "admin/log_command.hpp"
#include "admin/policy_command.hpp"

namespace {

constexpr std::string_view kUsage = R"(draaischijf-hub - the Draaischijf hub

Usage:
  draaischijf-hub                      Runs the development deployment: creates a test PKI and
                                       three demo organisations in ./draaischijf-data (once) and
                                       serves on https://127.0.0.1:8443 with mutual TLS.
  draaischijf-hub --config FILE        Runs with a configuration file (see
                                       draaischijf-hub.example.toml for every setting).
  draaischijf-hub pki COMMAND ...      Creates and maintains the hub's PKI (run "pki --help").
  draaischijf-hub policy COMMAND ...   Makes the operator's policy key, signs and verifies the
                                       policy rule set (run "policy --help").
  draaischijf-hub org add --config FILE --request REQUEST --fingerprint F
                                       Registers an organisation from its signed registration
                                       request, once the fingerprint typed matches its key.
  draaischijf-hub org enrol-admin --config FILE --certificate FILE --fingerprint F
                                       Enrols an organisation's first admin device (run
                                       "org --help").
  draaischijf-hub org set --config FILE --org-id HEX [--province P] [--municipality M]
                  [--offer X]... [--clb ORG_ID|none]
                                       Records where it works (province: antwerpen, limburg,
                                       oost_vlaanderen, vlaams_brabant, west_vlaanderen,
                                       brussel), what a partner offers (docs/PROTOCOL.md 4.3)
                                       and a school's own CLB; --offer none clears the offers.
  draaischijf-hub org remove ORG_ID --config FILE --reason REASON
                                       Removes an organisation for good (reason: ceased,
                                       merged, key-compromised, left-network, other): devices
                                       refused, mailboxes closed, the id never used again.
  draaischijf-hub directory bundle --config FILE --key POLICY_SIGNING_KEY --out BUNDLE
                                       Signs every organisation (id, type, name, signing key,
                                       region, offers, CLB) into a directory bundle with the
                                       operator key, under the next sequence number; devices
                                       pin them all with "draaischijf trust import BUNDLE".
  draaischijf-hub backup --config FILE DIR
                                       Copies the database and its blobs to DIR while the hub
                                       serves, with a manifest (not the signing key or TLS files).
  draaischijf-hub verify DIR           Checks a backup: integrity, schema, every file's hash.
  draaischijf-hub restore --config FILE [--force] DIR
                                       Verifies DIR, then restores it into server.data_dir (empty,
                                       or --force; never while a hub runs there).
  draaischijf-hub audit export --config FILE --from DATE --to DATE [--org ORG_ID_HEX]
                  [--pupil PSEUDONYM_HEX] --format csv|jsonl [--out FILE] [--checkpoint FILE]
                                       The audit log and the disclosure register for the
                                       data-protection officer (DATE: YYYY-MM-DD or an ISO 8601
                                       timestamp with a zone); no content, pseudonyms only. With
                                       a record-log checkpoint (jsonl), each row with its proof.
  draaischijf-hub audit check --export FILE --checkpoint FILE --vkey VKEY [--witness VKEY]...
                  [--quorum N]
                                       Checks such an export without the database: every row
                                       is in the record log under the checkpoint, which VKEY
                                       signed and the witnesses cosigned.
  draaischijf-hub audit verify --config FILE [--checkpoint FILE]
                                       Checks every audit row against the record log (deleted,
                                       edited or reordered rows, edited tree nodes) and that the
                                       log extends a record-log checkpoint the hub signed.
  draaischijf-hub log vkeys [--config FILE]
                                       Each transparency log's origin and note vkey, for the
                                       [[log]] entries of a witness (creates the hub key if none).
  draaischijf-hub check-envelope FILE --org ORG_ID_HEX
                                       Runs the admission checks on an envelope file.
  draaischijf-hub --help | --version

Logs are JSON lines on standard error. SIGTERM stops accepting, finishes the requests in
flight, checkpoints the database and exits 0. SIGHUP re-reads, without dropping a connection,
the CRLs, the signed policy rule set and, from the --config file, [retention] and the TLS
certificate, key and client CA; a part that cannot be used (a rule set that does not verify, a
key that does not match its certificate, a configuration with an error) is refused, logged
(policy.reload_failed, tls.reload_failed, config.reload_failed) and counted, and what is in
force stays. Other settings are read at startup only.
Exit codes: 0 success, 1 refused or failed, 2 usage or configuration error.
)";

int check_envelope(const std::string& path, std::string_view org_hex) {
  auto org = draaischijf::protocol::hex_decode(org_hex);
  if (!org || org->size() != 16) {
    std::cerr << "error: --org takes the 32 hexadecimal digits of an organisation id\n";
    return 2;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot open " << path << "; check the path and permissions\n";
    return 2;
  }
  const std::vector<std::uint8_t> envelope((std::istreambuf_iterator<char>(in)),
                                           std::istreambuf_iterator<char>());
  draaischijf::server::AuthenticatedSender sender;
  std::copy(org->begin(), org->end(), sender.org_id.begin());
  auto admitted =
      draaischijf::server::admit(envelope, sender, draaischijf::protocol::system_clock().now(),
                                 draaischijf::server::AdmissionLimits{});
  if (!admitted) {
    std::cout << "refused: " << admitted.error().message() << " ("
              << admitted.error().category().name() << ":" << admitted.error().value() << ")\n";
    return 1;
  }
  const auto& outer = admitted->outer;
  std::cout << "admitted: message " << draaischijf::protocol::to_hex(outer.message_id) << ", kind "
            << draaischijf::protocol::name_of(outer.kind) << ", purpose "
            << draaischijf::protocol::name_of(outer.purpose) << ", " << outer.recipients.size()
            << " recipient mailbox(es), " << envelope.size() << " bytes\n";
  return 0;
}

std::string read_file(const std::filesystem::path& path, std::string_view setting) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + std::string(setting) + " " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What SIGHUP replaces besides the CRLs and the rule set: the configuration file read again
// (its [retention] and [workflow]) and, outside the development deployment (whose PKI the hub made
// itself), the TLS files it names. A file that cannot be read or parsed is logged and that part
// keeps what is in force.
draaischijf::server::ReloadedSettings reread(const std::filesystem::path& config_file,
                                             bool development, draaischijf::server::Logger& log) {
  using namespace draaischijf::server;
  ReloadedSettings fresh;
  if (config_file.empty()) {
    return fresh;  // started without --config: nothing to re-read
  }
  auto loaded = load_config(config_file);
  if (!loaded.ok()) {
    const auto& first = loaded.errors.front();
    log.error("config.reload_failed",
              {{"key", std::string_view(first.key)}, {"reason", std::string_view(first.message)}});
    return fresh;
  }
  const auto& tls = loaded.config.tls;
  if (!development) {
    try {
      fresh.tls = TlsMaterial{read_file(tls.certificate, "tls.certificate"),
                              read_file(tls.private_key, "tls.private_key"),
                              read_file(tls.client_ca, "tls.client_ca")};
    } catch (const std::exception& unreadable) {
      log.error("tls.reload_failed", {{"reason", std::string_view(unreadable.what())}});
    }
  }
  fresh.config = std::move(loaded.config);
  return fresh;
}

int serve(draaischijf::server::HubConfig config, bool development,
          const std::filesystem::path& config_file = {}) {
  using namespace draaischijf::server;
  LogLevel level = LogLevel::info;
  (void)parse_log_level(config.log.level, level);
  Logger log(std::cerr, level);
  tune_heap(log);  // before any thread, so every arena is made under the same thresholds
  // Blocked before any thread starts (the store's writer starts in Hub::create), so every
  // thread inherits the mask and only the waiter below receives SIGTERM, SIGINT and SIGHUP.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not end the hub
  try {
    TlsMaterial tls;
    const auto dev_dir = config.server.data_dir / "dev-pki";
    if (development) {
      tls = ensure_dev_pki(dev_dir, config);
    } else {
      tls = {read_file(config.tls.certificate, "tls.certificate"),
             read_file(config.tls.private_key, "tls.private_key"),
             read_file(config.tls.client_ca, "tls.client_ca")};
    }
    auto hub = Hub::create(config, tls, log);
    if (development) {
      ensure_dev_directory(hub->directory(), hub->consents(), dev_dir);
      hub->before_crl_reload([dev_dir] { refresh_dev_crls(dev_dir); });
    }
    // Signals are waited for on a thread of their own: SIGHUP asks for a reload (as often as
    // it comes), the others for an orderly stop.
    std::thread waiter([&hub, &log, signals, config_file, development] {
      for (;;) {
        int received = 0;
        sigwait(&signals, &received);
        if (received == SIGHUP) {
          log.info("reload.requested", {{"signal", static_cast<std::int64_t>(received)}});
          hub->reload(reread(config_file, development, log));
          continue;
        }
        log.info("stopping", {{"signal", static_cast<std::int64_t>(received)}});
        hub->stop();
        return;
      }
    });
    if (development) {
      log.info("development_deployment", {{"pki", std::string_view(dev_dir.native())}});
    }
    hub->run();
    pthread_kill(waiter.native_handle(), SIGTERM);  // no-op when the waiter already returned
    waiter.join();
    hub.reset();  // closes the store: the WAL is checkpointed
    log.info("stopped");
    return 0;
  } catch (const std::exception& startup) {
    log.error("startup_failed", {{"reason", std::string_view(startup.what())}});
    std::cerr << "error: " << startup.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (!args.empty() && args[0] == "--version") {
    std::cout << "draaischijf-hub 0.1.0\n";
    return 0;
  }
  if (!args.empty() && args[0] == "directory") {
    return draaischijf::server::directory_bundle_command({args.begin() + 1, args.end()}, std::cout,
                                                         std::cerr);
  }
  if (!args.empty() && args[0] == "org") {
    return draaischijf::server::org_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (!args.empty() && args[0] == "pki") {
    return draaischijf::server::pki_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (!args.empty() && args[0] == "policy") {
    return draaischijf::server::policy_command({args.begin() + 1, args.end()}, std::cout,
                                               std::cerr);
  }
  if (!args.empty() && (args[0] == "backup" || args[0] == "verify" || args[0] == "restore")) {
    return draaischijf::server::backup_command(args, std::cout, std::cerr);
  }
  if (!args.empty() && args[0] == "log") {
    return draaischijf::server::log_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (!args.empty() && args[0] == "audit") {
    return draaischijf::server::audit_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
  }
  if (args.size() == 4 && args[0] == "check-envelope" && args[2] == "--org") {
    return check_envelope(std::string(args[1]), args[3]);
  }
  if (args.empty()) {
    return serve(draaischijf::server::HubConfig{}, true);
  }
  if (args.size() == 2 && args[0] == "--config") {
    const auto loaded = draaischijf::server::load_config(std::string(args[1]));
    if (!loaded.ok()) {
      for (const auto& error : loaded.errors) {
        std::cerr << "error: " << (error.key.empty() ? args[1] : std::string_view(error.key))
                  << ": " << error.message << "\n";
      }
      return 2;
    }
    const auto& tls = loaded.config.tls;
    const bool development =
        tls.certificate.empty() && tls.private_key.empty() && tls.client_ca.empty();
    if (!development && (tls.certificate.empty() || tls.private_key.empty() ||
                         tls.client_ca.empty() || tls.crl_dir.empty())) {
      std::cerr << "error: tls.certificate, tls.private_key, tls.client_ca and tls.crl_dir go "
                   "together: set all four, or none for the development deployment\n";
      return 2;
    }
    return serve(loaded.config, development, std::string(args[1]));
  }
  std::cerr << "error: unknown arguments; run draaischijf-hub --help\n";
  return 2;
}
