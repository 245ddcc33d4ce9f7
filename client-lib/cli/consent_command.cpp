#include "consent_command.hpp"

#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>
#include <variant>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/record_json.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/pupil.hpp>

namespace draaischijf::cli {
namespace {

namespace json = boost::json;
using client::Client;
using policies::ConsentEntry;
using Problem = std::optional<std::string>;  // a usage message, or nothing wrong

// The values of a repeatable option, each also split at commas: "--to-type caw,cgg".
std::vector<std::string> listed(const Arguments& args, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& value : args.values(name)) {
    std::istringstream items(value);
    for (std::string item; std::getline(items, item, ',');) {
      if (!item.empty()) {
        out.push_back(item);
      }
    }
  }
  return out;
}

// Every listed name of `name` through `add`; the usage message names an unknown one.
template <class Enum, class Add>
Problem read_names(const Arguments& args, const std::string& name, Add add) {
  for (const auto& item : listed(args, name)) {
    const auto value = protocol::parse_name<Enum>(item);
    if (!value) {
      return "--" + name + ": unknown name '" + item + "'";
    }
    add(*value);
  }
  return std::nullopt;
}

template <class Enum>
Problem read_name(const Arguments& args, const std::string& name, Enum& out) {
  const auto text = args.value(name);
  if (!text) {
    return std::nullopt;
  }
  const auto value = protocol::parse_name<Enum>(*text);
  if (!value) {
    return "--" + name + ": unknown name '" + *text + "'";
  }
  out = *value;
  return std::nullopt;
}

Problem read_date(const Arguments& args, const std::string& name,
                  std::optional<policies::CivilDate>& out) {
  if (const auto text = args.value(name)) {
    out = policies::parse_date(*text);
    if (!out) {
      return "--" + name + " takes a date YYYY-MM-DD";
    }
  }
  return std::nullopt;
}

constexpr std::string_view kPupilUsage =
    "--pupil REF: the organisation's own reference for the pupil (a dossier number, at most 128 "
    "characters, no control characters)";

// --pupil REF as the hub knows it: the pseudonym derived with the organisation's pupil key.
std::variant<Problem, protocol::Hash256> pupil_of(Client& client, const Arguments& args) {
  const auto reference = args.value("pupil").value_or("");
  if (!protocol::is_valid_reference(reference)) {
    return Problem(std::string(kPupilUsage));
  }
  auto pseudonym = client.consent_registry().pseudonym_of(reference);
  if (!pseudonym) {
    return Problem("cannot name the pupil: " + pseudonym.error().message());
  }
  return *pseudonym;
}

// `NOUN VERB --pupil REF` (transfer, objection): the verb, one of `verbs`, and the pupil.
struct PupilRequest {
  std::string verb;
  protocol::Hash256 pupil{};
};

// The request, or the exit code of the usage error already printed. `options`: what the verb
// takes beside --pupil.
std::variant<int, PupilRequest> pupil_request(Client& client, const Arguments& args,
                                              std::initializer_list<std::string_view> verbs,
                                              const std::string& usage,
                                              std::initializer_list<std::string> options = {}) {
  std::set<std::string> known{"pupil"};
  known.insert(options.begin(), options.end());
  if (auto bad = args.unknown(known); !bad.empty()) {
    return usage_error(bad);
  }
  const std::string verb = args.positional().size() == 2 ? args.positional()[1] : "";
  if (std::find(verbs.begin(), verbs.end(), verb) == verbs.end()) {
    return usage_error(usage);
  }
  const auto pupil = pupil_of(client, args);
  if (const auto* problem = std::get_if<Problem>(&pupil)) {
    return usage_error(**problem);
  }
  return PupilRequest{verb, std::get<protocol::Hash256>(pupil)};
}

// Who consents, for whom, and what the hub needs to judge the giver: the pupil's age.
Problem read_giver(Client& client, const Arguments& args, ConsentEntry& e) {
  auto& r = e.record;
  if (!args.value("giver")) {
    return "consent register needs --pupil REF and --giver ouders|leerling|beiden";
  }
  const auto pupil = pupil_of(client, args);
  if (const auto* problem = std::get_if<Problem>(&pupil)) {
    return *problem;
  }
  r.pupil = hex(std::get<protocol::Hash256>(pupil));
  r.capacity = args.value("capacity").value_or("");
  r.competency_basis = args.value("basis").value_or("");
  if (auto problem = read_name(args, "giver", r.giver)) {
    return problem;
  }
  if (auto problem = read_name(args, "competency", e.pupil.competency)) {
    return problem;
  }
  if (auto problem = read_date(args, "born", e.pupil.birth_date)) {
    return problem;
  }
  if (const auto age = args.value("age")) {
    char* end = nullptr;
    const long years = std::strtol(age->c_str(), &end, 10);
    if (end == age->c_str() || *end != '\0' || years < 0 || years > 30) {
      return "--age takes the pupil's age in whole years";
    }
    e.pupil.age = static_cast<int>(years);
  }
  if (!e.pupil.birth_date && !e.pupil.age) {
    return "give the pupil's --born YYYY-MM-DD or --age N: who may consent depends on it";
  }
  return std::nullopt;
}

// What the consent covers: recipients, categories, purposes, when, and how it was given.
Problem read_scope(const Arguments& args, ConsentEntry& e) {
  auto& r = e.record;
  for (const auto& org : listed(args, "to")) {
    const auto id = parse_id(org);
    if (!id) {
      return "--to takes an organisation id (32 hex digits)";
    }
    r.recipient_org_ids.push_back(*id);
  }
  std::optional<policies::CivilDate> from;
  for (auto problem :
       {read_names<protocol::OrgType>(args, "to-type",
                                      [&](auto v) { r.recipient_org_types.add(v); }),
        read_names<policies::RecipientKind>(args, "to-kind",
                                            [&](auto v) { r.recipient_kinds.add(v); }),
        read_names<protocol::DataCategory>(args, "categories",
                                           [&](auto v) { r.categories.add(v); }),
        read_names<protocol::Purpose>(args, "purposes", [&](auto v) { r.purposes.add(v); }),
        read_name(args, "channel", r.channel), read_date(args, "from", from),
        read_date(args, "until", r.valid_until)}) {
    if (problem) {
      return problem;
    }
  }
  if (!from) {
    return "consent register needs --from YYYY-MM-DD (the day the consent was given)";
  }
  r.valid_from = *from;
  return std::nullopt;
}

int register_consent(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"pupil", "giver", "capacity", "basis", "born", "age", "competency",
                               "to", "to-type", "to-kind", "categories", "purposes", "from",
                               "until", "channel"});
      !bad.empty()) {
    return usage_error(bad);
  }
  ConsentEntry entry;
  for (auto problem : {read_giver(client, args, entry), read_scope(args, entry)}) {
    if (problem) {
      return usage_error(*problem);
    }
  }
  auto id = client.consent_registry().register_consent(entry);
  if (!id) {
    return refused(context, client, id.error());
  }
  if (context.json_output) {
    print_json({{"consent_id", hex(*id)}});
  } else {
    std::cout << "consent registered: " << hex(*id) << "\nsend under it with --consent " << hex(*id)
              << " --pupil " << *args.value("pupil") << "\n";
  }
  return kOk;
}

// The consent's recipients: organisation types, then organisation ids.
std::string recipients_text(const policies::ConsentRecord& r) {
  std::string out;
  for (const auto& entry : protocol::vocabulary<protocol::OrgType>()) {
    if (r.recipient_org_types.contains(entry.value)) {
      out += (out.empty() ? "" : ",") + std::string(entry.name);
    }
  }
  for (const auto& id : r.recipient_org_ids) {
    out += (out.empty() ? "" : ",") + hex(id);
  }
  return out;
}

void print_consent(const client::Consent& c) {
  const auto& r = c.entry.record;
  std::cout << hex(c.consent_id) << "  " << protocol::name_of(r.giver)
            << (r.capacity.empty() ? "" : " (" + r.capacity + ")") << "  to " << recipients_text(r)
            << "  [" << client::categories_text(r.categories) << "]  "
            << policies::to_string(r.valid_from) << " .. "
            << (r.valid_until ? policies::to_string(*r.valid_until) : "open") << "  "
            << (c.revoked_at_ms ? "REVOKED " + when(*c.revoked_at_ms) : "valid") << "\n";
}

int list_consents(Client& client, const Context& context, const Arguments& args) {
  const auto pupil = pupil_of(client, args);
  if (const auto* problem = std::get_if<Problem>(&pupil)) {
    return usage_error(**problem);
  }
  auto consents = client.consent_registry().consents(std::get<protocol::Hash256>(pupil));
  if (!consents) {
    return fail(consents.error(), &client);
  }
  json::array out;
  for (const auto& c : *consents) {
    if (context.json_output) {
      auto item = policies::to_json(c.entry);
      item["registered_at_ms"] = c.registered_at_ms;
      if (c.revoked_at_ms) {
        item["revoked_at_ms"] = *c.revoked_at_ms;
      }
      out.push_back(std::move(item));
    } else {
      print_consent(c);
    }
  }
  if (context.json_output) {
    print_json({{"consents", std::move(out)}});
  }
  return kOk;
}

int revoke_consent(Client& client, const Context& context, const Arguments& args) {
  const auto id = args.positional().size() == 3 ? parse_id(args.positional()[2]) : std::nullopt;
  if (!id) {
    return usage_error("consent revoke ID (32 hex digits, as consent list shows it)");
  }
  auto withdrawn = client.consent_registry().revoke(*id);
  if (!withdrawn) {
    return fail(withdrawn.error(), &client);
  }
  json::array out;
  for (const auto& w : *withdrawn) {
    out.push_back({{"mailbox_id", hex(w.mailbox_id)},
                   {"sequence", w.sequence},
                   {"message_id", hex(w.message_id)}});
  }
  if (context.json_output) {
    print_json({{"consent_id", hex(*id)}, {"withdrawn", std::move(out)}});
    return kOk;
  }
  std::cout << "consent " << hex(*id) << " revoked; " << withdrawn->size()
            << " message(s) still waiting under it withdrawn\n";
  for (const auto& w : *withdrawn) {
    std::cout << "  withdrawn " << hex(w.message_id) << " from mailbox " << hex(w.mailbox_id)
              << " (sequence " << w.sequence << ")\n";
  }
  return kOk;
}

}  // namespace

namespace {
constexpr std::string_view kConsentUsage =
    "consent register ... | consent list --pupil REF | consent revoke ID";
}  // namespace

int consent_register_command(Client& client, const Context& context, const Arguments& args) {
  if (args.positional().size() != 2) {
    return usage_error(std::string(kConsentUsage));
  }
  return register_consent(client, context, args);
}

int consent_list_command(Client& client, const Context& context, const Arguments& args) {
  if (args.positional().size() != 2) {
    return usage_error(std::string(kConsentUsage));
  }
  if (auto bad = args.unknown({"pupil"}); !bad.empty()) {
    return usage_error(bad);
  }
  return list_consents(client, context, args);
}

int consent_revoke_command(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({}); !bad.empty()) {
    return usage_error(bad);
  }
  return revoke_consent(client, context, args);
}

namespace {

constexpr std::string_view kTransferUsage =
    "transfer announce --pupil REF --to ORG_ID --parents-told YYYY-MM-DD | transfer object|show "
    "--pupil REF (--to: the new CLB's organisation id, from draaischijf directory --type clb; "
    "--parents-told: the day the parents or the pupil were told of the transfer)";

// announce: the signed statement's new CLB and told-day, else the usage problem.
std::variant<Problem, std::pair<protocol::Id, policies::CivilDate>> announcement_of(
    const Arguments& args) {
  const auto to = parse_id(args.value("to").value_or(""));
  std::optional<policies::CivilDate> told;
  if (auto problem = read_date(args, "parents-told", told)) {
    return problem;
  }
  if (!to || !told) {
    return Problem(std::string(kTransferUsage));
  }
  return std::pair{*to, *told};
}

}  // namespace

int transfer_command(Client& client, const Context& context, const Arguments& args) {
  const auto request = pupil_request(client, args, {"announce", "object", "show"},
                                     std::string(kTransferUsage), {"to", "parents-told"});
  if (const int* exit = std::get_if<int>(&request)) {
    return *exit;
  }
  const auto& [verb, pupil] = std::get<PupilRequest>(request);
  if (verb != "announce" && (args.value("to") || args.value("parents-told"))) {
    return usage_error("--to and --parents-told are for transfer announce only");
  }
  auto registry = client.consent_registry();
  protocol::Result<client::Transfer> record = make_error_code(client::client_errc::not_found);
  if (verb == "announce") {
    const auto announcement = announcement_of(args);
    if (const auto* problem = std::get_if<Problem>(&announcement)) {
      return usage_error(**problem);
    }
    const auto& [to, told] = std::get<std::pair<protocol::Id, policies::CivilDate>>(announcement);
    record = registry.announce_transfer(pupil, to, told);
  } else {
    record = verb == "object" ? registry.register_objection(pupil) : registry.transfer(pupil);
  }
  if (!record) {
    return fail(record.error(), &client);
  }
  const auto passes = policies::to_string(record->window_passes_on);
  if (context.json_output) {
    json::object out{{"pupil", hex(record->pupil)},
                     {"announced_at_ms", record->announced_at_ms},
                     {"window_passes_on", passes}};
    if (record->receiving_org) {
      out["receiving_org"] = hex(*record->receiving_org);
    }
    if (record->parents_told) {
      out["parents_told"] = policies::to_string(*record->parents_told);
    }
    if (record->objection_at_ms) {
      out["objection_at_ms"] = *record->objection_at_ms;
    }
    print_json(out);
    return kOk;
  }
  std::cout << "dossier transfer announced " << when(record->announced_at_ms);
  if (record->receiving_org) {
    std::cout << " to CLB " << hex(*record->receiving_org);
  }
  if (record->parents_told) {
    std::cout << " (parents or pupil told on " << policies::to_string(*record->parents_told) << ")";
  }
  std::cout << "; the objection period passes on " << passes << " (computed by the hub)\n";
  if (record->objection_at_ms) {
    std::cout << "objection registered " << when(*record->objection_at_ms)
              << ": only the mandatory set goes (R13)\n";
  }
  return kOk;
}

int objection_command(Client& client, const Context& context, const Arguments& args) {
  const auto request = pupil_request(client, args, {"register", "withdraw", "show"},
                                     "objection register|withdraw|show --pupil REF");
  if (const int* exit = std::get_if<int>(&request)) {
    return *exit;
  }
  const auto& [verb, pupil] = std::get<PupilRequest>(request);
  auto registry = client.consent_registry();
  auto objection = verb == "register"   ? registry.object_to_advice(pupil)
                   : verb == "withdraw" ? registry.withdraw_advice_objection(pupil)
                                        : registry.advice_objection(pupil);
  if (!objection) {
    return fail(objection.error(), &client);
  }
  if (context.json_output) {
    json::object out{{"pupil", hex(pupil)}, {"objection", nullptr}};
    if (*objection) {
      out["objection"] = json::object{{"registered_at_ms", (*objection)->registered_at_ms},
                                      {"registered_by", hex((*objection)->registered_by)}};
    }
    print_json(out);
    return kOk;
  }
  if (*objection) {
    std::cout << "objection to advice to the school registered "
              << when((*objection)->registered_at_ms)
              << ": the hub refuses actionable advice about this pupil to the school (R03)\n";
  } else {
    std::cout << "no objection to advice to the school stands for this pupil\n";
  }
  return kOk;
}

int disclosures_command(Client& client, const Context& context, const Arguments& args) {
  if (auto bad = args.unknown({"pupil"}); !bad.empty()) {
    return usage_error(bad);
  }
  const auto pupil_or = pupil_of(client, args);
  if (const auto* problem = std::get_if<Problem>(&pupil_or)) {
    return usage_error(**problem);
  }
  const auto pupil = &std::get<protocol::Hash256>(pupil_or);
  auto register_ = client.consent_registry().disclosures(*pupil);
  if (!register_) {
    return fail(register_.error(), &client);
  }
  json::array out;
  for (const auto& [d, decision, record_index] : *register_) {
    if (context.json_output) {
      auto item = policies::to_json(d);  // the hub's own wire form, with what proved it
      item["proved"] = decision.has_value();
      if (decision) {
        item["record_index"] = record_index;
      }
      out.push_back(std::move(item));
      continue;
    }
    std::cout << when(d.at_ms) << "  " << d.kind << " (" << d.purpose << ") [" << d.categories
              << "] to organisation " << hex(d.recipient_org) << "\n  by staff " << d.sender_staff
              << " (" << d.sender_role << ")"
              << (d.approved_by.empty() ? "" : ", approved by " + d.approved_by) << "\n  basis "
              << d.legal_basis << ", rules " << d.rule_ids << ", policy " << d.policy_version
              << ", message " << hex(d.message_id) << "\n  "
              << (decision ? "proved: its decision is record-log entry " +
                                 std::to_string(record_index) + ", checked against the log"
                           : std::string("not proved: the hub no longer holds the audit row of "
                                         "its decision (audit retention)"))
              << "\n";
  }
  if (context.json_output) {
    print_json({{"pupil", hex(*pupil)}, {"disclosures", std::move(out)}});
  } else if (register_->empty()) {
    std::cout << "nothing about this pupil was disclosed through the hub\n";
  }
  return kOk;
}

}  // namespace draaischijf::cli
