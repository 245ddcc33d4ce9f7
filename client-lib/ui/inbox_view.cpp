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

// What each listed message is chosen by (inbox_window.hpp), with the strings those views point
// into: the pseudonyms and thread ids in hex, as the rows carry them.
class WindowItems {
 public:
  WindowItems(const std::vector<client::InboxEntry>& listed, const TopicCopies& topics,
              const WorkStates& work)
      : pupils_(listed.size()), threads_(listed.size()) {
    items_.reserve(listed.size());
    for (std::size_t i = 0; i < listed.size(); ++i) {
      const auto& e = listed[i];
      const auto* topic = topics.get(i);
      const bool pupil = topic != nullptr && !protocol::is_zero(topic->pupil_pseudonym);
      pupils_[i] = pupil ? hex(topic->pupil_pseudonym) : std::string();
      threads_[i] = topic != nullptr ? hex(topic->thread_id)
                                     : hex(e.mailbox_id) + "/" + std::to_string(e.sequence);
      const auto state = work.find(hex(e.message_id));
      const auto* known = state != work.end() ? &state->second : nullptr;
      items_.push_back({e.received_at_ms, e.read, known != nullptr && known->overdue, e.kind,
                        pupils_[i], pupil ? std::string_view(topic->pupil_reference) : "",
                        known != nullptr ? std::string_view(known->state) : "", threads_[i]});
    }
  }
  [[nodiscard]] const std::vector<WindowItem>& items() const { return items_; }

 private:
  std::vector<std::string> pupils_;
  std::vector<std::string> threads_;
  std::vector<WindowItem> items_;
};

// One row of the list: what the page shows, filters and groups by (`item`, as the window was
// chosen by), and where the message is to open it. Built here rather than from
// inbox_entry_json: every field a row does not use is bytes to serialise, send and parse.
json::object list_row(const client::InboxEntry& e, const client::MessageTopic* topic,
                      const WindowItem& item, const json::storage_ptr& storage) {
  json::array flags(storage);
  for (const auto& flag : e.flags) {
    flags.emplace_back(flag);
  }
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
                       {"pupil", item.pupil},
                       {"pupil_label", item.pupil_label},
                       {"state", item.state},
                       {"overdue", item.overdue}},
                      storage);
}

// {"synced", "sync_problem"} and the window `query` asks for (inbox_window.hpp):
// the rows shown in "messages", in the page's order, and in "groups" how they are grouped
// ({"key", "count", "unread", "shown", "first": the row its heading names}), with the counts and
// the filters' choices over every message.
Response list_json(bool synced, const std::string& sync_problem,
                   const std::vector<client::InboxEntry>& listed, const TopicCopies& topics,
                   const WorkStates& work, const InboxQuery& query) {
  json::monotonic_resource arena;
  const json::storage_ptr storage(&arena);
  json::object out(storage);
  out["synced"] = synced;
  out["sync_problem"] = sync_problem;
  const WindowItems items(listed, topics, work);
  const auto window = window_of(items.items(), query);
  const auto row = [&](std::size_t i) {
    return list_row(listed[i], topics.get(i), items.items()[i], storage);
  };
  json::array messages(storage);
  json::array groups(storage);
  messages.reserve(window.shown);
  for (const auto& group : window.groups) {
    json::object described(storage);
    described["key"] = group.key;
    described["count"] = group.count;
    described["unread"] = group.unread;
    described["shown"] = group.rows.size();
    if (query.by != GroupBy::none) {
      described["first"] = row(group.first);
    }
    groups.push_back(std::move(described));
    for (const auto i : group.rows) {
      messages.push_back(row(i));
    }
  }
  const auto strings = [&storage](const auto& values) {
    json::array array(storage);
    for (const auto value : values) {
      array.emplace_back(value);
    }
    return array;
  };
  json::array pupils(storage);
  for (const auto& [pupil, label] : window.pupils) {
    pupils.push_back(json::object({{"pupil", pupil}, {"pupil_label", label}}, storage));
  }
  out["messages"] = std::move(messages);
  out["groups"] = std::move(groups);
  out["total"] = window.total;
  out["unread"] = window.unread;
  out["matching"] = window.matching;
  out["kinds"] = strings(window.kinds);
  out["states"] = strings(window.states);
  out["pupils"] = std::move(pupils);
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
Response device_list(client::Client& client, Vault& vault, const InboxQuery& query,
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
  return list_json(sync_problem.has_value(), sync_problem.value_or(""), *listed, topics, work,
                   query);
}

SyncOutcome sync_inbox(client::Client& client, Vault& vault, std::uint64_t unlocked) {
  // A hub out of reach still leaves the local inbox to read; the page says the sync failed,
  // and the work states stay those of the last sync that reached it.
  SyncOutcome outcome;
  std::optional<WorkStates> asked;
  {
    const std::lock_guard turn(vault.sync_turn());
    const auto synced = client.inbox().sync();
    if (synced) {
      outcome.news = synced->new_messages > 0;
      asked = work_states(client);
    } else {
      outcome.problem = synced.error().message();
    }
  }
  const auto listed = client.inbox().list(false);
  if (!listed) {
    outcome.problem = listed.error().message();
    return outcome;
  }
  TopicCopies topics(listed->size());
  std::vector<std::size_t> unknown;
  WorkStates work;
  {
    auto learnt = vault.learnt();
    work = copy_learnt(learnt, *listed, topics, &unknown);
  }
  if (asked) {
    outcome.news = outcome.news || *asked != work;
    work = std::move(*asked);
  }
  // A message not opened yet in this unlock is opened now (without the vault's lock), and what
  // it tells is news to a page that listed it without.
  std::vector<std::pair<TopicCache::Key, client::MessageTopic>> opened;
  for (const auto i : unknown) {
    const auto& e = (*listed)[i];
    if (auto topic = client.inbox().topic(e.mailbox_id, e.sequence)) {
      opened.emplace_back(TopicCache::Key{e.mailbox_id, e.sequence}, std::move(*topic));
    }
  }
  outcome.news = outcome.news || !opened.empty();
  if (auto learnt = vault.learnt_in(unlocked)) {
    for (auto& [key, topic] : opened) {
      learnt->topics.put(key, std::move(topic));
    }
    if (asked) {
      learnt->work = std::move(work);
    }
  }
  for (auto& [key, topic] : opened) {  // those the vault did not take (it locked meanwhile)
    protocol::secure_wipe(topic.pupil_reference.data(), topic.pupil_reference.size());
  }
  return outcome;
}

Response list_after_sync(client::Client& client, Vault& vault, ListAnswer answer,
                         const SyncOutcome& outcome, const InboxQuery& query) {
  if (answer == ListAnswer::news && !outcome.news) {
    return json_response(200, json::object{{"synced", true}, {"sync_problem", outcome.problem}});
  }
  return device_list(client, vault, query, outcome.problem);
}

}  // namespace draaischijf::ui
