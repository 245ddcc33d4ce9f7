#include "compose.hpp"

#include <boost/json.hpp>

#include <draaischijf/client/approvals.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/keys.hpp>
#include <draaischijf/protocol/vocabulary.hpp>

#include "outgoing.hpp"

namespace draaischijf::ui {
namespace {

namespace json = boost::json;
using client::Composition;
using client::PolicyRefusal;

std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

std::string_view text_field(const json::object& body, std::string_view name) {
  const auto* value = body.if_contains(name);
  return value != nullptr && value->is_string() ? std::string_view(value->as_string()) : "";
}

template <class Enum>
bool parse_into(std::string_view name, Enum& out) {
  const auto parsed = protocol::parse_name<Enum>(name);
  if (parsed) {
    out = *parsed;
  }
  return parsed.has_value();
}

// The files the form names, received before by POST /api/uploads (outgoing.hpp).
std::variant<std::vector<ChosenFile>, std::string> files_of(const json::object& body) {
  std::vector<ChosenFile> files;
  const auto* list = body.if_contains("attachments");
  if (list == nullptr || list->is_null()) {
    return files;
  }
  if (!list->is_array() || list->as_array().size() > protocol::kMaxAttachments) {
    return std::string("attachments must be a list of at most 64 files");
  }
  for (const auto& entry : list->as_array()) {
    if (!entry.is_object()) {
      return std::string("an attachment must be an object");
    }
    // The pre-check needs the category only; a send without the upload id is upload-gone.
    ChosenFile file{std::string(text_field(entry.as_object(), "upload_id")), {}};
    if (!parse_into(text_field(entry.as_object(), "category"), file.category)) {
      return std::string("unknown data category of an attachment");
    }
    files.push_back(std::move(file));
  }
  return files;
}

// The form's fields as the library's Composition; or what is wrong with them.
std::variant<Composition, std::string> composition_of(const Request& request,
                                                      std::vector<ChosenFile>& files) {
  json::error_code ec;
  const auto parsed = json::parse(request.body(), ec);
  if (ec || !parsed.is_object()) {
    return std::string("the body must be a JSON object");
  }
  const auto& body = parsed.as_object();
  auto chosen = files_of(body);
  if (const auto* why = std::get_if<std::string>(&chosen)) {
    return *why;
  }
  files = std::move(std::get<std::vector<ChosenFile>>(chosen));
  Composition c;
  if (!parse_into(text_field(body, "kind"), c.kind)) {
    return std::string("unknown kind");
  }
  if (!parse_into(text_field(body, "purpose"), c.purpose)) {
    return std::string("unknown purpose");
  }
  const auto* to = body.if_contains("to");
  if (to == nullptr || !to->is_array() || to->as_array().empty()) {
    return std::string("choose at least one recipient");
  }
  for (const auto& mailbox : to->as_array()) {
    const auto id = mailbox.is_string() ? id_of(mailbox.as_string()) : std::nullopt;
    if (!id) {
      return std::string("a recipient is not a mailbox id");
    }
    c.recipients.push_back(*id);
  }
  c.pupil = std::string(text_field(body, "pupil"));
  if (const auto consent = text_field(body, "consent"); !consent.empty()) {
    const auto id = id_of(consent);
    if (!id) {
      return std::string("the consent is not a consent id");
    }
    c.consent_reference = *id;
  }
  // A reply names the received message it answers: thread and pupil come from it.
  if (const auto* reply = body.if_contains("reply_to"); reply != nullptr && !reply->is_null()) {
    const auto* mailbox =
        reply->is_object() ? reply->as_object().if_contains("mailbox_id") : nullptr;
    const auto* sequence =
        reply->is_object() ? reply->as_object().if_contains("sequence") : nullptr;
    const auto id =
        mailbox != nullptr && mailbox->is_string() ? id_of(mailbox->as_string()) : std::nullopt;
    if (!id || sequence == nullptr || !sequence->is_int64() || sequence->as_int64() <= 0) {
      return std::string("reply_to needs the mailbox_id and sequence of a received message");
    }
    c.reply_to = std::pair{*id, sequence->as_int64()};
  }
  // A draft a second approval was asked for keeps the ids the refusal named, and is sent with
  // the approval the answer carried (docs/PROTOCOL.md 7.19).
  for (const auto& [name, field] :
       {std::pair{"message_id", &c.message_id}, std::pair{"thread_id", &c.thread_id}}) {
    if (const auto text = text_field(body, name); !text.empty()) {
      const auto id = id_of(text);
      if (!id) {
        return std::string(name) + " is not an id";
      }
      *field = *id;
    }
  }
  if (const auto approval = text_field(body, "approval"); !approval.empty()) {
    const auto id = id_of(approval);
    if (!id) {
      return std::string("the approval is not an approval id");
    }
    c.approvals.push_back(*id);
  }
  const auto* texts = body.if_contains("texts");
  if (texts == nullptr || !texts->is_array() || texts->as_array().empty()) {
    return std::string("write at least one text");
  }
  for (const auto& entry : texts->as_array()) {
    if (!entry.is_object()) {
      return std::string("a text must be an object");
    }
    protocol::Fragment fragment;
    if (!parse_into(text_field(entry.as_object(), "category"), fragment.category)) {
      return std::string("unknown data category");
    }
    const auto text = text_field(entry.as_object(), "text");
    fragment.media_type = "text/plain; charset=utf-8";
    fragment.body = protocol::SecretBytes::copy_of(
        {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    c.fragments.push_back(std::move(fragment));
  }
  return c;
}

// The form's files by their categories only, for the pre-check (Outbox::check reads no file:
// the labels name categories, not files).
void count_files(Composition& c, const std::vector<ChosenFile>& files) {
  for (const auto& file : files) {
    client::AttachmentFile counted;
    counted.category = file.category;
    c.attachments.push_back(std::move(counted));
  }
}

// What the person can do about a refusal, for the page (the CLI's words name commands).
json::array wat_nu(const PolicyRefusal& r) {
  json::array steps;
  if (r.outcome == "deny") {
    steps.push_back({{"nl",
                      "Dit mag niet zo naar deze ontvanger. Stuur alleen wat de regels "
                      "toelaten (zie de redenen), of via het CLB."},
                     {"en",
                      "Nothing may go to this recipient this way. Send only what the rules "
                      "allow (see the reasons), or through the CLB."}});
    return steps;
  }
  if (!r.consent_from.empty()) {
    steps.push_back({{"nl", "Toestemming nodig van " + r.consent_from +
                                ": het CLB registreert ze; kies ze daarna bij 'Toestemming'."},
                     {"en", "Consent is needed from " + r.consent_from +
                                ": the CLB registers it; then choose it under 'Consent'."}});
  }
  if (!r.approval_role.empty()) {
    steps.push_back(
        // The role is named below, in the person's words, where the page offers to ask.
        {{"nl", "Een tweede akkoord van een collega is nodig: vraag het hieronder aan."},
         {"en", "A colleague's second approval is needed: ask for it below."}});
  }
  return steps;
}

json::object refusal_of(const PolicyRefusal& r) {
  json::array reasons;
  for (const auto& reason : r.reasons) {
    reasons.push_back({{"rule_id", reason.rule_id}, {"nl", reason.nl}, {"en", reason.en}});
  }
  json::array rules;
  for (const auto& id : r.rule_ids) {
    rules.emplace_back(id);
  }
  return {{"by", r.by_hub ? "hub" : "pre-check"}, {"outcome", r.outcome},
          {"approval_role", r.approval_role},     {"message_id", hex(r.message_id)},
          {"thread_id", hex(r.thread_id)},        {"rule_ids", std::move(rules)},
          {"reasons", std::move(reasons)},        {"wat_nu", wat_nu(r)}};
}

// The refusal behind a policy_refused, or nullopt for any other failure.
std::optional<json::object> refusal(client::Client& client,
                                    const boost::system::error_code& error) {
  const auto& problem = client.session().last_problem();
  if (error != client::client_errc::policy_refused || !problem.policy) {
    return std::nullopt;
  }
  return refusal_of(*problem.policy);
}

}  // namespace

Response recipients_answer(client::Client& client) {
  auto organisations = client.directory().organisations();
  if (!organisations) {
    return problem_response(Problem::hub_failed, organisations.error().message());
  }
  // A school's signaal goes to its own CLB's onthaal: offered first (none for others).
  const auto suggested = client.directory().signaal_mailbox();
  json::array out;
  for (const auto& org : *organisations) {
    if (!org.trusted) {
      continue;  // only organisations whose key this device pinned
    }
    auto mailboxes = client.directory().mailboxes(org.org_id);
    if (!mailboxes) {
      return problem_response(Problem::hub_failed, mailboxes.error().message());
    }
    for (const auto& mailbox : *mailboxes) {
      if (!mailbox.accepting) {
        continue;
      }
      const bool first = suggested && *suggested == mailbox.mailbox_id;
      json::object entry{{"mailbox_id", hex(mailbox.mailbox_id)},
                         {"mailbox_name", mailbox.name},
                         {"org_id", hex(org.org_id)},
                         {"org_name", org.name},
                         {"org_type", org.type},
                         {"suggested", first}};
      if (first) {
        out.insert(out.begin(), std::move(entry));
      } else {
        out.push_back(std::move(entry));
      }
    }
  }
  return json_response(200, json::object{{"recipients", std::move(out)}});
}

Response check_answer(client::Client& client, const Request& request) {
  std::vector<ChosenFile> files;
  auto composition = composition_of(request, files);
  if (const auto* why = std::get_if<std::string>(&composition)) {
    return problem_response(Problem::bad_request, *why);
  }
  count_files(std::get<Composition>(composition), files);
  const auto checked = client.outbox().check(std::get<Composition>(composition));
  if (checked) {
    return json_response(200, json::object{{"allowed", true}});
  }
  if (auto refused = refusal(client, checked.error())) {
    return json_response(200, json::object{{"allowed", false}, {"refusal", std::move(*refused)}});
  }
  return problem_response(Problem::hub_failed, checked.error().message());
}

Response send_outcome(client::Client& client, const protocol::Result<client::SendResult>& sent) {
  if (sent) {
    return json_response(200, json::object{{"message_id", hex(sent->message_id)},
                                           {"received_at_ms", sent->received_at_ms},
                                           {"duplicate", sent->duplicate}});
  }
  if (auto refused = refusal(client, sent.error())) {
    auto problem = problem_json(Problem::policy_refused);
    problem["refusal"] = std::move(*refused);
    return json_response(problem_text(Problem::policy_refused).status, problem);
  }
  return problem_response(Problem::hub_failed, sent.error().message());
}

Response send_answer(client::Client& client, const Request& request, Outgoing* outgoing) {
  std::vector<ChosenFile> files;
  auto composition = composition_of(request, files);
  if (const auto* why = std::get_if<std::string>(&composition)) {
    return problem_response(Problem::bad_request, *why);
  }
  auto& c = std::get<Composition>(composition);
  if (files.empty()) {
    return send_outcome(client, client.outbox().send(std::move(c)));
  }
  if (outgoing == nullptr) {
    return problem_response(Problem::hub_failed, "this server takes no attachments");
  }
  // The pre-check with the files' categories before a byte goes up: a refused send uploads
  // nothing.
  count_files(c, files);
  if (const auto checked = client.outbox().check(c); !checked) {
    return send_outcome(client, checked.error());
  }
  c.attachments.clear();
  return outgoing->start(std::move(c), std::move(files),
                         [](client::Client& unlocked, client::Composition ready,
                            std::vector<client::UploadedAttachment> uploaded) {
                           return send_outcome(
                               unlocked,
                               unlocked.outbox().send(std::move(ready), std::move(uploaded)));
                         });
}

namespace {

// The request's answer: its ids, or the policy's refusal (R38: a mailbox that cannot approve).
Response request_outcome(client::Client& client, std::string_view role,
                         const protocol::Result<client::ApprovalRequested>& asked) {
  if (!asked) {
    if (auto refused = refusal(client, asked.error())) {
      auto problem = problem_json(Problem::policy_refused);
      problem["refusal"] = std::move(*refused);
      return json_response(problem_text(Problem::policy_refused).status, problem);
    }
    return problem_response(Problem::hub_failed, asked.error().message());
  }
  return json_response(200, json::object{{"request_id", hex(asked->request_id)},
                                         {"message_id", hex(asked->message_id)},
                                         {"thread_id", hex(asked->thread_id)},
                                         {"approver_role", role},
                                         {"approver_mailbox", hex(asked->approver_mailbox)}});
}

}  // namespace

Response request_approval_answer(client::Client& client, const Request& request,
                                 Outgoing* outgoing) {
  std::vector<ChosenFile> files;
  auto composition = composition_of(request, files);
  if (const auto* why = std::get_if<std::string>(&composition)) {
    return problem_response(Problem::bad_request, *why);
  }
  json::error_code ec;
  const auto body = json::parse(request.body(), ec);
  const auto role = text_field(body.as_object(), "approval_role");
  auto& draft = std::get<Composition>(composition);
  if (role.empty() || protocol::is_zero(draft.message_id) || protocol::is_zero(draft.thread_id)) {
    return problem_response(Problem::bad_request,
                            "approval_role, message_id and thread_id as the refusal named them");
  }
  auto mailbox = client::ApprovalQueue{client.session()}.mailbox_for(role);
  if (!mailbox) {
    return problem_response(Problem::hub_failed,
                            "no mailbox of your organisation serves the role " + std::string(role) +
                                ": ask your organisation admin to make one");
  }
  if (files.empty()) {
    return request_outcome(
        client, role, client::ApprovalQueue{client.session()}.request(std::move(draft), *mailbox));
  }
  if (outgoing == nullptr) {
    return problem_response(Problem::hub_failed, "this server takes no attachments");
  }
  // The request's pre-check with the files' categories before a byte goes up, as for a send: a
  // refused request uploads nothing.
  // (A Composition holds its texts as secrets and is not copied: the form is read again.)
  std::vector<ChosenFile> counted;
  auto labels = std::get<Composition>(composition_of(request, counted));
  count_files(labels, counted);
  if (const auto checked =
          client::ApprovalQueue{client.session()}.check(std::move(labels), *mailbox);
      !checked) {
    return request_outcome(client, role, checked.error());
  }
  // The draft's files travel with the request (docs/PROTOCOL.md 7.19): encrypted and uploaded
  // on the job's worker like a send's, then the request is sealed with them (the pre-check runs
  // again there).
  draft.attachments.clear();
  return outgoing->start(std::move(draft), std::move(files),
                         [to = *mailbox, approver = std::string(role)](
                             client::Client& unlocked, client::Composition ready,
                             std::vector<client::UploadedAttachment> uploaded) {
                           return request_outcome(unlocked, approver,
                                                  client::ApprovalQueue{unlocked.session()}.request(
                                                      std::move(ready), to, std::move(uploaded)));
                         });
}

}  // namespace draaischijf::ui
