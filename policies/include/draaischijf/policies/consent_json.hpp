#pragma once
// The wire form of a consent record (the hub's /v1/consents and the client that registers and
// reads them), in one place so that both sides read and write the same fields:
//
//   {"consent_id": "<32 hex>",            (given by the hub)
//    "pupil": "<64 hex>",                 the per-CLB pupil pseudonym of the envelopes
//    "giver": "ouders|leerling|beiden", "capacity": "moeder", "competency_basis": "...",
//    "pupil_facts": {"birth_date": "2014-03-10", "age": 13, "competency": "vermoed",
//                    "adult_incompetent": false},
//    "scope": {"organisations": ["<32 hex>"], "organisation_types": ["caw"],
//              "recipient_kinds": ["ouders"]},
//    "categories": ["psychisch_sociaal"], "purposes": ["doorverwijzing"],
//    "valid_from": "2026-01-01", "valid_until": "2026-08-31", "channel": "schriftelijk",
//    "recorded_by": "<32 hex staff id>",   (set by the hub from the registering device)
//    "revoked": false, "revoked_on": "2026-03-01"}
//
// Header-only on purpose: Boost.JSON's implementation is compiled once into each program that
// uses it (the hub, the client library), and the policy engine itself stays free of JSON.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/request.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::policies {

/// A consent record with what the registry needs besides it: the pupil's facts on which the
/// giver was judged (the hub re-derives the giver from them on every decision date).
struct ConsentEntry {
  ConsentRecord record;
  PupilFacts pupil;
};

namespace consent_json_detail {

template <class Enum, class Set>
boost::json::array names_of(const Set& set) {
  boost::json::array out;
  for (const auto& entry : protocol::vocabulary<Enum>()) {
    if (set.contains(entry.value)) {
      out.emplace_back(entry.name);
    }
  }
  return out;
}

inline const boost::json::value* field(const boost::json::object& o, std::string_view key) {
  return o.if_contains(key);
}

inline std::optional<std::string> text(const boost::json::object& o, std::string_view key) {
  const auto* v = field(o, key);
  if (v == nullptr || !v->is_string()) {
    return std::nullopt;
  }
  return std::string(v->as_string());
}

// Adds each name of the array at `key` to `add`; false (with `error`) on an unknown name.
template <class Enum, class Add>
bool read_names(const boost::json::object& o, std::string_view key, Add add, std::string& error) {
  const auto* v = field(o, key);
  if (v == nullptr) {
    return true;
  }
  if (!v->is_array()) {
    error = std::string(key) + " must be an array of names";
    return false;
  }
  for (const auto& item : v->as_array()) {
    const auto value =
        item.is_string() ? protocol::parse_name<Enum>(item.as_string()) : std::optional<Enum>();
    if (!value) {
      error = std::string(key) + ": unknown name " + boost::json::serialize(item);
      return false;
    }
    add(*value);
  }
  return true;
}

template <class Enum>
bool read_name(const boost::json::object& o, std::string_view key, Enum& out, std::string& error) {
  const auto name = text(o, key);
  if (!name) {
    return true;  // the default stands
  }
  const auto value = protocol::parse_name<Enum>(*name);
  if (!value) {
    error = std::string(key) + ": unknown name \"" + *name + "\"";
    return false;
  }
  out = *value;
  return true;
}

inline bool read_date(const boost::json::object& o, std::string_view key,
                      std::optional<CivilDate>& out, std::string& error) {
  const auto value = text(o, key);
  if (!value) {
    return true;
  }
  out = parse_date(*value);
  if (!out) {
    error = std::string(key) + " must be a date YYYY-MM-DD";
    return false;
  }
  return true;
}

}  // namespace consent_json_detail

[[nodiscard]] inline boost::json::object to_json(const ConsentEntry& entry) {
  namespace d = consent_json_detail;
  const ConsentRecord& r = entry.record;
  boost::json::object facts{{"competency", protocol::name_of(entry.pupil.competency)},
                            {"adult_incompetent", entry.pupil.adult_incompetent}};
  if (entry.pupil.birth_date) {
    facts["birth_date"] = to_string(*entry.pupil.birth_date);
  }
  if (entry.pupil.age) {
    facts["age"] = *entry.pupil.age;
  }
  boost::json::array organisations;
  for (const auto& id : r.recipient_org_ids) {
    organisations.emplace_back(protocol::hex_encode(id));
  }
  boost::json::object out{
      {"consent_id", r.id},
      {"pupil", r.pupil},
      {"giver", protocol::name_of(r.giver)},
      {"capacity", r.capacity},
      {"competency_basis", r.competency_basis},
      {"pupil_facts", std::move(facts)},
      {"scope",
       {{"organisations", std::move(organisations)},
        {"organisation_types", d::names_of<protocol::OrgType>(r.recipient_org_types)},
        {"recipient_kinds", d::names_of<RecipientKind>(r.recipient_kinds)}}},
      {"categories", d::names_of<protocol::DataCategory>(r.categories)},
      {"purposes", d::names_of<protocol::Purpose>(r.purposes)},
      {"valid_from", to_string(r.valid_from)},
      {"channel", protocol::name_of(r.channel)},
      {"recorded_by", r.recorded_by},
      {"revoked", r.revoked}};
  if (r.valid_until) {
    out["valid_until"] = to_string(*r.valid_until);
  }
  if (r.revoked_on) {
    out["revoked_on"] = to_string(*r.revoked_on);
  }
  return out;
}

/// Reads a consent entry; on a malformed field, nullopt with `error` naming the field.
/// `consent_id`, `recorded_by` and the revocation are read as given: the hub sets them itself
/// on registration and ignores what a registering client sends.
[[nodiscard]] inline std::optional<ConsentEntry> consent_from_json(const boost::json::object& o,
                                                                   std::string& error) {
  namespace d = consent_json_detail;
  ConsentEntry entry;
  ConsentRecord& r = entry.record;
  r.id = d::text(o, "consent_id").value_or("");
  const auto pupil = d::text(o, "pupil");
  const auto pupil_bytes =
      pupil
          ? protocol::hex_decode(*pupil)
          : protocol::Result<std::vector<std::uint8_t>>(make_error_code(protocol::errc::truncated));
  if (!pupil_bytes || pupil_bytes->size() != 32) {
    error = "pupil must be the 64 hex digits of the pupil pseudonym";
    return std::nullopt;
  }
  r.pupil = *pupil;
  r.capacity = d::text(o, "capacity").value_or("");
  r.competency_basis = d::text(o, "competency_basis").value_or("");
  r.recorded_by = d::text(o, "recorded_by").value_or("");
  std::optional<CivilDate> from;
  if (!d::read_name(o, "giver", r.giver, error) || !d::read_name(o, "channel", r.channel, error) ||
      !d::read_date(o, "valid_from", from, error) ||
      !d::read_date(o, "valid_until", r.valid_until, error) ||
      !d::read_date(o, "revoked_on", r.revoked_on, error) ||
      !d::read_names<protocol::DataCategory>(
          o, "categories", [&](auto v) { r.categories.add(v); }, error) ||
      !d::read_names<protocol::Purpose>(
          o, "purposes", [&](auto v) { r.purposes.add(v); }, error)) {
    return std::nullopt;
  }
  if (!from) {
    error = "valid_from (YYYY-MM-DD) is required";
    return std::nullopt;
  }
  r.valid_from = *from;
  if (const auto* revoked = d::field(o, "revoked"); revoked != nullptr && revoked->is_bool()) {
    r.revoked = revoked->as_bool();
  }
  if (const auto* scope = d::field(o, "scope"); scope != nullptr) {
    if (!scope->is_object()) {
      error = "scope must be an object";
      return std::nullopt;
    }
    const auto& s = scope->as_object();
    if (!d::read_names<protocol::OrgType>(
            s, "organisation_types", [&](auto v) { r.recipient_org_types.add(v); }, error) ||
        !d::read_names<RecipientKind>(
            s, "recipient_kinds", [&](auto v) { r.recipient_kinds.add(v); }, error)) {
      return std::nullopt;
    }
    if (const auto* ids = d::field(s, "organisations"); ids != nullptr) {
      if (!ids->is_array()) {
        error = "scope.organisations must be an array of organisation ids";
        return std::nullopt;
      }
      for (const auto& id : ids->as_array()) {
        const auto bytes = id.is_string() ? protocol::hex_decode(id.as_string())
                                          : protocol::Result<std::vector<std::uint8_t>>(
                                                make_error_code(protocol::errc::truncated));
        if (!bytes || bytes->size() != 16) {
          error = "scope.organisations: each id is 32 hex digits";
          return std::nullopt;
        }
        protocol::Id org{};
        std::copy(bytes->begin(), bytes->end(), org.begin());
        r.recipient_org_ids.push_back(org);
      }
    }
  }
  if (const auto* facts = d::field(o, "pupil_facts"); facts != nullptr) {
    if (!facts->is_object()) {
      error = "pupil_facts must be an object";
      return std::nullopt;
    }
    const auto& f = facts->as_object();
    if (!d::read_date(f, "birth_date", entry.pupil.birth_date, error) ||
        !d::read_name(f, "competency", entry.pupil.competency, error)) {
      return std::nullopt;
    }
    if (const auto* age = d::field(f, "age"); age != nullptr) {
      if (!age->is_int64() || age->as_int64() < 0 || age->as_int64() > 30) {
        error = "pupil_facts.age must be a whole number of years";
        return std::nullopt;
      }
      entry.pupil.age = static_cast<int>(age->as_int64());
    }
    if (const auto* adult = d::field(f, "adult_incompetent");
        adult != nullptr && adult->is_bool()) {
      entry.pupil.adult_incompetent = adult->as_bool();
    }
  }
  return entry;
}

}  // namespace draaischijf::policies
