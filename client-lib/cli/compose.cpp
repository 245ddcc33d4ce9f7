#include "compose.hpp"

#include <filesystem>
#include <iostream>

#include <draaischijf/client/approvals.hpp>
#include <draaischijf/policies/record_json.hpp>
#include <draaischijf/protocol/display_text.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/pupil.hpp>

namespace draaischijf::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using client::Client;
using client::Composition;
using protocol::DataCategory;
using Problem = std::optional<std::string>;  // a usage message, or nothing wrong

// The options send and approve share: the same arguments make the same message.
const std::set<std::string> kComposeOptions = {"to",         "purpose",   "text",    "file",
                                               "consent",    "pupil",     "flag",    "approval",
                                               "message-id", "thread-id", "reply-to"};

// "CATEGORY=VALUE" into the category and the value.
std::optional<std::pair<DataCategory, std::string>> categorised(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos) {
    return std::nullopt;
  }
  const auto category = protocol::parse_name<DataCategory>(text.substr(0, equals));
  if (!category) {
    return std::nullopt;
  }
  return std::pair{*category, text.substr(equals + 1)};
}

// Each value of a repeatable id option.
Problem read_ids(const Arguments& args, const std::string& name, std::vector<protocol::Id>& out) {
  for (const auto& value : args.values(name)) {
    const auto id = parse_id(value);
    if (!id) {
      return "--" + name + " takes an id of 32 hex digits";
    }
    out.push_back(*id);
  }
  return std::nullopt;
}

// An optional id option; `out` stays zero without it.
Problem read_id(const Arguments& args, const std::string& name, protocol::Id& out) {
  const auto value = args.value(name);
  if (!value) {
    return std::nullopt;
  }
  const auto id = parse_id(*value);
  if (!id) {
    return "--" + name + " takes an id of 32 hex digits";
  }
  out = *id;
  return std::nullopt;
}

// The command's own words before KIND: `send`, `approve`, `approval request`.
std::size_t command_words(const Arguments& args) {
  return args.positional()[0] == "approval" ? 2 : 1;
}

// Kind, purpose, attested flags, pupil.
Problem read_labels(const Arguments& args, Composition& c) {
  const std::size_t before = command_words(args);
  if (args.positional().size() != before + 1) {
    return args.positional()[0] + (before == 2 ? " " + args.positional()[1] : "") +
           " KIND --to MAILBOX ...";
  }
  const auto kind = protocol::parse_name<protocol::MessageKind>(args.positional()[before]);
  if (!kind) {
    return "unknown message kind '" + args.positional()[before] + "'";
  }
  c.kind = *kind;
  const auto purpose =
      protocol::parse_name<protocol::Purpose>(args.value("purpose").value_or("begeleiding"));
  if (!purpose) {
    return "unknown purpose '" + args.value("purpose").value_or("") + "'";
  }
  c.purpose = *purpose;
  for (const auto& name : args.values("flag")) {
    const auto flag = protocol::parse_name<policies::Flag>(name);
    if (!flag) {
      return "unknown --flag '" + name + "' (docs/POLICY.md section 3 lists the flags)";
    }
    c.attestations.add(*flag);
  }
  if (const auto pupil = args.value("pupil")) {
    if (!protocol::is_valid_reference(*pupil)) {
      return "--pupil takes the organisation's own reference for the pupil (a dossier number, at "
             "most 128 characters, no control characters)";
    }
    c.pupil = *pupil;
  }
  return std::nullopt;
}

// Recipients, consent, approvals and the fixed ids.
Problem read_references(const Arguments& args, Composition& c) {
  for (auto problem :
       {read_ids(args, "to", c.recipients), read_ids(args, "approval", c.approvals),
        read_id(args, "consent", c.consent_reference), read_id(args, "message-id", c.message_id),
        read_id(args, "thread-id", c.thread_id)}) {
    if (problem) {
      return problem;
    }
  }
  if (c.recipients.empty() && c.kind != protocol::MessageKind::signaal) {
    return "at least one --to MAILBOX is needed (list them with directory ORG)";
  }
  return std::nullopt;
}

// --text CATEGORY=TEXT fragments and --file CATEGORY=PATH[@MEDIA/TYPE] attachments.
Problem read_contents(const Arguments& args, Composition& c) {
  for (const auto& text : args.values("text")) {
    const auto parsed = categorised(text);
    if (!parsed) {
      return "--text takes CATEGORY=TEXT with a data category such as handelingsgericht_advies "
             "or psychisch_sociaal";
    }
    protocol::Fragment fragment;
    fragment.category = parsed->first;
    fragment.media_type = "text/plain; charset=utf-8";
    fragment.body = protocol::SecretBytes::copy_of(
        {reinterpret_cast<const std::uint8_t*>(parsed->second.data()), parsed->second.size()});
    c.fragments.push_back(std::move(fragment));
  }
  for (const auto& file : args.values("file")) {
    const auto parsed = categorised(file);
    if (!parsed) {
      return "--file takes CATEGORY=PATH[@MEDIA/TYPE]";
    }
    std::string path = parsed->second;
    std::string media = "application/octet-stream";
    if (const auto at = path.rfind('@');
        at != std::string::npos && path.find('/', at) != std::string::npos) {
      media = path.substr(at + 1);
      path.resize(at);
    }
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      return "cannot read " + path + ": not a file";
    }
    c.attachments.push_back({parsed->first, path, media, {}});
  }
  if (c.fragments.empty() && c.attachments.empty()) {
    return "at least one --text CATEGORY=TEXT or --file CATEGORY=PATH is needed";
  }
  return std::nullopt;
}

// The composition the arguments describe; `exit_code` says why not.
std::optional<Composition> compose(Client& client, const Arguments& args, int& exit_code) {
  Composition c;
  for (auto problem : {read_labels(args, c), read_references(args, c), read_contents(args, c)}) {
    if (problem) {
      exit_code = usage_error(*problem);
      return std::nullopt;
    }
  }
  if (const auto reply = args.value("reply-to")) {
    auto entry = client.inbox().find(std::strtoll(reply->c_str(), nullptr, 10));
    if (!entry) {
      exit_code = fail(entry.error());
      return std::nullopt;
    }
    c.reply_to = std::pair{entry->mailbox_id, entry->sequence};
  }
  // A school's signaal goes to its own CLB's onthaal unless --to says otherwise.
  if (c.recipients.empty()) {
    auto onthaal = client.directory().signaal_mailbox();
    if (!onthaal) {
      exit_code = fail(onthaal.error(), &client);
      return std::nullopt;
    }
    std::cerr << "to the onthaal of your school's CLB: mailbox " << hex(*onthaal) << "\n";
    c.recipients.push_back(*onthaal);
  }
  return c;
}

// One line on stderr when the pre-check is off; the hub checks either way.
std::optional<int> announce_pre_check(Client& client) {
  auto status = client.outbox().policy_check_status();
  if (!status) {
    return fail(status.error(), &client);
  }
  if (!status->enabled) {
    std::cerr << "note: no policy operator key is pinned on this device, so the policy "
                 "pre-check is skipped (the hub still checks); pin it with `draaischijf trust "
                 "add --policy-key FILE`\n";
  }
  return std::nullopt;
}

// Per recipient, the rules and legal basis the hub signed it let the message through on. The
// receipt's text is printable ASCII, but it is the hub's: escaped all the same.
void print_decisions(const client::SendResult& sent) {
  std::cout << "  policy decisions signed by the hub (rule set "
            << protocol::escape_for_terminal(sent.rule_set_version) << "):\n";
  for (const protocol::ReceiptDecision& d : sent.decisions) {
    std::cout << "    to " << hex(d.mailbox_id) << ": " << protocol::escape_for_terminal(d.rule_ids)
              << ", legal basis " << protocol::escape_for_terminal(d.legal_basis);
    for (std::size_t i = 0; i < d.approvers.size(); ++i) {
      std::cout << (i == 0 ? ", approved by " : ", ") << hex(d.approvers[i]);
    }
    std::cout << "\n";
  }
}

}  // namespace

int send_command(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown(kComposeOptions); !bad.empty()) {
    return usage_error(bad);
  }
  int code = kOk;
  auto composition = compose(client, args, code);
  if (!composition) {
    return code;
  }
  if (const auto failed = announce_pre_check(client)) {
    return *failed;
  }
  auto sent = client.outbox().send(std::move(*composition));
  if (!sent) {
    return refused(context, client, sent.error());
  }
  if (context.json_output) {
    print_json({{"message_id", hex(sent->message_id)},
                {"hub_sequence", sent->hub_sequence},
                {"received_at_ms", sent->received_at_ms},
                {"duplicate", sent->duplicate},
                {"rule_set_version", sent->rule_set_version},
                {"decisions", policies::to_json(sent->decisions)},
                {"team_copy", sent->team_copy ? hex(*sent->team_copy) : ""}});
  } else {
    std::cout << "sent " << hex(sent->message_id) << " (hub receipt verified, sequence "
              << sent->hub_sequence << ", " << when(sent->received_at_ms) << ")\n";
    print_decisions(*sent);
    std::cout << (sent->team_copy ? "  a copy is in the team's Sent folder " + hex(*sent->team_copy)
                                  : std::string("  no copy kept for the team: the organisation "
                                                "has no general mailbox (its Sent folder)"))
              << "\n";
  }
  return kOk;
}

int approve_command(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown(kComposeOptions); !bad.empty()) {
    return usage_error(bad);
  }
  if (!args.value("message-id")) {
    return usage_error(
        "approve needs --message-id HEX: the id the sender's refusal printed (the sender sends "
        "with the same id)");
  }
  if (!args.values("file").empty()) {
    return fail(make_error_code(client::client_errc::approval_unsupported));
  }
  int code = kOk;
  auto composition = compose(client, args, code);
  if (!composition) {
    return code;
  }
  const auto recipients = composition->recipients;
  auto given = client.outbox().approve_message(std::move(*composition));
  if (!given) {
    return refused(context, client, given.error());
  }
  if (context.json_output) {
    print_json(client::given_approval_json(*given));
    return kOk;
  }
  // The approver sees whom the hub will count: its role and person (staff id), as certified.
  std::cout << "approved as " << given->role << ", person " << hex(given->person) << ": "
            << args.positional()[1] << " (" << args.value("purpose").value_or("begeleiding")
            << ") [" << client::categories_text(given->categories) << "] to";
  for (const auto& mailbox : recipients) {
    std::cout << " " << hex(mailbox);
  }
  std::cout << "\n  message " << hex(given->message_id) << ", thread " << hex(given->thread_id)
            << ", content hash " << hex(given->content_hash) << "\napproval "
            << hex(given->approval_id) << "\nthe sender sends with --message-id "
            << hex(given->message_id) << " --thread-id " << hex(given->thread_id) << " --approval "
            << hex(given->approval_id) << "\n";
  return kOk;
}

int approval_request_command(Client& client, const Context& context, const Arguments& args) {
  auto known = kComposeOptions;
  known.insert("approver");
  if (auto bad = args.unknown(known); !bad.empty()) {
    return usage_error(bad);
  }
  if (!args.values("approval").empty()) {
    return usage_error("approval request asks for an approval: leave --approval out");
  }
  int code = kOk;
  auto composition = compose(client, args, code);
  if (!composition) {
    return code;
  }
  // Whose approval: the pre-check's answer (the refusal names the role), or --approver ROLE
  // when this device has no pre-check or the caller knows better.
  std::string role = args.value("approver").value_or("");
  if (role.empty()) {
    auto checked = client.outbox().check(*composition);
    if (checked) {
      std::cerr << "the policy pre-check on this device asks no second approval for this "
                   "message: send it (or name the role with --approver ROLE)\n";
      return kFailed;
    }
    const auto& refusal = client.last_problem().policy;
    if (checked.error() != client::client_errc::policy_refused || !refusal ||
        refusal->approval_role.empty()) {
      return refused(context, client, checked.error());
    }
    role = refusal->approval_role;
    composition->message_id = refusal->message_id;
    composition->thread_id = refusal->thread_id;
  }
  auto mailbox = client::ApprovalQueue{client.session()}.mailbox_for(role);
  if (!mailbox) {
    std::cerr << "no mailbox of your organisation serves the role '"
              << protocol::escape_for_terminal(role)
              << "': ask your organisation admin to make one (admin create-mailbox NAME "
                 "--function ROLE --member DEVICE)\n";
    return kFailed;
  }
  auto asked = client::ApprovalQueue{client.session()}.request(std::move(*composition), *mailbox);
  if (!asked) {
    return refused(context, client, asked.error());
  }
  if (context.json_output) {
    print_json({{"request_id", hex(asked->request_id)},
                {"message_id", hex(asked->message_id)},
                {"thread_id", hex(asked->thread_id)},
                {"approver_role", role},
                {"approver_mailbox", hex(asked->approver_mailbox)},
                {"answer_to", hex(asked->answer_to)}});
    return kOk;
  }
  std::cout << "asked " << role << " (mailbox " << hex(asked->approver_mailbox)
            << ") to approve message " << hex(asked->message_id) << "\n  the answer comes to "
            << hex(asked->answer_to) << ": `draaischijf approval list` shows it\n  once "
            << "approved, send the same message with --message-id " << hex(asked->message_id)
            << " --thread-id " << hex(asked->thread_id) << " --approval ID\n";
  return kOk;
}

}  // namespace draaischijf::cli
