#include <algorithm>

#include <draaischijf/client/referrals.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "hub_json.hpp"
#include "session_state.hpp"
#include "verified_directory.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using protocol::Id;
using protocol::ReferralState;
using protocol::Result;

// The statements of a listed referral's history (its first entry, `sent`, is the hub's own).
std::optional<std::vector<std::vector<std::uint8_t>>> statements_of(const json::object& item) {
  const auto* history = item.if_contains("history");
  if (history == nullptr || !history->is_array()) {
    return std::nullopt;
  }
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& entry : history->as_array()) {
    const auto* fields = entry.if_object();
    if (fields == nullptr) {
      return std::nullopt;
    }
    const auto text = hub_json::text(*fields, "statement");
    if (!text) {
      continue;  // the `sent` entry
    }
    auto bytes = protocol::base64_decode(*text);
    if (!bytes) {
      return std::nullopt;
    }
    out.push_back(std::move(*bytes));
  }
  return out;
}

// A listed referral, checked against the pinned keys: the state shown is the one its
// statements prove, never the hub's word alone.
Result<ReferralView> view_of(detail::SessionState& s, const json::object& item) {
  const auto id = hub_json::id(item, "message_id");
  const auto referrer = hub_json::id(item, "referrer_org");
  const auto partner = hub_json::id(item, "partner_org");
  const auto hub_state =
      protocol::parse_name<ReferralState>(hub_json::text(item, "state").value_or(""));
  const auto sent_at = hub_json::count(item, "sent_at_ms");
  auto statements = statements_of(item);
  if (!id || !referrer || !partner || !hub_state || !sent_at || !statements) {
    return invalid_answer();
  }
  const auto checked = policies::check_referral_history(
      *id, *referrer, *partner, *statements,
      [&s](const Id& org) -> std::optional<protocol::SigningPublicKey> {
        auto key = pinned_key(s, org);
        return key ? std::optional(*key) : std::nullopt;
      });
  ReferralView view;
  view.message_id = *id;
  view.referrer_org = *referrer;
  view.partner_org = *partner;
  view.kind = hub_json::text(item, "kind").value_or("");
  view.sent_at_ms = static_cast<std::int64_t>(*sent_at);
  view.hub_state = *hub_state;
  view.state = checked.state;
  view.checks = checked.checks;
  view.statements = static_cast<std::uint32_t>(
      std::count(checked.checks.begin(), checked.checks.end(), policies::StatementCheck::ok));
  view.flagged = !checked.all_ok() || checked.state != *hub_state;
  view.received_due = hub_json::text(item, "received_due").value_or("");
  view.answered_due = hub_json::text(item, "answered_due").value_or("");
  view.overdue = hub_json::flag(item, "overdue").value_or(false);
  return view;
}

Result<std::vector<ReferralView>> views_of(detail::SessionState& s,
                                           const std::vector<json::object>& items) {
  std::vector<ReferralView> out;
  for (const auto& item : items) {
    auto view = view_of(s, item);
    if (!view) {
      return view.error();
    }
    out.push_back(std::move(*view));
  }
  return out;
}

Result<std::vector<ReferralView>> fetch(detail::SessionState& s, const Id& message_id) {
  const auto items = s.get_list("/v1/referrals/" + hex(message_id), "referrals");
  return items ? views_of(s, *items) : Result<std::vector<ReferralView>>(items.error());
}

}  // namespace

Result<std::vector<ReferralView>> Referrals::get(const Id& message_id) {
  return fetch(*state_, message_id);
}

Result<std::vector<ReferralView>> Referrals::list(const ReferralFilter& filter) {
  std::string query = "limit=1000";
  if (filter.state) {
    query += "&state=" + std::string(protocol::name_of(*filter.state));
  }
  if (filter.partner) {
    query += "&partner=" + hex(*filter.partner);
  }
  if (filter.overdue_only) {
    query += "&overdue=true";
  }
  std::vector<ReferralView> out;
  std::string after;
  for (;;) {
    auto page = state_->get_json("/v1/referrals?" + query + after);
    if (!page) {
      return page.error();
    }
    const auto* items = page->if_contains("referrals");
    if (items == nullptr || !items->is_array()) {
      return invalid_answer();
    }
    std::vector<json::object> objects;
    for (const auto& item : items->as_array()) {
      if (!item.is_object()) {
        return invalid_answer();
      }
      objects.push_back(item.as_object());
    }
    auto views = views_of(*state_, objects);
    if (!views) {
      return views.error();
    }
    out.insert(out.end(), views->begin(), views->end());
    const auto next = hub_json::count(*page, "next");
    if (!next) {
      return out;
    }
    after = "&after=" + std::to_string(*next);
  }
}

Result<ReferralView> Referrals::set_status(const Id& message_id, const ReferralStep& step,
                                           std::optional<Id> partner) {
  auto& s = *state_;
  auto own = own_certificate(s);
  if (!own) {
    return own.error();
  }
  auto rows = fetch(s, message_id);
  if (!rows) {
    return rows.error();
  }
  // The partner's own row, or the CLB's row for the partner named (or the only one).
  const bool partner_step = policies::party_of(step.state) == policies::ReferralParty::partner;
  const ReferralView* row = nullptr;
  for (const ReferralView& r : *rows) {
    const bool mine =
        partner_step ? r.partner_org == own->org_id
                     : r.referrer_org == own->org_id && (!partner || r.partner_org == *partner);
    if (mine) {
      if (row != nullptr) {
        return make_error_code(client_errc::not_found);  // ambiguous: name the partner
      }
      row = &r;
    }
  }
  if (row == nullptr) {
    return make_error_code(client_errc::not_found);
  }
  if (row->flagged) {
    return make_error_code(client_errc::hub_answer_invalid);
  }
  protocol::ReferralStatement statement;
  statement.referral_id = message_id;
  statement.partner_org = row->partner_org;
  statement.sender_org = own->org_id;
  statement.state = step.state;
  statement.code = step.code;
  statement.day = step.day;
  statement.created_at_ms = static_cast<std::uint64_t>(s.clock.now_ms());
  statement.sequence = row->statements + 1;
  auto signed_bytes = protocol::sign_referral_statement(statement, *own, s.secrets.signing);
  if (!signed_bytes) {
    return signed_bytes.error();
  }
  auto posted = s.post_bytes("/v1/referrals/" + hex(message_id) + "/status", *signed_bytes,
                             "application/octet-stream");
  if (!posted) {
    return posted.error();
  }
  auto after = fetch(s, message_id);
  if (!after) {
    return after.error();
  }
  for (ReferralView& r : *after) {
    if (r.partner_org == statement.partner_org) {
      return std::move(r);
    }
  }
  return invalid_answer();
}

}  // namespace draaischijf::client
