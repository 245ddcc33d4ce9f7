#include "inbox_view.hpp"

#include <optional>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/client/cases.hpp>
#include <draaischijf/client/referrals.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/referral_status.hpp>
#include <draaischijf/protocol/secret.hpp>

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

// The topics of the listed messages, copied out of the vault's cache so the list is built
// without its lock; the pupil references (plaintext from inside the messages) are wiped when
// the copies go, as the cache wipes its own.
class TopicCopies {
 public:
  explicit TopicCopies(std::size_t size) : topics_(size) {}
  TopicCopies(const TopicCopies&) = delete;
  TopicCopies& operator=(const TopicCopies&) = delete;
  ~TopicCopies() {
    for (auto& topic : topics_) {
      if (topic) {
        protocol::secure_wipe(topic->pupil_reference.data(), topic->pupil_reference.size());
      }
    }
  }
  [[nodiscard]] std::optional<client::MessageTopic>& operator[](std::size_t i) {
    return topics_[i];
  }
  [[nodiscard]] const client::MessageTopic* get(std::size_t i) const {
    return topics_[i] ? &*topics_[i] : nullptr;
  }

 private:
  std::vector<std::optional<client::MessageTopic>> topics_;
};

// What the vault knows of `listed`: each message's topic where it was learnt (the indexes of
// those without one, and not refused, in `unknown`), and the work states.
WorkStates copy_learnt(Vault::Learnt& learnt, const std::vector<client::InboxEntry>& listed,
                       TopicCopies& topics, std::vector<std::size_t>* unknown) {
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const auto& e = listed[i];
    if (const auto* known = learnt.topics.find({e.mailbox_id, e.sequence})) {
      topics[i] = *known;
    } else if (unknown != nullptr && e.problem.empty()) {
      unknown->push_back(i);
    }
  }
  return learnt.work;
}

// {"synced", "sync_problem"} and, with `listed`, every message as a row with its unread count.
Response list_json(bool synced, const std::string& sync_problem,
                   const std::vector<client::InboxEntry>* listed, const TopicCopies& topics,
                   const WorkStates& work) {
  // Thousands of rows of small strings: built in one arena and freed at once, not one heap
  // allocation each.
  json::monotonic_resource arena;
  const json::storage_ptr storage(&arena);
  json::object out(storage);
  out["synced"] = synced;
  out["sync_problem"] = sync_problem;
  if (listed == nullptr) {
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
        list_row(e, topics.get(i), state != work.end() ? &state->second : nullptr, storage));
  }
  out["messages"] = std::move(messages);
  out["unread"] = unread;
  return json_response(200, out);
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

// From the device alone a message is never opened for its topic (opening may need the
// mailbox's keys from the hub): what this unlock learnt is shown, the rest after the sync.
Response device_list(client::Client& client, Vault& vault,
                     const std::optional<std::string>& sync_problem) {
  const auto listed = client.inbox().list(false);
  if (!listed) {
    return problem_response(Problem::hub_failed, listed.error().message());
  }
  TopicCopies topics(listed->size());
  WorkStates work;
  {
    auto learnt = vault.learnt();
    work = copy_learnt(learnt, *listed, topics, nullptr);
  }
  return list_json(sync_problem.has_value(), sync_problem.value_or(""), &*listed, topics, work);
}

SyncedList synced_list(client::Client& client, Vault& vault, std::uint64_t unlocked,
                       bool with_list) {
  // A hub out of reach still leaves the local inbox to read; the page says the sync failed,
  // and the work states stay those of the last sync that reached it.
  std::string sync_problem;
  bool news = false;
  std::optional<WorkStates> asked;
  {
    const std::lock_guard turn(vault.sync_turn());
    const auto synced = client.inbox().sync();
    if (synced) {
      news = synced->new_messages > 0;
      asked = work_states(client);
    } else {
      sync_problem = synced.error().message();
    }
  }
  const auto listed = client.inbox().list(false);
  if (!listed) {
    return {false, problem_response(Problem::hub_failed, listed.error().message())};
  }
  TopicCopies topics(listed->size());
  std::vector<std::size_t> unknown;
  WorkStates work;
  {
    auto learnt = vault.learnt();
    work = copy_learnt(learnt, *listed, topics, &unknown);
  }
  if (asked) {
    news = news || *asked != work;
    work = std::move(*asked);
  }
  // A message not opened yet in this unlock is opened now (without the vault's lock), and what
  // it tells is news to a page that listed it without.
  std::vector<std::pair<TopicCache::Key, client::MessageTopic>> opened;
  for (const auto i : unknown) {
    const auto& e = (*listed)[i];
    if (auto topic = client.inbox().topic(e.mailbox_id, e.sequence)) {
      topics[i] = *topic;
      opened.emplace_back(TopicCache::Key{e.mailbox_id, e.sequence}, std::move(*topic));
    }
  }
  news = news || !opened.empty();
  if (auto learnt = vault.learnt_in(unlocked)) {
    for (auto& [key, topic] : opened) {
      learnt->topics.put(key, std::move(topic));
    }
    if (asked) {
      learnt->work = work;
    }
  }
  for (auto& [key, topic] : opened) {  // those the vault did not take (it locked meanwhile)
    protocol::secure_wipe(topic.pupil_reference.data(), topic.pupil_reference.size());
  }
  const bool list = with_list || news;
  return {news, list_json(true, sync_problem, list ? &*listed : nullptr, topics, work)};
}

}  // namespace draaischijf::ui
