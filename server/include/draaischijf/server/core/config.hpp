#pragma once

// The hub's one configuration file (TOML). Every setting has a safe default and is documented
// in server/draaischijf-hub.example.toml; an unknown key is an error (a typo must not silently
// fall back to a default), and every error names the key and what is wrong with it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/targets.hpp>

namespace draaischijf::server {

struct HubConfig {
  struct Server {
    std::string listen_address = "127.0.0.1";
    std::uint16_t listen_port = 8443;
    std::filesystem::path data_dir = "draaischijf-data";
    std::vector<std::string> names = {"localhost", "127.0.0.1"};
    unsigned threads = 2;
    // Device ids (32 lower-case hex digits) whose client certificates may read /metrics; empty:
    // no device may (the operator's explicit, auditable allow-list).
    std::vector<std::string> metrics_devices;
  } server;

  struct Tls {
    // Empty: the embedded development deployment generates and uses its own PKI in data_dir.
    std::filesystem::path certificate;
    std::filesystem::path private_key;
    std::filesystem::path client_ca;
    std::filesystem::path crl_dir;  // one CRL per CA, *.pem; required
    std::chrono::seconds crl_reload_interval{60};
  } tls;

  struct Limits {
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_envelope_bytes = std::size_t{25} * 1024 * 1024;
    std::chrono::seconds read_deadline{30};
    std::chrono::seconds idle_timeout{300};
    std::chrono::seconds handshake_deadline{5};       // the TLS handshake must end within it
    std::chrono::seconds first_request_deadline{30};  // first request after the handshake
    std::size_t max_connections = 1024;
    std::size_t max_handshakes_per_address = 32;  // connections of one address still in TLS setup
    // TLS handshakes under way at once; further connections wait in the listen backlog
    // (net/handshake_room.hpp) instead of missing handshake_deadline together.
    std::size_t max_handshakes_in_flight = 512;
    std::size_t max_streams_per_device = 4;  // open /v1/stream WebSockets per device
    std::size_t max_streams_per_org = 64;    // and per organisation
    double rate_per_org = 200.0;             // requests per second, token bucket
    double rate_burst = 400.0;
    std::uint64_t mailbox_quota_bytes = std::uint64_t{1} << 30;
    double mailbox_warning_fraction = 0.8;
    std::uint64_t max_blob_bytes = std::uint64_t{1} << 30;     // one attachment
    std::uint64_t blob_quota_bytes = std::uint64_t{20} << 30;  // all of an organisation's
    std::chrono::hours max_clock_skew{24};
    std::size_t writer_queue = 4096;
    std::size_t writer_batch = 256;
    std::uint64_t max_database_bytes = 0;   // 0: as far as the disk allows
    std::uint64_t min_free_disk_bytes = 0;  // attachment uploads keep this much disk free
  } limits;

  struct Policy {
    // The operator-signed rule set the hub enforces (policies/). All empty: the development
    // deployment signs the rule set built into the binary with its own operator key in
    // data_dir/dev-pki. Set all three in production.
    std::filesystem::path rules_file;
    std::filesystem::path signature_file;     // the rule file's .sig (draaischijf-hub policy sign)
    std::filesystem::path operator_key_file;  // the operator's public key (policy keygen)
  } policy;

  struct Log {
    std::string level = "info";  // debug, info, warning, error
  } log;
  // How long the hub keeps what it relays ([retention]; docs/POLICY.md, "Retention").
  struct Retention {
    struct Periods {
      std::optional<std::chrono::hours> delivered;
      std::optional<std::chrono::hours> unfetched;
    };
    std::chrono::hours delivered{24 * 7};       // ciphertext after every recipient acknowledged it
    std::chrono::hours unfetched{24 * 30};      // unacknowledged entries expire after it
    std::map<std::string, Periods> kinds;       // by message kind (vocabulary name)
    std::map<std::string, Periods> categories;  // by data category (vocabulary name)
    std::chrono::hours orphan_blobs{24};        // uploaded blobs no envelope granted
    std::chrono::hours records{24 * 1827};      // audit rows and delivery records
    std::chrono::hours disclosures{24 * 1827};  // the disclosure register
    std::chrono::hours workflow{24 * 730};      // ended referrals and closed cases
    std::chrono::hours notices{24 * 365};       // the hub's signed notices, after they were made
    std::chrono::seconds purge_interval{600};
    std::size_t purge_batch = 500;
  } retention;
  // Doorlooptijden ([workflow]; docs/WORKFLOW.md): the working-day calendar and the targets
  // due dates are computed with. Pure value types of policies/, so the hub and the client
  // compute the same dates.
  struct Workflow {
    policies::CalendarSettings calendar;
    policies::WorkflowTargets targets;
    // Notices (docs/WORKFLOW.md, "Notices"): an envelope no device of a recipient mailbox
    // acknowledged within this many working days gives the sender and the recipient
    // organisation a signed notice; the workflow pass that finds such causes runs this often.
    int non_delivery_days = 5;
    // A referral `started` and not closed gives the CLB a follow-up notice every this many
    // working days (R08: the CLB stays involved).
    int follow_up_days = 20;
    // A CLB's own calendar ([workflow.clb."<org id>"]), by its organisation id (32 lowercase
    // hex digits): its closure days on top of the hub's, and its own yearly closure period in
    // place of the hub's (nullopt inside: none).
    std::map<std::string, std::vector<policies::CivilDate>> clb_closure_days;
    std::map<std::string, std::optional<policies::CalendarSettings::Closure>> clb_closure_period;

    /// The calendar of the organisation `org_hex`: the hub's, with its own closure period and
    /// closure days. The one place that says what a CLB's calendar is (OrgCalendars builds on
    /// it).
    [[nodiscard]] policies::CalendarSettings calendar_of(const std::string& org_hex) const {
      policies::CalendarSettings settings = calendar;
      if (const auto own = clb_closure_days.find(org_hex); own != clb_closure_days.end()) {
        settings.closure_days.insert(settings.closure_days.end(), own->second.begin(),
                                     own->second.end());
      }
      if (const auto own = clb_closure_period.find(org_hex); own != clb_closure_period.end()) {
        settings.closure = own->second;
      }
      return settings;
    }
    /// The organisations with settings of their own.
    [[nodiscard]] std::vector<std::string> clbs_with_own_calendar() const {
      std::vector<std::string> out;
      for (const auto& [org, days] : clb_closure_days) {
        out.push_back(org);
      }
      for (const auto& [org, period] : clb_closure_period) {
        if (!clb_closure_days.contains(org)) {
          out.push_back(org);
        }
      }
      return out;
    }
    std::chrono::seconds pass_interval{600};
  } workflow;
  // The witnesses that cosign the transparency logs' checkpoints ([[witness]],
  // [transparency]; docs/TRANSPARENCY.md, witness/README.md).
  struct Witness {
    std::string host;  // of url "https://HOST:PORT[/prefix]"
    std::uint16_t port = 443;
    std::string prefix;                 // the submission prefix, "" or "/path" (no final '/')
    std::string vkey;                   // the witness's cosignature vkey (type 0x04), checked
    std::filesystem::path certificate;  // the witness's TLS certificate (or its CA), PEM
  };
  struct Transparency {
    std::vector<Witness> witnesses;
    std::chrono::seconds witness_interval{60};  // how often each new checkpoint is submitted
  } transparency;
};

struct ConfigError {
  std::string key;      // e.g. "limits.max_connections"; empty for a syntax error
  std::string message;  // what is wrong and what is expected
};

struct ConfigResult {
  HubConfig config;
  std::vector<ConfigError> errors;  // empty: the configuration is valid
  [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

/// Parses TOML text. Never throws.
[[nodiscard]] ConfigResult parse_config(std::string_view toml_text);
/// Reads and parses a file. Never throws.
[[nodiscard]] ConfigResult load_config(const std::filesystem::path& path);

}  // namespace draaischijf::server
