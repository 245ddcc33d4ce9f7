#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <toml++/toml.h>

#include <draaischijf/protocol/vocabulary.hpp>
#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/core/log.hpp>

#include "core/config_readers.hpp"

namespace draaischijf::server {
namespace {

using config_detail::read_integer;
using config_detail::read_string;

// One reader per key: it validates the value and stores it. The table is the single list of
// settings, so "unknown key" falls out of a lookup.
using Reader = std::function<std::string(const toml::node&, HubConfig&)>;

std::string read_number(const toml::node& node, double& out, double min, double max) {
  const auto value = node.value<double>();
  if (!(node.is_floating_point() || node.is_integer()) || !value) {
    return "expected a number";
  }
  if (*value < min || *value > max) {
    std::ostringstream range;
    range << "expected a value from " << min << " to " << max;
    return range.str();
  }
  out = *value;
  return {};
}

std::string read_path(const toml::node& node, std::filesystem::path& out) {
  std::string text;
  if (auto error = read_string(node, text); !error.empty()) {
    return error;
  }
  out = text;
  return {};
}

bool is_device_id(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

constexpr std::int64_t kMaxRetentionDays = 36500;

std::string read_days(const toml::node& node, std::chrono::hours& out, std::int64_t min,
                      std::int64_t max) {
  std::int64_t days = 0;
  if (auto error = read_integer(node, days, min, max); !error.empty()) {
    return error;
  }
  out = std::chrono::hours(days * 24);
  return {};
}

template <class Duration>
std::string read_duration(const toml::node& node, Duration& out, std::int64_t max) {
  std::int64_t count = 0;
  if (auto error = read_integer(node, count, 1, max); !error.empty()) {
    return error;
  }
  out = Duration(count);
  return {};
}

std::string read_log_level(const toml::node& n, HubConfig& c) {
  if (auto error = read_string(n, c.log.level); !error.empty()) {
    return error;
  }
  LogLevel level{};
  return parse_log_level(c.log.level, level) ? std::string()
                                             : "expected one of debug, info, warning, error";
}

// Over 80 lines on purpose: the table of every configuration key, one entry each; splitting it
// would hide which keys exist.
const std::map<std::string, Reader, std::less<>>& readers() {
  constexpr std::int64_t kMaxSize = std::int64_t{1} << 40;
  static const std::map<std::string, Reader, std::less<>> kReaders = {
      {"server.listen_address",
       [](const toml::node& n, HubConfig& c) { return read_string(n, c.server.listen_address); }},
      {"server.listen_port",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.server.listen_port, 0, 65535);
       }},
      {"server.data_dir",
       [](const toml::node& n, HubConfig& c) { return read_path(n, c.server.data_dir); }},
      {"server.threads",
       [](const toml::node& n, HubConfig& c) { return read_integer(n, c.server.threads, 1, 256); }},
      {"server.names",
       [](const toml::node& n, HubConfig& c) -> std::string {
         const auto* array = n.as_array();
         if (array == nullptr || array->empty()) {
           return "expected a non-empty array of host names and addresses";
         }
         c.server.names.clear();
         for (const auto& element : *array) {
           const auto name = element.value<std::string>();
           if (!name || name->empty()) {
             return "expected a non-empty array of host names and addresses";
           }
           c.server.names.push_back(*name);
         }
         return {};
       }},
      {"server.metrics_devices",
       [](const toml::node& n, HubConfig& c) -> std::string {
         const auto* array = n.as_array();
         if (array == nullptr) {
           return "expected an array of device ids (32 lower-case hexadecimal digits)";
         }
         c.server.metrics_devices.clear();
         for (const auto& element : *array) {
           const auto id = element.value<std::string>();
           if (!id || !is_device_id(*id)) {
             return "expected an array of device ids (32 lower-case hexadecimal digits)";
           }
           c.server.metrics_devices.push_back(*id);
         }
         return {};
       }},
      {"tls.certificate",
       [](const toml::node& n, HubConfig& c) { return read_path(n, c.tls.certificate); }},
      {"tls.private_key",
       [](const toml::node& n, HubConfig& c) { return read_path(n, c.tls.private_key); }},
      {"tls.client_ca",
       [](const toml::node& n, HubConfig& c) { return read_path(n, c.tls.client_ca); }},
      {"tls.crl_dir",
       [](const toml::node& n, HubConfig& c) { return read_path(n, c.tls.crl_dir); }},
      {"tls.crl_reload_seconds",
       [](const toml::node& n, HubConfig& c) {
         return read_duration(n, c.tls.crl_reload_interval, 86400);
       }},
      {"limits.max_header_bytes",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.max_header_bytes, 1024, 1 << 20);
       }},
      {"limits.max_envelope_bytes",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.max_envelope_bytes, 4096, std::int64_t{1} << 32);
       }},
      {"limits.read_deadline_seconds",
       [](const toml::node& n, HubConfig& c) {
         return read_duration(n, c.limits.read_deadline, 3600);
       }},
      {"limits.idle_timeout_seconds",
       [](const toml::node& n, HubConfig& c) {
         return read_duration(n, c.limits.idle_timeout, 86400);
       }},
      {"limits.handshake_deadline_seconds",
       [](const toml::node& n, HubConfig& c) {
         return read_duration(n, c.limits.handshake_deadline, 300);
       }},
      {"limits.first_request_deadline_seconds",
       [](const toml::node& n, HubConfig& c) {
         return read_duration(n, c.limits.first_request_deadline, 3600);
       }},
      {"limits.max_handshakes_per_address",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.max_handshakes_per_address, 1, 1'000'000);
       }},
      {"limits.max_handshakes_in_flight",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.max_handshakes_in_flight, 1, 1'000'000);
       }},
      {"limits.max_streams_per_device",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.max_streams_per_device, 1, 10'000);
       }},
      {"limits.max_streams_per_org",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.max_streams_per_org, 1, 1'000'000);
       }},
      {"limits.max_connections",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.max_connections, 1, 1'000'000);
       }},
      {"limits.rate_per_org",
       [](const toml::node& n, HubConfig& c) {
         return read_number(n, c.limits.rate_per_org, 0.1, 1e6);
       }},
      {"limits.rate_burst",
       [](const toml::node& n, HubConfig& c) {
         return read_number(n, c.limits.rate_burst, 1.0, 1e7);
       }},
      {"limits.mailbox_quota_bytes",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.mailbox_quota_bytes, 1 << 20, kMaxSize);
       }},
      {"limits.max_blob_bytes",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.max_blob_bytes, 1 << 20, kMaxSize);
       }},
      {"limits.blob_quota_bytes",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.blob_quota_bytes, 1 << 20, kMaxSize);
       }},
      {"limits.mailbox_warning_fraction",
       [](const toml::node& n, HubConfig& c) {
         return read_number(n, c.limits.mailbox_warning_fraction, 0.1, 1.0);
       }},
      {"limits.max_clock_skew_hours",
       [](const toml::node& n, HubConfig& c) {
         return read_duration(n, c.limits.max_clock_skew, 24 * 7);
       }},
      {"limits.writer_queue",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.writer_queue, 1, 1'000'000);
       }},
      {"limits.writer_batch",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.writer_batch, 1, 10'000);
       }},
      {"limits.max_database_bytes",
       [](const toml::node& n, HubConfig& c) -> std::string {
         if (auto error = read_integer(n, c.limits.max_database_bytes, 0, kMaxSize);
             !error.empty()) {
           return error;
         }
         return c.limits.max_database_bytes == 0 || c.limits.max_database_bytes >= (4U << 20)
                    ? std::string()
                    : "expected 0 (no cap) or at least 4194304 (4 MiB)";
       }},
      {"limits.min_free_disk_bytes",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.limits.min_free_disk_bytes, 0, kMaxSize);
       }},
      {"policy.rules_file",
       [](const toml::node& n, HubConfig& c) { return read_path(n, c.policy.rules_file); }},
      {"policy.signature_file",
       [](const toml::node& n, HubConfig& c) { return read_path(n, c.policy.signature_file); }},
      {"policy.operator_key_file",
       [](const toml::node& n, HubConfig& c) { return read_path(n, c.policy.operator_key_file); }},
      {"retention.delivered_days",
       [](const toml::node& n, HubConfig& c) {
         return read_days(n, c.retention.delivered, 0, kMaxRetentionDays);
       }},
      {"retention.unfetched_days",
       [](const toml::node& n, HubConfig& c) {
         return read_days(n, c.retention.unfetched, 1, kMaxRetentionDays);
       }},
      {"retention.orphan_blob_hours",
       [](const toml::node& n, HubConfig& c) {
         return read_duration(n, c.retention.orphan_blobs, 24 * 365);
       }},
      {"retention.audit_days",
       [](const toml::node& n, HubConfig& c) {
         return read_days(n, c.retention.records, 1, kMaxRetentionDays);
       }},
      {"retention.disclosure_days",
       [](const toml::node& n, HubConfig& c) {
         return read_days(n, c.retention.disclosures, 1, kMaxRetentionDays);
       }},
      {"retention.workflow_days",
       [](const toml::node& n, HubConfig& c) {
         return read_days(n, c.retention.workflow, 1, kMaxRetentionDays);
       }},
      {"retention.notice_days",
       [](const toml::node& n, HubConfig& c) {
         return read_days(n, c.retention.notices, 1, kMaxRetentionDays);
       }},
      {"retention.purge_interval_seconds",
       [](const toml::node& n, HubConfig& c) {
         return read_duration(n, c.retention.purge_interval, 86400);
       }},
      {"retention.purge_batch",
       [](const toml::node& n, HubConfig& c) {
         return read_integer(n, c.retention.purge_batch, 1, 100'000);
       }},
      {"log.level", read_log_level},
  };
  return kReaders;
}

// retention.kind.<kind>.<period> and retention.category.<category>.<period>: the names are
// the vocabulary's (a misspelt kind must not silently keep the default). nullopt: `name` is no
// such key.
std::optional<std::string> read_retention_override(std::string_view name, const toml::node& node,
                                                   HubConfig& config) {
  std::map<std::string, HubConfig::Retention::Periods>* table = nullptr;
  bool known = false;
  for (const auto& [prefix, is_kind] :
       {std::pair{std::string_view("retention.kind."), true},
        std::pair{std::string_view("retention.category."), false}}) {
    if (name.substr(0, prefix.size()) != prefix) {
      continue;
    }
    name.remove_prefix(prefix.size());
    const auto dot = name.find('.');
    const std::string vocabulary_name(name.substr(0, dot));
    known = is_kind ? protocol::parse_name<protocol::MessageKind>(vocabulary_name).has_value()
                    : protocol::parse_name<protocol::DataCategory>(vocabulary_name).has_value();
    if (!known || dot == std::string_view::npos) {
      return std::string(is_kind ? "not a message kind of the vocabulary"
                                 : "not a data category of the vocabulary");
    }
    table = is_kind ? &config.retention.kinds : &config.retention.categories;
    auto& periods = (*table)[vocabulary_name];
    const auto field = name.substr(dot + 1);
    std::chrono::hours value{};
    if (field == "delivered_days") {
      auto error = read_days(node, value, 0, kMaxRetentionDays);
      periods.delivered = value;
      return error;
    }
    if (field == "unfetched_days") {
      auto error = read_days(node, value, 1, kMaxRetentionDays);
      periods.unfetched = value;
      return error;
    }
    return std::string("unknown setting; expected delivered_days or unfetched_days");
  }
  return std::nullopt;
}

void walk(const toml::table& table, const std::string& prefix, HubConfig& config,
          std::vector<ConfigError>& errors) {
  for (const auto& [key, node] : table) {
    const std::string name =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* nested = node.as_table()) {
      walk(*nested, name, config, errors);
      continue;
    }
    auto section_error = read_retention_override(name, node, config);
    if (!section_error) {
      section_error = config_detail::read_workflow_setting(name, node, config);
    }
    if (!section_error) {
      section_error = config_detail::read_transparency_setting(name, node, config);
    }
    if (section_error) {
      if (!section_error->empty()) {
        errors.push_back({name, *section_error});
      }
      continue;
    }
    const auto reader = readers().find(name);
    if (reader == readers().end()) {
      errors.push_back({name, "unknown setting; see draaischijf-hub.example.toml for the list"});
      continue;
    }
    if (auto error = reader->second(node, config); !error.empty()) {
      errors.push_back({name, error});
    }
  }
}

}  // namespace

ConfigResult parse_config(std::string_view toml_text) {
  ConfigResult result;
  try {
    const toml::table table = toml::parse(toml_text);
    walk(table, "", result.config, result.errors);
  } catch (const toml::parse_error& error) {
    std::ostringstream where;
    where << "line " << error.source().begin.line << ", column " << error.source().begin.column
          << ": " << error.description();
    result.errors.push_back({"", where.str()});
  }
  if (result.ok() && result.config.limits.rate_burst < result.config.limits.rate_per_org) {
    result.errors.push_back({"limits.rate_burst", "must be at least limits.rate_per_org"});
  }
  if (result.ok()) {
    config_detail::check_workflow(result.config, result.errors);
  }
  return result;
}

ConfigResult load_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    ConfigResult result;
    result.errors.push_back({"", "cannot read " + path.string() + "; check the path"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str());
}

}  // namespace draaischijf::server
