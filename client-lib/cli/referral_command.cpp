#include "referral_command.hpp"

#include <iomanip>
#include <iostream>
#include <variant>

#include <draaischijf/client/referrals.hpp>
#include <draaischijf/policies/date.hpp>

namespace draaischijf::cli {
namespace {

namespace json = boost::json;
using client::Client;
using client::ReferralView;
using protocol::ReferralState;

constexpr std::string_view kStatusUsage =
    "referral status MESSAGE_ID received|accepted|declined --reason R|waitlisted --from DATE|"
    "intake_planned --on DATE|started|closed --outcome O";

json::object view_json(const ReferralView& r) {
  json::array checks;
  for (const auto c : r.checks) {
    checks.push_back(json::string(policies::name_of(c)));
  }
  return {{"message_id", hex(r.message_id)},
          {"kind", r.kind},
          {"referrer_org", hex(r.referrer_org)},
          {"partner_org", hex(r.partner_org)},
          {"state", protocol::name_of(r.state)},
          {"hub_state", protocol::name_of(r.hub_state)},
          {"fhir_status", policies::fhir_task_status(r.state).status},
          {"received_due", r.received_due},
          {"answered_due", r.answered_due},
          {"overdue", r.overdue},
          {"flagged", r.flagged},
          {"checks", std::move(checks)}};
}

// A flagged referral is said on stderr, with what failed: the hub served a statement that is
// not what the partner (or the CLB) signed, or a state its statements do not prove.
void warn_flagged(const ReferralView& r) {
  std::cerr << "warning: referral " << hex(r.message_id)
            << ": the hub's history does not check out (";
  const char* separator = "";
  for (std::size_t i = 0; i < r.checks.size(); ++i) {
    if (r.checks[i] != policies::StatementCheck::ok) {
      std::cerr << separator << "statement " << i + 1 << ": " << policies::name_of(r.checks[i]);
      separator = ", ";
    }
  }
  if (r.state != r.hub_state) {
    std::cerr << separator << "the hub says " << protocol::name_of(r.hub_state)
              << ", the signed statements prove " << protocol::name_of(r.state);
  }
  std::cerr << "); showing the proved state. Tell the hub operator.\n";
}

int print_views(const Context& context, const std::vector<ReferralView>& views) {
  bool flagged = false;
  for (const auto& r : views) {
    flagged = flagged || r.flagged;
  }
  if (context.json_output) {
    json::array out;
    for (const auto& r : views) {
      out.push_back(view_json(r));
    }
    print_json({{"referrals", std::move(out)}});
  } else {
    std::cout << std::left << std::setw(34) << "MESSAGE_ID" << std::setw(16) << "STATE"
              << std::setw(34) << "PARTNER" << std::setw(12) << "RECEIVED BY" << std::setw(12)
              << "ANSWER BY"
              << "NOTE\n";
    for (const auto& r : views) {
      std::cout << std::setw(34) << hex(r.message_id) << std::setw(16) << protocol::name_of(r.state)
                << std::setw(34) << hex(r.partner_org) << std::setw(12) << r.received_due
                << std::setw(12) << r.answered_due
                << (r.flagged ? "FLAGGED" : (r.overdue ? "overdue" : "")) << "\n";
    }
  }
  for (const auto& r : views) {
    if (r.flagged) {
      warn_flagged(r);
    }
  }
  return flagged ? kSecurity : kOk;
}

// --NAME DATE as days since 1970-01-01; nullopt (after the usage message) when malformed.
std::optional<std::uint32_t> day_option(const Arguments& args, const std::string& name) {
  const auto text = args.value(name);
  const auto date = text ? policies::parse_date(*text) : std::nullopt;
  if (!date) {
    return std::nullopt;
  }
  return policies::day_number(*date);
}

// The wire code of the vocabulary name in --`option`, or nullopt.
template <class Enum>
std::optional<std::uint8_t> code_of(const Arguments& args, const std::string& option) {
  const auto value = protocol::parse_name<Enum>(args.value(option).value_or(""));
  return value ? std::optional(static_cast<std::uint8_t>(*value)) : std::nullopt;
}

// The step the words ask for, or the usage problem.
std::variant<client::ReferralStep, std::string> step_of(const Arguments& args) {
  const auto& words = args.positional();
  const auto state =
      words.size() == 4 ? protocol::parse_name<ReferralState>(words[3]) : std::nullopt;
  if (!state || *state == ReferralState::sent || *state == ReferralState::cancelled) {
    return std::string(kStatusUsage) + " (to cancel: referral cancel MESSAGE_ID)";
  }
  client::ReferralStep step{*state, 0, 0};
  if (*state == ReferralState::declined || *state == ReferralState::closed) {
    const bool declined = *state == ReferralState::declined;
    const auto code = declined ? code_of<protocol::DeclineReason>(args, "reason")
                               : code_of<protocol::ReferralOutcome>(args, "outcome");
    if (!code) {
      return declined ? std::string(
                            "declined needs --reason outside_offer|capacity|"
                            "client_refused|no_consent|other")
                      : std::string(
                            "closed needs --outcome completed|referred_on|"
                            "client_stopped|no_show|other");
    }
    step.code = *code;
  } else if (*state == ReferralState::waitlisted || *state == ReferralState::intake_planned) {
    const std::string option = *state == ReferralState::waitlisted ? "from" : "on";
    const auto day = day_option(args, option);
    if (!day) {
      return std::string(protocol::name_of(*state)) + " needs --" + option +
             " YYYY-MM-DD (the expected start, or the intake day)";
    }
    step.day = *day;
  }
  return step;
}

int after_step(Client& client, const Context& context, const protocol::Result<ReferralView>& done) {
  if (!done) {
    if (done.error() == client::client_errc::hub_answer_invalid) {
      std::cerr << "error: the hub's history of this referral does not check out; nothing was "
                   "signed. Run `draaischijf referrals` to see what failed and tell the hub "
                   "operator.\n";
      return kSecurity;
    }
    return fail(done.error(), &client);
  }
  if (context.json_output) {
    print_json(view_json(*done));
    return kOk;
  }
  std::cout << "referral " << hex(done->message_id) << " is now " << protocol::name_of(done->state)
            << " (statement " << done->statements << ", signed on this device)\n";
  return kOk;
}

}  // namespace

int referral_status_command(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"reason", "from", "on", "outcome"}); !bad.empty()) {
    return usage_error(bad);
  }
  const auto id = args.positional().size() >= 3 ? parse_id(args.positional()[2]) : std::nullopt;
  const auto step = step_of(args);
  if (!id || std::holds_alternative<std::string>(step)) {
    return usage_error(!id ? std::string(kStatusUsage) : std::get<std::string>(step));
  }
  client::Referrals referrals{client.session()};
  return after_step(client, context,
                    referrals.set_status(*id, std::get<client::ReferralStep>(step)));
}

int referral_cancel_command(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"partner"}); !bad.empty()) {
    return usage_error(bad);
  }
  const auto id = args.positional().size() == 3 ? parse_id(args.positional()[2]) : std::nullopt;
  const auto partner_text = args.value("partner");
  const auto partner = partner_text ? parse_id(*partner_text) : std::nullopt;
  if (!id || (partner_text && !partner)) {
    return usage_error("referral cancel MESSAGE_ID [--partner ORG] (ids: 32 hex digits)");
  }
  client::Referrals referrals{client.session()};
  return after_step(client, context,
                    referrals.set_status(*id, {ReferralState::cancelled, 0, 0}, partner));
}

int referrals_command(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"state", "partner", "overdue"}); !bad.empty()) {
    return usage_error(bad);
  }
  client::ReferralFilter filter;
  if (const auto state = args.value("state")) {
    filter.state = protocol::parse_name<ReferralState>(*state);
    if (!filter.state) {
      return usage_error(
          "--state sent|received|accepted|declined|waitlisted|intake_planned|started|closed|"
          "cancelled");
    }
  }
  if (const auto partner = args.value("partner")) {
    filter.partner = parse_id(*partner);
    if (!filter.partner) {
      return usage_error("--partner ORG (an organisation id, 32 hex digits)");
    }
  }
  filter.overdue_only = args.flag("overdue");
  client::Referrals referrals{client.session()};
  auto views = referrals.list(filter);
  if (!views) {
    return fail(views.error(), &client);
  }
  return print_views(context, *views);
}

}  // namespace draaischijf::cli
