#include "approval_command.hpp"

#include <iostream>
#include <sstream>

#include <draaischijf/client/approvals.hpp>

namespace draaischijf::cli {
namespace {

using client::Client;

// For people: the draft as it will be sent, every text line indented under its category.
void print_pending(const client::PendingApproval& p) {
  std::cout << "request " << p.sequence << " from " << p.requester_role << " ("
            << when(p.received_at_ms) << "): " << protocol::name_of(p.kind) << " ("
            << protocol::name_of(p.purpose) << ") about pupil " << p.pupil_reference << " ["
            << client::categories_text(p.categories) << "]\n  message " << hex(p.message_id)
            << "\n  to";
  for (const auto& mailbox : p.recipients) {
    std::cout << " " << hex(mailbox);
  }
  std::cout << "\n";
  for (const auto& fragment : p.fragments) {
    std::cout << "  [" << protocol::name_of(fragment.category) << "] " << fragment.media_type
              << "\n";
    if (fragment.media_type.rfind("text/", 0) == 0) {
      std::istringstream lines(
          std::string(fragment.body.expose().begin(), fragment.body.expose().end()));
      for (std::string line; std::getline(lines, line);) {
        std::cout << "    | " << line << "\n";
      }
    }
  }
  std::cout << "  approve: draaischijf approval approve " << p.sequence
            << "   decline: draaischijf approval decline " << p.sequence << " --reason TEXT\n";
}

void print_answer(const client::ApprovalAnswerReceived& a) {
  std::cout << "answer " << a.sequence << " from " << a.approver_role << " on message "
            << hex(a.message_id) << ": ";
  if (a.approved) {
    std::cout << "approved, approval " << hex(a.approval_id)
              << "\n  send the message with --message-id " << hex(a.message_id)
              << " (and the --thread-id the request printed) --approval " << hex(a.approval_id)
              << "\n";
  } else {
    std::cout << "declined: " << a.reason << "\n";
  }
}

}  // namespace

int approval_list_command(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({}); !bad.empty()) {
    return usage_error(bad);
  }
  if (args.positional().size() != 2) {
    return usage_error("approval list (no further words)");
  }
  if (auto synced = client.inbox().sync(); !synced) {
    return fail(synced.error(), &client);
  }
  client::ApprovalQueue queue{client.session()};
  auto pending = queue.pending();
  if (!pending) {
    return fail(pending.error(), &client);
  }
  auto answers = queue.answers();
  if (!answers) {
    return fail(answers.error(), &client);
  }
  if (context.json_output) {
    print_json(client::approval_queue_json(*pending, *answers));
    return kOk;
  }
  if (pending->empty() && answers->empty()) {
    std::cout << "no requests for a second approval and no answers\n";
  }
  for (const auto& item : *pending) {
    print_pending(item);
  }
  for (const auto& item : *answers) {
    print_answer(item);
  }
  return kOk;
}

int approval_answer_command(Client& client, const Context& context, const Arguments& args) {
  const bool approve = args.positional()[1] == "approve";
  if (auto bad = args.unknown(approve ? std::set<std::string>{} : std::set<std::string>{"reason"});
      !bad.empty()) {
    return usage_error(bad);
  }
  const std::string usage = approve ? "approval approve SEQ (the number approval list shows)"
                                    : "approval decline SEQ --reason TEXT";
  if (args.positional().size() != 3 || (!approve && !args.value("reason"))) {
    return usage_error(usage);
  }
  auto entry = client.inbox().find(std::strtoll(args.positional()[2].c_str(), nullptr, 10));
  if (!entry) {
    return fail(entry.error(), &client);
  }
  client::ApprovalQueue queue{client.session()};
  if (!approve) {
    if (auto declined = queue.decline(entry->mailbox_id, entry->sequence, *args.value("reason"));
        !declined) {
      return refused(context, client, declined.error());
    }
    if (context.json_output) {
      print_json({{"declined", true}, {"sequence", entry->sequence}});
    } else {
      std::cout << "declined; the requester is told why\n";
    }
    return kOk;
  }
  auto given = queue.approve(entry->mailbox_id, entry->sequence);
  if (!given) {
    return refused(context, client, given.error());
  }
  if (context.json_output) {
    print_json(client::given_approval_json(*given));
  } else {
    std::cout << "approved as " << given->role << ", person " << hex(given->person) << ": approval "
              << hex(given->approval_id) << " for message " << hex(given->message_id)
              << "; the requester is told\n";
  }
  return kOk;
}

}  // namespace draaischijf::cli
