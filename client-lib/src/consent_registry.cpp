#include <draaischijf/client/consent_registry.hpp>
#include <draaischijf/policies/record_json.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/audit_record.hpp>
#include <draaischijf/protocol/log_view.hpp>
#include <draaischijf/protocol/transfer_announcement.hpp>

#include "directory_log.hpp"
#include "hub_json.hpp"
#include "policy_client.hpp"
#include "pupil_key.hpp"
#include "session_state.hpp"
#include "verified_directory.hpp"

namespace draaischijf::client {
namespace {

namespace json = boost::json;
using protocol::Id;
using protocol::Result;

std::optional<Consent> consent_of(const json::object& item) {
  std::string error;
  auto entry = policies::consent_from_json(item, error);
  const auto id = hub_json::id(item, "consent_id");
  const auto registered_at = hub_json::count(item, "registered_at_ms");
  const auto registered_by = hub_json::id(item, "registered_by");
  if (!entry || !id || !registered_at || !registered_by) {
    return std::nullopt;
  }
  Consent consent{*id, std::move(*entry), static_cast<std::int64_t>(*registered_at), *registered_by,
                  std::nullopt};
  if (const auto revoked = hub_json::count(item, "revoked_at_ms")) {
    consent.revoked_at_ms = static_cast<std::int64_t>(*revoked);
  }
  return consent;
}

// Every item of a listing through `parse`; one malformed item makes the answer invalid.
template <class T, class Parse>
Result<std::vector<T>> all_of(const std::vector<json::object>& items, Parse parse) {
  std::vector<T> out;
  for (const auto& item : items) {
    auto parsed = parse(item);
    if (!parsed) {
      return invalid_answer();
    }
    out.push_back(std::move(*parsed));
  }
  return out;
}

// The hub's transfer record for `pupil`; its date is re-read as a date, never shown as sent.
Result<Transfer> transfer_of(const json::object& o, const protocol::Hash256& pupil) {
  const auto at = hub_json::count(o, "announced_at_ms");
  const auto passes = policies::parse_date(hub_json::text(o, "window_passes_on").value_or(""));
  if (!at || !passes) {
    return make_error_code(client_errc::hub_answer_invalid);
  }
  Transfer out;
  out.pupil = pupil;
  out.announced_at_ms = static_cast<std::int64_t>(*at);
  out.window_passes_on = *passes;
  if (const auto objection = hub_json::count(o, "objection_at_ms")) {
    out.objection_at_ms = static_cast<std::int64_t>(*objection);
  }
  out.receiving_org = hub_json::id(o, "receiving_org");
  out.parents_told = policies::parse_date(hub_json::text(o, "parents_told").value_or(""));
  return out;
}

// The hub's answer about a pupil's objection to advice: the objection, or nullopt for null.
Result<std::optional<AdviceObjection>> advice_objection_of(const json::object& o,
                                                           const protocol::Hash256& pupil) {
  const auto* objection = o.if_contains("objection");
  if (hub_json::text(o, "pupil") != hex(pupil) || objection == nullptr) {
    return make_error_code(client_errc::hub_answer_invalid);
  }
  if (objection->is_null()) {
    return std::optional<AdviceObjection>();
  }
  const auto* fields = objection->if_object();
  const auto at = fields ? hub_json::count(*fields, "registered_at_ms") : std::nullopt;
  const auto by = fields ? hub_json::id(*fields, "registered_by") : std::nullopt;
  if (!at || !by) {
    return make_error_code(client_errc::hub_answer_invalid);
  }
  return std::optional<AdviceObjection>(AdviceObjection{static_cast<std::int64_t>(*at), *by});
}

}  // namespace

Result<Consent> fetch_consent(HubSession& hub, const Id& consent_id) {
  auto body = hub.get_json("/v1/consents/" + hex(consent_id));
  if (!body) {
    return body.error();
  }
  auto parsed = consent_of(*body);
  if (!parsed || parsed->consent_id != consent_id) {
    return invalid_answer();
  }
  return std::move(*parsed);
}

Result<std::vector<Consent>> fetch_pupil_consents(HubSession& hub, const protocol::Hash256& pupil) {
  const auto items = hub.get_list("/v1/consents?pupil=" + hex(pupil), "consents");
  if (!items) {
    return items.error();
  }
  return all_of<Consent>(*items, consent_of);
}

Result<Transfer> fetch_transfer(HubSession& hub, const protocol::Hash256& pupil) {
  auto answer = hub.get_json("/v1/transfers?pupil=" + hex(pupil));
  return answer ? transfer_of(*answer, pupil) : Result<Transfer>(answer.error());
}

Result<std::optional<AdviceObjection>> fetch_advice_objection(HubSession& hub,
                                                              const protocol::Hash256& pupil) {
  auto answer = hub.get_json("/v1/objections/advice?pupil=" + hex(pupil));
  return answer ? advice_objection_of(*answer, pupil)
                : Result<std::optional<AdviceObjection>>(answer.error());
}

Result<Id> ConsentRegistry::register_consent(const policies::ConsentEntry& entry) {
  auto answer = state_->post_json("/v1/consents", policies::to_json(entry));
  if (!answer) {
    return answer.error();
  }
  const auto id = hub_json::id(*answer, "consent_id");
  if (!id) {
    return invalid_answer();
  }
  return *id;
}

Result<protocol::Hash256> ConsentRegistry::pseudonym_of(std::string_view reference) {
  auto binding = bind_pupil(*state_, reference);
  if (!binding) {
    return binding.error();
  }
  return protocol::pupil_pseudonym(*binding);
}

Result<std::vector<Consent>> ConsentRegistry::consents(const protocol::Hash256& pupil) {
  return fetch_pupil_consents(*state_, pupil);
}

Result<Consent> ConsentRegistry::consent(const Id& consent_id) {
  return fetch_consent(*state_, consent_id);
}

Result<std::vector<Withdrawal>> ConsentRegistry::revoke(const Id& consent_id) {
  auto answer = state_->post_json("/v1/consents/" + hex(consent_id) + "/revoke", json::object{});
  if (!answer) {
    return answer.error();
  }
  if (hub_json::id(*answer, "consent_id") != consent_id) {
    return invalid_answer();
  }
  const auto withdrawn = hub_json::objects(*answer, "withdrawn");
  if (!withdrawn) {
    return invalid_answer();
  }
  return all_of<Withdrawal>(*withdrawn, policies::withdrawal_from_json);
}

Result<Transfer> ConsentRegistry::announce_transfer(const protocol::Hash256& pupil,
                                                    const Id& receiving_org,
                                                    policies::CivilDate parents_told) {
  auto& s = *state_;
  auto own = own_certificate(s);
  if (!own) {
    return own.error();
  }
  // Signed on this device (docs/PROTOCOL.md 7.20): the hub dates it, but what was announced,
  // to whom, is the CLB's word, kept whole.
  protocol::TransferAnnouncement statement;
  statement.sender_org = own->org_id;
  statement.receiving_org = receiving_org;
  statement.pupil = pupil;
  statement.told_day = policies::day_number(parents_told);
  statement.created_at_ms = static_cast<std::uint64_t>(s.clock.now_ms());
  auto signed_bytes = protocol::sign_transfer_announcement(statement, *own, s.secrets.signing);
  if (!signed_bytes) {
    return signed_bytes.error();
  }
  auto answer = s.post_bytes("/v1/transfers", *signed_bytes, "application/octet-stream");
  if (!answer) {
    return answer.error();
  }
  auto transfer = transfer_of(*answer, pupil);
  if (transfer && transfer->receiving_org != receiving_org) {
    return make_error_code(client_errc::hub_answer_invalid);
  }
  return transfer;
}

Result<Transfer> ConsentRegistry::register_objection(const protocol::Hash256& pupil) {
  auto answer = state_->post_json("/v1/transfers/objection", json::object{{"pupil", hex(pupil)}});
  return answer ? transfer_of(*answer, pupil) : Result<Transfer>(answer.error());
}

Result<Transfer> ConsentRegistry::transfer(const protocol::Hash256& pupil) {
  return fetch_transfer(*state_, pupil);
}

Result<std::optional<AdviceObjection>> ConsentRegistry::object_to_advice(
    const protocol::Hash256& pupil) {
  auto answer = state_->post_json("/v1/objections/advice", json::object{{"pupil", hex(pupil)}});
  return answer ? advice_objection_of(*answer, pupil)
                : Result<std::optional<AdviceObjection>>(answer.error());
}

Result<std::optional<AdviceObjection>> ConsentRegistry::withdraw_advice_objection(
    const protocol::Hash256& pupil) {
  auto answer =
      state_->post_json("/v1/objections/advice/withdraw", json::object{{"pupil", hex(pupil)}});
  return answer ? advice_objection_of(*answer, pupil)
                : Result<std::optional<AdviceObjection>>(answer.error());
}

Result<std::optional<AdviceObjection>> ConsentRegistry::advice_objection(
    const protocol::Hash256& pupil) {
  return fetch_advice_objection(*state_, pupil);
}

namespace {

// One line's "record" (docs/PROTOCOL.md 13.7) checked: its row is the audit row of the line's
// own decision, and that row's entry is in the record log at its index under `checkpoint`.
Result<RecordedDisclosure> proved_line(Disclosure line, const json::value& record,
                                       const protocol::Id& org, const protocol::Hash256& pupil,
                                       const protocol::note::Checkpoint& checkpoint) {
  const auto* fields = record.if_object();
  const auto* row_json = fields != nullptr ? fields->if_contains("row") : nullptr;
  auto row = row_json != nullptr && row_json->is_object()
                 ? policies::audit_record_from_json(row_json->as_object())
                 : std::nullopt;
  const auto index = fields != nullptr ? hub_json::count(*fields, "index") : std::nullopt;
  auto proof = fields != nullptr ? proof_of(*fields)
                                 : Result<std::vector<protocol::merkle::Hash>>(invalid_answer());
  if (!row || !index || !proof) {
    return invalid_answer();
  }
  const auto entry = protocol::audit_record_entry(row->view());
  if (!policies::records_disclosure(row->view(), line, org, pupil) ||
      !protocol::check_included(checkpoint, entry, *index, *proof)) {
    return make_error_code(client_errc::register_unproved);
  }
  return RecordedDisclosure{std::move(line), std::move(*row), *index};
}

}  // namespace

Result<std::vector<RecordedDisclosure>> ConsentRegistry::disclosures(
    const protocol::Hash256& pupil) {
  auto answer = state_->get_json("/v1/disclosures?pupil=" + hex(pupil));
  if (!answer) {
    return answer.error();
  }
  const auto* items = answer->if_contains("disclosures");
  if (items == nullptr || !items->is_array()) {
    return invalid_answer();
  }
  // The one checkpoint every proof is against: the pinned hub key's, extending the held one.
  std::optional<protocol::note::Checkpoint> checkpoint;
  std::vector<RecordedDisclosure> out;
  for (const auto& item : items->as_array()) {
    auto line = item.is_object() ? policies::disclosure_from_json(item.as_object()) : std::nullopt;
    if (!line) {
      return invalid_answer();
    }
    const auto* record = item.as_object().if_contains("record");
    if (record == nullptr) {
      out.push_back({std::move(*line), std::nullopt, 0});
      continue;
    }
    if (!checkpoint) {
      auto adopted =
          adopt_checkpoint(*state_, kRecordLog, hub_json::text(*answer, "checkpoint").value_or(""),
                           QuorumOnNote::kept_only_with);
      if (!adopted) {
        return adopted.error();
      }
      checkpoint = std::move(*adopted);
    }
    auto proved =
        proved_line(std::move(*line), *record, state_->secrets.org_id, pupil, *checkpoint);
    if (!proved) {
      return proved.error();
    }
    out.push_back(std::move(*proved));
  }
  return out;
}

}  // namespace draaischijf::client
