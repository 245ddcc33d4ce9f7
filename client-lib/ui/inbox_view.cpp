#include "inbox_view.hpp"

#include <map>

#include <boost/json.hpp>

#include <draaischijf/client/cases.hpp>
#include <draaischijf/client/referrals.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/referral_status.hpp>

namespace draaischijf::ui {
namespace {

namespace json = boost::json;

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

// Where the work on a message stands, by its message id (hex).
struct WorkState {
  std::string state;
  bool overdue = false;
  std::string case_id;
};

// The CLB's cases (a signaal opens one) and the referrals of this organisation's side. Either
// list may be refused (cases are the CLB's only) or out of reach: the inbox is still shown,
// without states for what could not be listed.
std::map<std::string, WorkState> work_states(client::Client& client) {
  std::map<std::string, WorkState> out;
  if (auto referrals = client::Referrals{client.session()}.list(); referrals) {
    for (const auto& r : *referrals) {
      out[hex(r.message_id)] = {std::string(protocol::name_of(r.state)), r.overdue, {}};
    }
  }
  if (client.device().role.rfind("clb", 0) == 0) {
    if (auto cases = client.cases().list(kCasePage); cases) {
      for (const auto& c : *cases) {
        const auto* message = c.if_contains("message_id");
        const auto* state = c.if_contains("state");
        const auto* overdue = c.if_contains("overdue");
        const auto* case_id = c.if_contains("case_id");
        if (message != nullptr && message->is_string() && state != nullptr && state->is_string() &&
            case_id != nullptr && case_id->is_string()) {
          out[std::string(message->as_string())] = {
              std::string(state->as_string()),
              overdue != nullptr && overdue->is_bool() && overdue->as_bool(),
              std::string(case_id->as_string())};
        }
      }
    }
  }
  return out;
}

}  // namespace

// The message's thread and pupil, opened once per unlocked session. A message that was refused
// at sync has none (it cannot be opened); one that fails now is listed without them.
const client::MessageTopic* topic_of(client::Client& client, TopicCache& topics,
                                     const client::InboxEntry& e) {
  const TopicCache::Key key{e.mailbox_id, e.sequence};
  if (const auto* known = topics.find(key)) {
    return known;
  }
  if (!e.problem.empty()) {
    return nullptr;
  }
  auto opened = client.inbox().topic(e.mailbox_id, e.sequence);
  if (!opened) {
    return nullptr;
  }
  topics.put(key, std::move(*opened));
  return topics.find(key);
}

Response inbox_answer(client::Client& client, TopicCache& topics) {
  json::object out;
  // A hub out of reach still leaves the local inbox to read; the page says the sync failed.
  const auto synced = client.inbox().sync();
  out["sync_problem"] = synced ? std::string() : synced.error().message();
  const auto listed = client.inbox().list(false);
  if (!listed) {
    return problem_response(Problem::hub_failed, listed.error().message());
  }
  const auto work = synced ? work_states(client) : std::map<std::string, WorkState>{};
  json::array messages;
  std::int64_t unread = 0;
  for (const auto& e : *listed) {
    unread += e.read ? 0 : 1;
    auto m = client::inbox_entry_json(e);
    const auto* topic = topic_of(client, topics, e);
    const bool pupil = topic != nullptr && !protocol::is_zero(topic->pupil_pseudonym);
    m["thread_id"] = topic != nullptr ? hex(topic->thread_id) : std::string();
    m["pupil"] = pupil ? hex(topic->pupil_pseudonym) : std::string();
    m["pupil_label"] = pupil ? topic->pupil_reference : std::string();
    const auto at = work.find(hex(e.message_id));
    m["state"] = at != work.end() ? at->second.state : std::string();
    m["overdue"] = at != work.end() && at->second.overdue;
    m["case_id"] = at != work.end() ? at->second.case_id : std::string();
    messages.push_back(std::move(m));
  }
  out["messages"] = std::move(messages);
  out["unread"] = unread;
  return json_response(200, out);
}

}  // namespace draaischijf::ui
