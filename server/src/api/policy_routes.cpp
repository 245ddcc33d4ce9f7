#include "api/policy_routes.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <span>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/policies/record_json.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/approval.hpp>
#include <draaischijf/protocol/pupil.hpp>
#include <draaischijf/protocol/transfer_announcement.hpp>
#include <draaischijf/server/store/transparency_logs.hpp>

#include "api/on_writer.hpp"
#include "policy/hub_policy.hpp"

namespace draaischijf::server::policy_routes {
namespace {

using namespace api_call;

std::optional<protocol::Hash256> parse_pupil(std::string_view text) {
  return fixed_from<32>(decoded(protocol::hex_decode(text)));
}

using protocol::StaffRole;

// Who may do what with consents and the disclosure register (docs/POLICY.md section 9, "Who
// may register, revoke and read"): the CLB staff who work with pupils and their director.
// Never an organisation_admin device (it manages devices and mailboxes, not pupils), nor a
// device of the CLB certified with a school's or partner's role.
constexpr StaffRole kConsentRoles[] = {StaffRole::clb_onthaal,
                                       StaffRole::clb_psycholoog,
                                       StaffRole::clb_maatschappelijk_werker,
                                       StaffRole::clb_arts,
                                       StaffRole::clb_verpleegkundige,
                                       StaffRole::clb_pedagoog,
                                       StaffRole::clb_paramedicus,
                                       StaffRole::clb_directeur};

// The disclosure register answers inzage requests: the same staff (the onthaal takes the
// request in; the register holds ids, categories and legal bases, never content).
constexpr std::span<const StaffRole> kDisclosureRoles = kConsentRoles;

// A consent record is a few hundred bytes: anything much larger is refused before it is parsed.
constexpr std::size_t kMaxConsentBody = 16 * 1024;

// Consents and the disclosure register are the CLB's: its enrolled staff devices only, and of
// those only the roles given.
std::optional<Reply> unless_clb_staff(const Call& call,
                                      std::span<const StaffRole> roles = kConsentRoles) {
  if (call.caller.org_type != protocol::OrgType::clb || !call.caller.enrolled) {
    return call.problem(ProblemKind::clb_only);
  }
  const auto role = protocol::parse_name<StaffRole>(call.caller.role);
  if (!role || std::find(roles.begin(), roles.end(), *role) == roles.end()) {
    return call.problem(
        ProblemKind::role_not_permitted,
        "The role " + std::string(role ? call.caller.role : "(unknown)") + " may not do this.");
  }
  return std::nullopt;
}

// The per-pupil reads: CLB staff of `roles`, and ?pupil= with the pupil pseudonym.
std::optional<Reply> clb_pupil_query(const Call& call, protocol::Hash256& pupil,
                                     std::span<const StaffRole> roles) {
  if (auto refused = unless_clb_staff(call, roles)) {
    return refused;
  }
  const auto parsed = parse_pupil(call.query_value("pupil").value_or(""));
  if (!parsed) {
    return call.problem(ProblemKind::invalid_field,
                        "Give ?pupil= with the 64 hex digits of the pupil.");
  }
  pupil = *parsed;
  return std::nullopt;
}

json::object consent_json(const StoredConsent& consent) {
  json::object out = policies::to_json(consent.entry);
  out["registered_at_ms"] = consent.registered_at_ms;
  out["registered_by"] = hex(consent.registered_by);
  if (consent.revoked_at_ms) {
    out["revoked_at_ms"] = *consent.revoked_at_ms;
  }
  return out;
}

json::array reasons_json(const std::vector<policies::Reason>& reasons) {
  json::array out;
  for (const auto& r : reasons) {
    out.push_back({{"rule_id", r.rule_id}, {"nl", r.nl}, {"en", r.en}, {"source", r.source}});
  }
  return out;
}

// The hub's decision date and the staff id of the calling device.
struct Today {
  policies::CivilDate date;
  std::string staff;
};

sqlite::Result<Today> today_for(const Call& call) {
  auto device = call.parts.directory.device(call.caller.device_id);
  if (!device) {
    return device.error();
  }
  return Today{policies::belgian_date(call.parts.clock.now()),
               protocol::hex_encode(device->staff_id)};
}

// A transfer announcement as the CLB reads it: the hub's times, what the signed statement says
// and the day from which R14's objection window has passed (the hub's own computation, with
// the rules' objection_days, on the announcing CLB's calendar).
json::object transfer_json(const TransferRecord& t, int objection_days,
                           const policies::WorkingCalendar& calendar) {
  std::optional<policies::CivilDate> told;
  if (t.told_day != 0) {
    told = policies::date_of_day(t.told_day);
  }
  json::object out{{"pupil", hex(t.pupil)},
                   {"announced_at_ms", t.announced_at_ms},
                   {"announced_by", hex(t.announced_by)},
                   {"window_passes_on", policies::to_string(policies::objection_window_passes_on(
                                            t.announced_at_ms, told, objection_days, calendar))}};
  if (t.receiving_org) {
    out["receiving_org"] = hex(*t.receiving_org);
  }
  if (told) {
    out["parents_told"] = policies::to_string(*told);
  }
  if (!t.statement.empty()) {
    out["statement"] = b64(t.statement);
  }
  if (t.objection_at_ms) {
    out["objection_at_ms"] = *t.objection_at_ms;
  }
  return out;
}

// The pupil's transfer record of the caller's CLB, as JSON, or the problem.
Reply transfer_reply(const Call& call, const protocol::Hash256& pupil, Status status) {
  auto record = call.parts.consents.transfer(call.caller.org_id, pupil);
  if (!record) {
    return record.error() == consent_errc::not_found ? call.problem(ProblemKind::not_found)
                                                     : call.problem(record.error());
  }
  const auto workflow = call.parts.workflow.get();  // the calendars of the last (re)load
  return call.json(status,
                   transfer_json(*record, call.parts.policy.get()->rules->settings().objection_days,
                                 workflow->calendars.of(call.caller.org_id)));
}

// How long before the hub's today the parents or the pupil may have been told: the CLB
// announces at the hub when it tells them, and a told-day further back points to a mistyped
// date or an announcement made too late for the objection to be heard in time.
constexpr std::int64_t kMaxToldDaysAgo = 30;

// The checks of a signed transfer announcement against the caller, the directory and the
// hub's clock (docs/PROTOCOL.md 7.20), in order; the problem of the first that fails.
std::optional<Reply> refuse_announcement(const Call& call,
                                         const protocol::ParsedTransferAnnouncement& parsed) {
  const protocol::TransferAnnouncement& s = parsed.statement;
  // Signed by this very device, whose enrolled certificate it embeds: the CLB it speaks for is
  // the one that certified the device, not one it claims.
  auto device = call.parts.directory.device(call.caller.device_id);
  if (!device || device->certificate != protocol::encode(parsed.signer) ||
      s.sender_org != call.caller.org_id) {
    return call.problem(ProblemKind::transfer_invalid,
                        "It must embed this device's own enrolled certificate.");
  }
  const auto skew =
      std::chrono::duration_cast<std::chrono::milliseconds>(call.parts.config.limits.max_clock_skew)
          .count();
  if (std::llabs(static_cast<long long>(s.created_at_ms) - call.now_ms()) > skew) {
    return call.problem(ProblemKind::clock_skew);
  }
  auto receiver = call.parts.directory.organisation(s.receiving_org);
  if (!receiver || receiver->type != protocol::OrgType::clb || receiver->removed_at_ms) {
    return call.problem(ProblemKind::transfer_receiver, !receiver ? "No such organisation."
                                                        : receiver->type != protocol::OrgType::clb
                                                            ? "It is not a CLB."
                                                            : "It was removed.");
  }
  const auto today =
      std::int64_t{policies::day_number(policies::belgian_date(call.parts.clock.now()))};
  if (std::int64_t{s.told_day} > today || today - s.told_day > kMaxToldDaysAgo) {
    return call.problem(ProblemKind::transfer_told_date, std::int64_t{s.told_day} > today
                                                             ? "It is after today."
                                                             : "It is more than 30 days ago.");
  }
  return std::nullopt;
}

// The pupil of a registry request body ({"pupil": 64 hex digits}), after the CLB staff check.
std::optional<Reply> pupil_of_body(const Call& call, protocol::Hash256& pupil) {
  if (auto refused = unless_clb_staff(call)) {
    return refused;
  }
  const auto body = call.json_body();
  const auto parsed = body ? parse_pupil(string_field(*body, "pupil").value_or("")) : std::nullopt;
  if (!parsed) {
    return call.problem(ProblemKind::invalid_field,
                        "Give {\"pupil\": \"...\"} with the 64 hex digits of the pupil.");
  }
  pupil = *parsed;
  return std::nullopt;
}

// A change of a registry record through the writer, answered by `show` (the record as it is now)
// or with the problem.
template <class Start, class Show>
Task<Reply> registry_change(Call& call, Start start, Show show) {
  auto stored = co_await on_writer<sqlite::Result<void>>(std::move(start));
  if (!stored) {
    co_return call.problem(make_error_code(store_errc::overloaded));
  }
  if (!*stored) {
    const auto error = stored->error();
    if (error == consent_errc::already_announced) {
      co_return call.problem(ProblemKind::conflict,
                             "The transfer was announced already; its date is not moved.");
    }
    co_return error == consent_errc::not_found ? call.problem(ProblemKind::not_found)
                                               : call.problem(error);
  }
  co_return show();
}

// The pupil's standing objection to advice (R03) of the caller's CLB: `objection` is null when
// none stands.
Reply advice_objection_reply(const Call& call, const protocol::Hash256& pupil, Status status) {
  auto objection = call.parts.consents.advice_objection(call.caller.org_id, pupil);
  if (!objection && objection.error() != consent_errc::not_found) {
    return call.problem(objection.error());
  }
  json::value standing = nullptr;
  if (objection) {
    standing = json::object{{"registered_at_ms", objection->registered_at_ms},
                            {"registered_by", hex(objection->registered_by)}};
  }
  return call.json(status, {{"pupil", hex(pupil)}, {"objection", std::move(standing)}});
}

// A change of the caller's CLB's record about the pupil the body names: `start(pupil,
// complete)` through the writer, answered by `show(pupil)`.
template <class Start, class Show>
Task<Reply> pupil_change(Call& call, Start start, Show show) {
  protocol::Hash256 pupil{};
  if (auto refused = pupil_of_body(call, pupil)) {
    co_return *refused;
  }
  co_return co_await registry_change(
      call, [&](auto complete) { return start(pupil, complete); }, [&] { return show(pupil); });
}

// A read of the caller's CLB's record about the pupil in ?pupil=, answered by `show`.
Task<Reply> pupil_read(Call& call, Reply (*show)(const Call&, const protocol::Hash256&, Status)) {
  protocol::Hash256 pupil{};
  if (auto refused = clb_pupil_query(call, pupil, kConsentRoles)) {
    co_return *refused;
  }
  co_return show(call, pupil, Status::ok);
}

}  // namespace

Task<Reply> announce_transfer(Call& call) {
  if (auto refused = unless_clb_staff(call)) {
    co_return *refused;
  }
  auto parsed = protocol::parse_transfer_announcement(call.request.body);
  if (!parsed && !call.request.body.empty() && call.request.body.front() == '{') {
    co_return call.problem(ProblemKind::transfer_unsigned);
  }
  if (!parsed || !protocol::verify_transfer_announcement_signature(*parsed)) {
    co_return call.problem(ProblemKind::transfer_invalid);
  }
  if (auto refused = refuse_announcement(call, *parsed)) {
    co_return *refused;
  }
  // The date the window counts from is the hub's: a sender cannot backdate it.
  const auto& s = parsed->statement;
  TransferRecord record;
  record.org_id = call.caller.org_id;
  record.pupil = s.pupil;
  record.announced_at_ms = call.now_ms();
  record.announced_by = call.caller.device_id;
  record.receiving_org = s.receiving_org;
  record.told_day = s.told_day;
  record.statement.assign(call.request.body.begin(), call.request.body.end());
  const auto pupil = s.pupil;
  co_return co_await registry_change(
      call, [&](auto complete) { return call.parts.consents.announce_transfer(record, complete); },
      [&] { return transfer_reply(call, pupil, Status::created); });
}

Task<Reply> register_objection(Call& call) {
  return pupil_change(
      call,
      [&call](const protocol::Hash256& pupil, auto complete) {
        return call.parts.consents.register_objection(
            call.caller.org_id, pupil, call.caller.device_id, call.now_ms(), complete);
      },
      [&call](const protocol::Hash256& pupil) { return transfer_reply(call, pupil, Status::ok); });
}

Task<Reply> get_transfer(Call& call) { return pupil_read(call, transfer_reply); }

Task<Reply> register_advice_objection(Call& call) {
  // The time is the hub's, like every record the policy gate reads.
  return pupil_change(
      call,
      [&call](const protocol::Hash256& pupil, auto complete) {
        const AdviceObjection objection{call.caller.org_id, pupil, call.now_ms(),
                                        call.caller.device_id};
        return call.parts.consents.register_advice_objection(objection, complete);
      },
      [&call](const protocol::Hash256& pupil) {
        return advice_objection_reply(call, pupil, Status::created);
      });
}

Task<Reply> withdraw_advice_objection(Call& call) {
  return pupil_change(
      call,
      [&call](const protocol::Hash256& pupil, auto complete) {
        return call.parts.consents.withdraw_advice_objection(
            call.caller.org_id, pupil, call.caller.device_id, call.now_ms(), complete);
      },
      [&call](const protocol::Hash256& pupil) {
        return advice_objection_reply(call, pupil, Status::ok);
      });
}

Task<Reply> get_advice_objection(Call& call) { return pupil_read(call, advice_objection_reply); }

Task<Reply> get_policy(Call& call) {
  const auto policy = call.parts.policy.get();
  co_return call.json(Status::ok, {{"version", policy->rules->version()},
                                   {"rules", policy->text},
                                   {"signature", policy->signature},
                                   {"operator_key", b64(policy->operator_key)}});
}

Task<Reply> register_consent(Call& call) {
  if (auto refused = unless_clb_staff(call)) {
    co_return *refused;
  }
  if (call.request.body.size() > kMaxConsentBody) {
    co_return call.problem(ProblemKind::malformed_request,
                           "A consent record is at most 16 KiB of JSON.");
  }
  const auto body = call.json_body();
  if (!body) {
    co_return call.problem(ProblemKind::malformed_request,
                           "The body must be a JSON consent record.");
  }
  std::string error;
  auto entry = policies::consent_from_json(*body, error);
  if (!entry) {
    co_return call.problem(ProblemKind::invalid_field, "Consent: " + error + ".");
  }
  auto today = today_for(call);
  if (!today) {
    co_return call.problem(today.error());
  }
  // The hub decides the id, who recorded it and that it is not revoked: never the client.
  StoredConsent consent;
  consent.consent_id = protocol::random_id();
  consent.org_id = call.caller.org_id;
  consent.pupil = *parse_pupil(entry->record.pupil);
  consent.registered_at_ms = call.now_ms();
  consent.registered_by = call.caller.device_id;
  entry->record.id = hex(consent.consent_id);
  entry->record.recorded_by = today->staff;
  entry->record.revoked = false;
  entry->record.revoked_on.reset();
  const auto check = policies::validate_consent(*call.parts.policy.get()->rules, entry->record,
                                                entry->pupil, today->date);
  if (!check.valid()) {
    json::array issues;
    for (const auto& p : check.problems) {
      json::object issue{{"issue", protocol::name_of(p.issue)},
                         {"rule_id", p.rule_id},
                         {"nl", p.nl},
                         {"en", p.en}};
      if (!p.field.empty()) {
        issue["field"] = p.field;
      }
      issues.push_back(std::move(issue));
    }
    co_return call.problem(ProblemKind::consent_invalid, {}, {{"issues", std::move(issues)}});
  }
  consent.entry = std::move(*entry);
  auto stored = co_await on_writer<sqlite::Result<void>>(
      [&](auto complete) { return call.parts.consents.add(consent, complete); });
  if (!stored || !*stored) {
    co_return call.problem(!stored ? make_error_code(store_errc::overloaded) : stored->error());
  }
  co_return call.json(Status::created, consent_json(consent));
}

Task<Reply> list_consents(Call& call) {
  protocol::Hash256 pupil{};
  if (auto refused = clb_pupil_query(call, pupil, kConsentRoles)) {
    co_return *refused;
  }
  auto consents = call.parts.consents.for_pupil(call.caller.org_id, pupil);
  if (!consents) {
    co_return call.problem(consents.error());
  }
  co_return call.json(Status::ok, listing("consents", *consents, consent_json));
}

Task<Reply> get_consent(Call& call) {
  if (auto refused = unless_clb_staff(call)) {
    co_return *refused;
  }
  const auto id = parse_id(call.params[0]);
  auto consent = id ? call.parts.consents.find(*id)
                    : sqlite::Result<StoredConsent>(make_error_code(consent_errc::not_found));
  if (!consent || consent->org_id != call.caller.org_id) {
    co_return call.problem(ProblemKind::not_found);
  }
  co_return call.json(Status::ok, consent_json(*consent));
}

Task<Reply> revoke_consent(Call& call) {
  if (auto refused = unless_clb_staff(call)) {
    co_return *refused;
  }
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(ProblemKind::not_found);
  }
  const auto at = call.now_ms();
  const auto on = policies::belgian_date(call.parts.clock.now());
  auto withdrawn = co_await on_writer<sqlite::Result<std::vector<Withdrawal>>>([&](auto complete) {
    return call.parts.consents.revoke(*id, call.caller.org_id, call.caller.device_id, at, on,
                                      complete);
  });
  if (!withdrawn) {
    co_return call.problem(make_error_code(store_errc::overloaded));
  }
  if (!*withdrawn) {
    const auto error = withdrawn->error();
    if (error == consent_errc::already_revoked) {
      co_return call.problem(ProblemKind::conflict, "The consent was revoked already.");
    }
    co_return error == consent_errc::not_found ? call.problem(ProblemKind::not_found)
                                               : call.problem(error);
  }
  // Both sides hear of it: the recipient mailbox, and the sending CLB's own mailboxes.
  auto own = call.parts.directory.mailboxes(call.caller.org_id);
  json::array out;
  for (const Withdrawal& w : **withdrawn) {
    call.parts.notifier.publish(
        {w.mailbox_id, w.sequence, Notice::withdrawn, w.mailbox_id, w.message_id});
    if (own) {
      for (const Mailbox& m : *own) {
        call.parts.notifier.publish(
            {m.mailbox_id, w.sequence, Notice::withdrawn, w.mailbox_id, w.message_id});
      }
    }
    out.push_back(policies::to_json(w));
  }
  call.parts.log.info("consent.revoked", {{"request_id", std::string_view(call.request_id)},
                                          {"withdrawn", static_cast<std::int64_t>(out.size())}});
  co_return call.json(
      Status::ok, {{"consent_id", hex(*id)}, {"revoked_at_ms", at}, {"withdrawn", std::move(out)}});
}

Task<Reply> register_approval(Call& call) {
  if (!call.caller.enrolled) {
    co_return call.problem(ProblemKind::device_not_enrolled);
  }
  auto parsed = protocol::parse_approval(call.request.body);
  if (!parsed || !protocol::verify_approval_signature(*parsed)) {
    co_return call.problem(ProblemKind::approval_invalid);
  }
  // Signed by this very device, whose enrolled certificate it embeds: the role the policy
  // counts is the one the organisation certified, not one the approver claims.
  auto device = call.parts.directory.device(call.caller.device_id);
  if (!device || device->certificate != protocol::encode(parsed->approver) ||
      parsed->statement.sender_org != call.caller.org_id) {
    co_return call.problem(ProblemKind::approval_invalid,
                           "It must embed this device's own enrolled certificate.");
  }
  StoredApproval approval{parsed->statement.approval_id, call.caller.org_id,
                          parsed->statement.message_id,  call.caller.device_id,
                          std::move(call.request.body),  call.now_ms()};
  auto stored = co_await on_writer<sqlite::Result<void>>([&](auto complete) {
    return call.parts.consents.add_approval(approval, call.now_ms(), complete);
  });
  if (!stored || !*stored) {
    co_return !stored ? call.problem(make_error_code(store_errc::overloaded))
                      : (stored->error() == consent_errc::id_taken
                             ? call.problem(ProblemKind::conflict, "The approval id is in use.")
                             : call.problem(stored->error()));
  }
  co_return call.json(Status::created, {{"approval_id", hex(approval.approval_id)},
                                        {"message_id", hex(approval.message_id)},
                                        {"role", protocol::name_of(parsed->approver.role)}});
}

// The sender carries the approval inside its envelope (PROTOCOL.md 7.12): any device of the
// approver's organisation may fetch it, no other.
Task<Reply> get_approval(Call& call) {
  const auto id = parse_id(call.params[0]);
  if (!id) {
    co_return call.problem(ProblemKind::not_found);
  }
  auto found = call.parts.consents.approvals(call.caller.org_id, std::span(&*id, 1));
  if (!found) {
    co_return call.problem(found.error());
  }
  if (found->empty()) {
    co_return call.problem(ProblemKind::not_found);
  }
  co_return octet_reply(found->front().statement);
}

// An admin leaves the organisation's pupil key, sealed and signed, for an enrolled device of its
// own organisation; the hub cannot open or forge it (protocol/pupil.hpp).
Task<Reply> store_pupil_key(Call& call) {
  const auto device_id = parse_id(call.params[0]);
  auto device = device_id ? call.parts.directory.device(*device_id)
                          : sqlite::Result<Device>(make_error_code(directory_errc::not_found));
  if (!device || device->org_id != call.caller.org_id || device->state != DeviceState::enrolled) {
    co_return call.problem(ProblemKind::not_found);
  }
  if (call.request.body.size() != protocol::kPupilKeyBoxSize) {
    co_return call.problem(ProblemKind::invalid_field,
                           "The body is the sealed pupil key box (protocol/pupil.hpp).");
  }
  StoredPupilKey box{call.caller.org_id, *device_id, call.caller.device_id,
                     std::vector<std::uint8_t>(call.request.body.begin(), call.request.body.end()),
                     call.now_ms()};
  auto stored = co_await on_writer<sqlite::Result<void>>(
      [&](auto complete) { return call.parts.consents.store_pupil_key(box, complete); });
  if (!stored || !*stored) {
    co_return !stored ? call.problem(make_error_code(store_errc::overloaded))
                      : call.problem(stored->error());
  }
  co_return call.json(Status::created, {{"device_id", hex(*device_id)}});
}

// A device fetches only its own box.
Task<Reply> fetch_pupil_key(Call& call) {
  const auto device_id = parse_id(call.params[0]);
  if (!device_id || *device_id != call.caller.device_id) {
    co_return call.problem(ProblemKind::not_found);
  }
  auto box = call.parts.consents.pupil_key(call.caller.org_id, *device_id);
  if (!box) {
    co_return box.error() == consent_errc::not_found ? call.problem(ProblemKind::not_found)
                                                     : call.problem(box.error());
  }
  co_return octet_reply(*box);
}

// The pupil's register lines, each with the audit row of its decision and that row's inclusion
// proof in one signed record-log checkpoint (docs/PROTOCOL.md 13.7): the CLB's client proves
// every line against the log instead of taking the register on the hub's word.
Task<Reply> list_disclosures(Call& call) {
  protocol::Hash256 pupil{};
  if (auto refused = clb_pupil_query(call, pupil, kDisclosureRoles)) {
    co_return *refused;
  }
  auto register_ = call.parts.consents.disclosures(call.caller.org_id, pupil);
  if (!register_) {
    co_return call.problem(register_.error());
  }
  // The lines were read first, so the checkpoint signed now covers every row they name.
  std::optional<TransparencyLogs::RecordProof> head;
  json::array lines;
  for (const policies::RecordedDisclosure& line : *register_) {
    auto item = policies::to_json(line.line);
    if (line.decision) {
      std::vector<protocol::merkle::Hash> proof;
      if (head) {
        auto proved = call.parts.logs.inclusion(LogId::record, line.record_index, head->size);
        if (!proved) {
          co_return call.problem(proved.error());
        }
        proof = std::move(*proved);
      } else {
        // The first line's proof comes with the signed head; the others are proved at its size.
        auto proved = call.parts.logs.prove_record(line.record_index);
        if (!proved) {
          co_return call.problem(proved.error());
        }
        head = std::move(*proved);
        proof = head->proof;
      }
      item["record"] = json::object{{"row", policies::to_json(line.decision->view())},
                                    {"index", line.record_index},
                                    {"proof", hashes_json(proof)}};
    }
    lines.push_back(std::move(item));
  }
  json::object body{{"disclosures", std::move(lines)}};
  if (head) {
    body["checkpoint"] = std::move(head->checkpoint);
  }
  co_return call.json(Status::ok, body);
}

Reply refusal(const Call& call, const GateVerdict& verdict) {
  const policies::Decision& d = *verdict.refusal;
  json::object o;
  o["outcome"] = policies::to_string(d.outcome);
  json::array ids;
  for (const auto& id : d.rule_ids()) {
    ids.emplace_back(id);
  }
  o["rule_ids"] = std::move(ids);
  if (d.consent_from) {
    o["consent_from"] = protocol::name_of(*d.consent_from);
  }
  if (d.approval_role) {
    o["approval_role"] = protocol::name_of(*d.approval_role);
  }
  o["reasons"] = reasons_json(d.reasons);
  o["recipient_org"] = hex(verdict.refused_org);
  o["policy_version"] = d.policy_version;
  json::array notes;
  for (const auto& n : verdict.notes) {
    notes.emplace_back(n);
  }
  o["notes"] = std::move(notes);
  json::array consent_notes;
  for (const auto& n : d.consent_notes) {
    consent_notes.push_back({{"consent_id", n.record_id},
                             {"reason", protocol::name_of(n.mismatch)},
                             {"rule_id", n.rule_id},
                             {"nl", n.nl},
                             {"en", n.en}});
  }
  o["consent_notes"] = std::move(consent_notes);
  return call.problem(ProblemKind::policy_refused, {}, std::move(o));
}

}  // namespace draaischijf::server::policy_routes
