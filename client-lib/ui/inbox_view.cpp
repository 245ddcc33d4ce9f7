#include "inbox_view.hpp"

#include <vector>

#include <boost/json.hpp>

#include <draaischijf/client/cases.hpp>
#include <draaischijf/client/referrals.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/referral_status.hpp>

namespace draaischijf::ui {
namespace {

namespace json = boost::json;

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

// The CLB's cases (a signaal opens one) and the referrals of this organisation's side. Either
// list may be refused (cases are the CLB's only) or out of reach: the inbox is still shown,
// without states for what could not be listed.
WorkStates work_states(client::Client& client) {
  WorkStates out;
  if (auto referrals = client::Referrals{client.session()}.list(); referrals) {
    for (const auto& r : *referrals) {
      out[hex(r.message_id)] = {std::string(protocol::name_of(r.state)), r.overdue};
    }
  }
  if (client.device().role.rfind("clb", 0) == 0) {
    if (auto cases = client.cases().list(kCasePage); cases) {
      for (const auto& c : *cases) {
        const auto* message = c.if_contains("message_id");
        const auto* state = c.if_contains("state");
        const auto* overdue = c.if_contains("overdue");
        if (message != nullptr && message->is_string() && state != nullptr && state->is_string()) {
          out[std::string(message->as_string())] = {
              std::string(state->as_string()),
              overdue != nullptr && overdue->is_bool() && overdue->as_bool()};
        }
      }
    }
  }
  return out;
}

// One row of the list: what the page shows, filters and groups by, and where the message is to
// open it. Built here rather than from inbox_entry_json: with thousands of messages every field
// a row does not use is bytes to serialise, send and parse before the first paint.
json::object list_row(const client::InboxEntry& e, const client::MessageTopic* topic,
                      const WorkState* work, const json::storage_ptr& storage) {
  json::array flags(storage);
  for (const auto& flag : e.flags) {
    flags.emplace_back(flag);
  }
  const bool pupil = topic != nullptr && !protocol::is_zero(topic->pupil_pseudonym);
  return json::object({{"mailbox_id", hex(e.mailbox_id)},
                       {"sequence", e.sequence},
                       {"received_at_ms", e.received_at_ms},
                       {"sender_org", hex(e.sender_org)},
                       {"sender_org_name", e.sender_org_name},
                       {"sender_role", e.sender_role},
                       {"kind", e.kind},
                       {"categories", client::categories_text(e.categories)},
                       {"flags", std::move(flags)},
                       {"verified", e.problem.empty()},
                       {"problem", e.problem},
                       {"read", e.read},
                       {"thread_id", topic != nullptr ? hex(topic->thread_id) : std::string()},
                       {"pupil", pupil ? hex(topic->pupil_pseudonym) : std::string()},
                       {"pupil_label", pupil ? topic->pupil_reference : std::string()},
                       {"state", work != nullptr ? work->state : std::string()},
                       {"overdue", work != nullptr && work->overdue}},
                      storage);
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

Response inbox_answer(client::Client& client, TopicCache& topics, WorkStates& work,
                      ListAnswer answer) {
  // Thousands of rows of small strings: built in one arena and freed at once, not one heap
  // allocation each.
  json::monotonic_resource arena;
  const json::storage_ptr storage(&arena);
  json::object out(storage);
  out["synced"] = answer != ListAnswer::device;
  out["sync_problem"] = std::string();
  bool news = answer != ListAnswer::news;  // the other answers always list
  if (answer != ListAnswer::device) {
    // A hub out of reach still leaves the local inbox to read; the page says the sync failed,
    // and the work states stay those of the last sync that reached it.
    const auto synced = client.inbox().sync();
    out["sync_problem"] = synced ? std::string() : synced.error().message();
    if (synced) {
      auto states = work_states(client);
      news = news || synced->new_messages > 0 || states != work;
      work = std::move(states);
    }
  }
  const auto listed = client.inbox().list(false);
  if (!listed) {
    return problem_response(Problem::hub_failed, listed.error().message());
  }
  // From the device alone a message is never opened for its topic (opening may need the
  // mailbox's keys from the hub); after a sync, one not opened yet in this session is opened
  // now, and what it tells is news to a page that listed it without.
  std::vector<const client::MessageTopic*> about;
  about.reserve(listed->size());
  for (const auto& e : *listed) {
    const auto* known = topics.find({e.mailbox_id, e.sequence});
    const auto* topic =
        known != nullptr || answer == ListAnswer::device ? known : topic_of(client, topics, e);
    news = news || (known == nullptr && topic != nullptr);
    about.push_back(topic);
  }
  if (!news) {
    return json_response(200, out);
  }
  json::array messages(storage);
  messages.reserve(listed->size());
  std::int64_t unread = 0;
  for (std::size_t i = 0; i < listed->size(); ++i) {
    const auto& e = (*listed)[i];
    unread += e.read ? 0 : 1;
    const auto state = work.find(hex(e.message_id));
    messages.push_back(
        list_row(e, about[i], state != work.end() ? &state->second : nullptr, storage));
  }
  out["messages"] = std::move(messages);
  out["unread"] = unread;
  return json_response(200, out);
}

}  // namespace draaischijf::ui
