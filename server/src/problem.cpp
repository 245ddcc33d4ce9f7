#include <boost/json.hpp>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/server/admission.hpp>
#include <draaischijf/server/message_store.hpp>
#include <draaischijf/server/problem.hpp>
#include <draaischijf/server/sqlite.hpp>

namespace draaischijf::server {
namespace {

using perr = protocol::errc;

#define DRSJ_PROBLEM(slug) "urn:draaischijf:problem:" slug

const std::vector<ProblemType>& catalog() {
  static const std::vector<ProblemType> kCatalog = {
      {500, DRSJ_PROBLEM("internal"), "Interne fout", "Internal error",
       "The hub could not handle the request. Retry later; if it persists, give the hub "
       "operator the instance id."},
      {400, DRSJ_PROBLEM("malformed-envelope"), "Ongeldige envelop", "Malformed envelope",
       "The envelope is not a valid Draaischijf envelope v1. Update the client software or "
       "report the problem to its supplier; do not resend the same bytes."},
      {400, DRSJ_PROBLEM("malformed-request"), "Ongeldig verzoek", "Malformed request",
       "The HTTP request is not acceptable to the hub. Use a conforming HTTP/1.1 client; "
       "the detail names what was wrong."},
      {431, DRSJ_PROBLEM("header-too-large"), "Kop te groot", "Request header too large",
       "The request headers exceed the hub's limit. Send fewer or shorter headers."},
      {400, DRSJ_PROBLEM("unsupported-version"), "Niet-ondersteunde versie", "Unsupported version",
       "The envelope uses a version or cipher suite this hub does not know. Update the hub or "
       "use a client that speaks envelope v1."},
      {400, DRSJ_PROBLEM("recipients"), "Ongeldige ontvangers", "Invalid recipients",
       "The recipient list is empty, too long or names a mailbox twice. Choose between 1 and "
       "16 distinct mailboxes."},
      {409, DRSJ_PROBLEM("stale-epoch"), "Verouderde mailboxsleutel", "Stale mailbox key",
       "A recipient mailbox has rotated its key. Fetch its current epoch certificate from the "
       "directory, seal again and resend."},
      {409, DRSJ_PROBLEM("unknown-epoch"), "Onbekende mailboxsleutel", "Unknown mailbox key",
       "A recipient mailbox or its key epoch is not known to the hub. Refresh the directory and "
       "check the recipient."},
      {403, DRSJ_PROBLEM("sender-mismatch"), "Verkeerde afzender", "Sender mismatch",
       "The envelope names another organisation than the client certificate. Seal with this "
       "device's own organisation."},
      {413, DRSJ_PROBLEM("envelope-too-large"), "Envelop te groot", "Envelope too large",
       "The envelope exceeds the hub's size limit. Send large documents as attachments."},
      {400, DRSJ_PROBLEM("clock-skew"), "Klok wijkt af", "Clock skew",
       "The envelope's creation time is too far from the hub's clock. Check the device's clock "
       "(NTP) and seal again."},
      {409, DRSJ_PROBLEM("message-id-taken"), "Berichtnummer in gebruik", "Message id in use",
       "Another organisation already used this message id. Seal again: a new envelope gets a "
       "new random id."},
      {404, DRSJ_PROBLEM("not-found"), "Niet gevonden", "Not found",
       "There is no such object for your organisation. Check the id; objects of other "
       "organisations are never shown."},
      {503, DRSJ_PROBLEM("overloaded"), "Hub overbelast", "Hub overloaded",
       "The hub is at capacity and stored nothing. Retry after the time in Retry-After."},
      {507, DRSJ_PROBLEM("storage-full"), "Opslag vol", "Storage full",
       "The hub cannot store more data. Tell the hub operator; retry later."},
  };
  return kCatalog;
}

#undef DRSJ_PROBLEM

}  // namespace

const std::vector<ProblemType>& problem_catalog() { return catalog(); }

const ProblemType& problem_type(std::string_view slug) {
  for (const ProblemType& entry : catalog()) {
    if (entry.type.substr(entry.type.rfind(':') + 1) == slug) {
      return entry;
    }
  }
  return catalog().front();
}

const ProblemType& problem_type_for(const boost::system::error_code& error) {
  if (error.category() == protocol::protocol_category()) {
    switch (static_cast<perr>(error.value())) {
      case perr::unsupported_version:
      case perr::unsupported_suite:
        return problem_type("unsupported-version");
      case perr::no_recipients:
      case perr::too_many_recipients:
      case perr::duplicate_recipient:
        return problem_type("recipients");
      case perr::stale_epoch:
        return problem_type("stale-epoch");
      case perr::unknown_epoch:
        return problem_type("unknown-epoch");
      case perr::sender_mismatch:
        return problem_type("sender-mismatch");
      case perr::payload_too_large:
        return problem_type("envelope-too-large");
      default:
        return problem_type("malformed-envelope");
    }
  }
  if (error == make_error_code(server::errc::envelope_too_large)) {
    return problem_type("envelope-too-large");
  }
  if (error == make_error_code(server::errc::sender_organisation_mismatch)) {
    return problem_type("sender-mismatch");
  }
  if (error == make_error_code(server::errc::clock_skew)) {
    return problem_type("clock-skew");
  }
  if (error == make_error_code(store_errc::message_id_taken)) {
    return problem_type("message-id-taken");
  }
  if (error == make_error_code(store_errc::not_found)) {
    return problem_type("not-found");
  }
  if (error == make_error_code(store_errc::overloaded) ||
      error == make_error_code(sqlite::errc::busy)) {
    return problem_type("overloaded");
  }
  if (error == make_error_code(sqlite::errc::full)) {
    return problem_type("storage-full");
  }
  return problem_type("internal");
}

std::string to_json(const Problem& problem) {
  boost::json::object doc;
  doc["type"] = problem.kind.type;
  doc["status"] = problem.kind.status;
  doc["title"] = problem.kind.title_en;
  doc["title_nl"] = problem.kind.title_nl;
  std::string detail(problem.kind.detail);
  if (!problem.extra_detail.empty()) {
    detail += " ";
    detail += problem.extra_detail;
  }
  doc["detail"] = detail;
  if (!problem.instance.empty()) {
    doc["instance"] = "urn:draaischijf:request:" + problem.instance;
  }
  if (!problem.rule_ids.empty()) {
    boost::json::array rules;
    for (const std::string& id : problem.rule_ids) {
      rules.emplace_back(id);
    }
    doc["rule_ids"] = std::move(rules);
  }
  return boost::json::serialize(doc);
}

}  // namespace draaischijf::server
