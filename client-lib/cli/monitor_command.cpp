// draaischijf admin monitor [--acknowledge INDEX]...: the organisation admin's monitor of the
// hub's directory log (docs/TRANSPARENCY.md, "The monitor's rule"). Every entry about the
// organisation since the last run, one line each; an entry its own devices did not make is an
// alert (exit 4), one line per entry that says why.

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/client/transparency.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace draaischijf::cli {
namespace {

namespace json = boost::json;
using enum Exit;

std::optional<std::uint64_t> index_of(const std::string& word) {
  if (word.empty() || word.size() > 19 ||
      word.find_first_not_of("0123456789") != std::string::npos ||
      (word.size() > 1 && word.front() == '0')) {
    return std::nullopt;
  }
  return std::strtoull(word.c_str(), nullptr, 10);
}

json::object entry_json(const client::MonitoredEntry& e) {
  json::object out{{"index", e.index},
                   {"kind", e.kind},
                   {"subject", hex(e.subject)},
                   {"fingerprint", e.fingerprint},
                   {"alert", e.alert}};
  if (e.kind == "epoch_certificate") {
    out["epoch"] = e.epoch;
  }
  if (!e.detail.empty()) {
    out["detail"] = e.detail;
  }
  if (e.alert) {
    out["reason"] = e.reason;
  }
  return out;
}

void print_line(const client::MonitoredEntry& e) {
  std::cout << (e.alert ? "ALERT " : "ok    ") << "#" << e.index << " " << e.kind << " "
            << hex(e.subject);
  if (e.kind == "epoch_certificate") {
    std::cout << " epoch " << e.epoch;
  }
  std::cout << " " << e.fingerprint;
  if (!e.detail.empty()) {
    std::cout << " (" << e.detail << ")";
  }
  std::cout << "\n";
  if (e.alert) {
    std::cout << "      why: " << e.reason << "\n";
  }
}

// The split views this device caught in received envelopes, with both signed notes: the
// evidence an admin hands to the hub operator and the witnesses.
json::array forks_json(const std::vector<client::LogFork>& forks) {
  json::array out;
  for (const auto& f : forks) {
    out.push_back(json::object{{"origin", f.origin},
                               {"message_id", hex(f.message_id)},
                               {"detected_at_ms", f.detected_at_ms},
                               {"own_checkpoint", f.own_note},
                               {"gossiped_checkpoint", f.other_note}});
  }
  return out;
}

void print_forks(const std::vector<client::LogFork>& forks) {
  for (const auto& f : forks) {
    std::cout << "FORK  " << f.origin << " in message " << hex(f.message_id)
              << ": this device's checkpoint and the sender's, both signed by the hub:\n"
              << f.own_note << "\n"
              << f.other_note << "\n";
  }
}

}  // namespace

int admin_monitor_command(const Invocation& call) {
  if (auto bad = call.args.unknown({"acknowledge"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (call.args.positional().size() != 2) {
    return usage_error("admin monitor takes no further words: admin monitor [--acknowledge INDEX]");
  }
  auto& client = *call.client;
  client::Transparency logs(client.session());
  std::vector<std::uint64_t> acknowledged;
  for (const auto& word : call.args.values("acknowledge")) {
    const auto index = index_of(word);
    if (!index) {
      return usage_error("--acknowledge takes an entry index as the monitor printed it (#N)");
    }
    acknowledged.push_back(*index);
  }
  if (!acknowledged.empty()) {
    if (auto done = logs.acknowledge(acknowledged); !done) {
      if (done.error() == client::client_errc::not_found) {
        std::cerr << "error: only an epoch certificate of this organisation, signed by its key, "
                     "or a revocation of one of its certificates can be acknowledged; check the "
                     "index the monitor printed\n";
        return kFailed;
      }
      return fail(done.error(), &client);
    }
  }
  auto report = logs.monitor();
  if (!report) {
    return fail(report.error(), &client);
  }
  auto forks = logs.forks();
  if (!forks) {
    return fail(forks.error(), &client);
  }
  if (call.context.json_output) {
    json::array entries;
    for (const auto& e : report->entries) {
      entries.push_back(entry_json(e));
    }
    print_json({{"origin", report->checkpoint.origin},
                {"size", report->checkpoint.size},
                {"from", report->from},
                {"entries", std::move(entries)},
                {"not_understood", report->not_understood},
                {"alerts", report->alerts()},
                {"forks", forks_json(*forks)}});
  } else {
    std::cout << "directory log " << report->checkpoint.origin << ": entries " << report->from
              << " to " << report->checkpoint.size << " replayed, each proved in the checkpoint\n";
    for (const auto& e : report->entries) {
      print_line(e);
    }
    if (report->not_understood > 0) {
      std::cout << report->not_understood
                << " entries of kinds this client does not read (update the client to see "
                   "whether they concern this organisation)\n";
    }
    print_forks(*forks);
  }
  int code = kOk;
  if (report->alerts() > 0) {
    std::cerr << "error: " << report->alerts() << " "
              << make_error_code(client::client_errc::monitor_alert).message() << "\n";
    code = kSecurity;
  }
  if (!forks->empty()) {
    code = fail(make_error_code(client::client_errc::split_view));
  }
  return code;
}

}  // namespace draaischijf::cli
