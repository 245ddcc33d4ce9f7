#include "common.hpp"

#include <ctime>
#include <iostream>
#include <vector>

#include <draaischijf/client/organisation_keys.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::cli {
namespace {

namespace json = boost::json;
using client::client_errc;
using client::connection_errc;
using client::PolicyRefusal;

std::string giver_words(std::string_view giver) {
  if (giver == "ouders") {
    return "the parents or voogd (ouders)";
  }
  if (giver == "leerling") {
    return "the pupil (leerling)";
  }
  return "both the parents and the pupil (beiden)";
}

// The way forward for the sender, in the CLI's own commands.
std::vector<std::string> what_to_do(const PolicyRefusal& r) {
  std::vector<std::string> steps;
  if (r.outcome == "deny") {
    steps.emplace_back(
        "nothing may go to this recipient this way; send only what the rules allow (see the "
        "reasons), or through the CLB");
    return steps;
  }
  if (!r.approval_role.empty()) {
    const std::string ids =
        "--message-id " + hex(r.message_id) + " --thread-id " + hex(r.thread_id);
    steps.push_back("ask a colleague with the role " + r.approval_role +
                    " to run `draaischijf approve` with the same arguments and " + ids);
    steps.push_back("then send again with " + ids + " --approval APPROVAL_ID");
  }
  if (!r.consent_from.empty()) {
    steps.push_back("the consent of " + giver_words(r.consent_from) +
                    " is needed: register it (`draaischijf consent register --giver " +
                    r.consent_from +
                    " ...`, CLB only) and send again with --consent ID --pupil REF");
  }
  return steps;
}

void print_refusal(const PolicyRefusal& r) {
  std::cerr << "  beslissing / outcome: " << r.outcome << " ("
            << (r.by_hub ? "by the hub" : "by the pre-check on this device, with the hub's rules")
            << ", recipient organisation " << hex(r.recipient_org) << ", policy "
            << r.policy_version << ")\n  regels / rules:";
  for (const auto& id : r.rule_ids) {
    std::cerr << " " << id;
  }
  std::cerr << "\n";
  for (const auto& reason : r.reasons) {
    std::cerr << "  [" << reason.rule_id << "] " << reason.nl << "\n        " << reason.en
              << "\n        bron/source: " << reason.source << "\n";
  }
  if (!r.consent_from.empty()) {
    std::cerr << "  toestemming nodig van / consent needed from: " << r.consent_from << "\n";
  }
  if (!r.approval_role.empty()) {
    std::cerr << "  tweede akkoord nodig van / second approval needed from: " << r.approval_role
              << "\n";
  }
  for (const auto& note : r.notes) {
    std::cerr << "  note: " << note << "\n";
  }
  for (const auto& step : what_to_do(r)) {
    std::cerr << "  wat nu / what to do: " << step << "\n";
  }
}

void print_problem(const client::HubProblem& problem) {
  if (!problem.title.empty()) {
    std::cerr << "  " << problem.title
              << (problem.status != 0 ? " (" + std::to_string(problem.status) + ")" : "") << "\n";
  }
  if (problem.policy) {
    print_refusal(*problem.policy);
  } else if (!problem.detail.empty()) {
    std::cerr << "  " << problem.detail << "\n";
  }
  for (const auto& issue : problem.issues) {
    std::cerr << "  [" << (issue.rule_id.empty() ? issue.issue : issue.rule_id) << "] " << issue.nl
              << "\n        " << issue.en << "\n";
  }
}

json::array names_json(const std::vector<std::string>& names) {
  json::array out;
  for (const auto& name : names) {
    out.emplace_back(name);
  }
  return out;
}

}  // namespace

int usage_error(const std::string& message) {
  std::cerr << "error: " << message << "\nrun draaischijf --help for the commands and options\n";
  return kUsageError;
}

int fail(const boost::system::error_code& error, const client::Client* client) {
  std::cerr << "error: " << error.message() << "\n";
  if (client != nullptr &&
      (error == client_errc::hub_refused || error == client_errc::policy_refused ||
       error == client_errc::consent_invalid)) {
    print_problem(client->last_problem());
  }
  if (error == client_errc::policy_refused || error == client_errc::consent_invalid) {
    return kPolicy;
  }
  if (error == client_errc::directory_tampered || error == client_errc::untrusted_organisation ||
      error == client_errc::fingerprint_mismatch ||
      error == client::organisation_key_errc::mismatch || error == client_errc::receipt_invalid ||
      error == client_errc::notice_invalid || error == client_errc::attachment_invalid ||
      error == client_errc::policy_untrusted || error == client_errc::name_unsafe ||
      error == client_errc::already_pinned || error == client_errc::trust_file_invalid ||
      error == client_errc::bundle_untrusted || error == client_errc::bundle_rollback ||
      error == client_errc::bundle_key_changed || error == client_errc::bundle_invalid ||
      error == client_errc::log_checkpoint_invalid || error == client_errc::log_rollback ||
      error == client_errc::log_fork || error == client_errc::not_in_log ||
      error == client_errc::monitor_alert || error == client_errc::split_view ||
      error == client_errc::register_unproved) {
    return kSecurity;
  }
  if (error == connection_errc::unreachable || error == connection_errc::timeout ||
      error == connection_errc::handshake_interrupted) {
    return kUnreachable;
  }
  return kFailed;
}

int refused(const Context& context, const client::Client& client,
            const boost::system::error_code& error) {
  const auto& problem = client.last_problem();
  if (context.json_output && error == client_errc::policy_refused && problem.policy) {
    print_json({{"refused", refusal_json(*problem.policy)}});
  } else if (context.json_output && error == client_errc::consent_invalid) {
    json::array issues;
    for (const auto& i : problem.issues) {
      issues.push_back({{"issue", i.issue}, {"rule_id", i.rule_id}, {"nl", i.nl}, {"en", i.en}});
    }
    print_json({{"refused", {{"issues", std::move(issues)}}}});
  }
  return fail(error, &client);
}

json::object refusal_json(const PolicyRefusal& r) {
  json::array reasons;
  for (const auto& reason : r.reasons) {
    reasons.push_back({{"rule_id", reason.rule_id},
                       {"nl", reason.nl},
                       {"en", reason.en},
                       {"source", reason.source}});
  }
  return {{"by", r.by_hub ? "hub" : "pre-check"},  {"outcome", r.outcome},
          {"rule_ids", names_json(r.rule_ids)},    {"consent_from", r.consent_from},
          {"approval_role", r.approval_role},      {"reasons", std::move(reasons)},
          {"recipient_org", hex(r.recipient_org)}, {"policy_version", r.policy_version},
          {"notes", names_json(r.notes)},          {"message_id", hex(r.message_id)},
          {"thread_id", hex(r.thread_id)},         {"what_to_do", names_json(what_to_do(r))}};
}

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

std::optional<protocol::Id> parse_id(std::string_view text) {
  auto bytes = protocol::hex_decode(text);
  if (!bytes || bytes->size() != 16) {
    return std::nullopt;
  }
  protocol::Id id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

void print_json(const json::value& value) { std::cout << json::serialize(value) << "\n"; }

std::string when(std::int64_t ms) {
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

}  // namespace draaischijf::cli
