#include <algorithm>
#include <cstring>

#include <draaischijf/policies/case_table.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "text_lines.hpp"

namespace draaischijf::policies {
namespace {

using detail::error_at;
using detail::Line;

template <class Enum>
TextResult<Enum> name_at(std::string_view text, std::size_t line, const char* what) {
  const auto value = parse_name<Enum>(text);
  if (!value) {
    return error_at(errc::unknown_name, line, std::string(what) + " '" + std::string(text) + "'");
  }
  return *value;
}

TextResult<CivilDate> date_at(std::string_view text, std::size_t line) {
  const auto date = parse_date(text);
  if (!date) {
    return error_at(errc::bad_date, line, "'" + std::string(text) + "'");
  }
  return *date;
}

/// 32 hex digits, or a label that always names the same id.
protocol::Id org_id_of(std::string_view text) {
  protocol::Id id{};
  if (text.size() == 32) {
    if (auto bytes = protocol::hex_decode(text); bytes && bytes->size() == id.size()) {
      std::memcpy(id.data(), bytes->data(), id.size());
      return id;
    }
  }
  const auto hash = protocol::hash256(
      "draaischijf/policies/case-label",
      {std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())});
  std::memcpy(id.data(), hash.data(), id.size());
  return id;
}

template <class Enum>
TextResult<EnumSet<Enum>> set_at(std::string_view list, std::size_t line, const char* what) {
  EnumSet<Enum> set;
  for (const auto item : detail::split_list(list)) {
    auto value = name_at<Enum>(item, line, what);
    if (!value) {
      return value.error();
    }
    set.add(*value);
  }
  return set;
}

TextResult<protocol::CategorySet> categories_at(std::string_view list, std::size_t line) {
  protocol::CategorySet set;
  if (list == "none") {
    return set;
  }
  for (const auto item : detail::split_list(list)) {
    auto value = name_at<protocol::DataCategory>(item, line, "data category");
    if (!value) {
      return value.error();
    }
    set.add(*value);
  }
  return set;
}

std::vector<std::string> id_list(std::string_view list) {
  std::vector<std::string> ids;
  for (const auto item : detail::split_list(list)) {
    if (!item.empty() && item != "none") {
      ids.emplace_back(item);
    }
  }
  return ids;
}

/// "id=c1 giver=leerling to=caw,ouders categories=... purposes=... from=... until=..."
TextResult<ConsentRecord> consent_at(std::string_view text, std::size_t line, bool& pupil_given) {
  ConsentRecord record;
  bool has_from = false;
  pupil_given = false;
  for (const auto word : detail::split_words(text)) {
    const auto equals = word.find('=');
    if (equals == std::string_view::npos) {
      return error_at(errc::syntax, line, "consent word '" + std::string(word) + "'");
    }
    const auto key = word.substr(0, equals);
    const auto value = word.substr(equals + 1);
    TextError error;
    bool failed = false;
    const auto take = [&](auto parsed, auto& target) {
      if (!parsed) {
        error = parsed.error();
        failed = true;
      } else {
        target = *parsed;
      }
    };
    if (key == "id") {
      record.id = std::string(value);
    } else if (key == "pupil") {
      record.pupil = std::string(value);
      pupil_given = true;
    } else if (key == "giver") {
      take(name_at<ConsentGiver>(value, line, "consent giver"), record.giver);
    } else if (key == "capacity") {
      record.capacity = std::string(value);
    } else if (key == "basis") {
      record.competency_basis = std::string(value);
    } else if (key == "to") {
      for (const auto item : detail::split_list(value)) {
        if (const auto type = parse_name<protocol::OrgType>(item)) {
          record.recipient_org_types.add(*type);
        } else if (const auto kind = parse_name<RecipientKind>(item)) {
          record.recipient_kinds.add(*kind);
        } else {
          return error_at(errc::unknown_name, line,
                          "consent recipient '" + std::string(item) + "'");
        }
      }
    } else if (key == "org_ids") {
      for (const auto item : detail::split_list(value)) {
        record.recipient_org_ids.push_back(org_id_of(item));
      }
    } else if (key == "categories") {
      take(categories_at(value, line), record.categories);
    } else if (key == "purposes") {
      take(set_at<protocol::Purpose>(value, line, "purpose"), record.purposes);
    } else if (key == "from") {
      take(date_at(value, line), record.valid_from);
      has_from = true;
    } else if (key == "until") {
      CivilDate until;
      take(date_at(value, line), until);
      record.valid_until = until;
    } else if (key == "channel") {
      take(name_at<ConsentChannel>(value, line, "consent channel"), record.channel);
    } else if (key == "recorded_by") {
      record.recorded_by = std::string(value);
    } else if (key == "revoked") {
      record.revoked = true;
      if (value != "yes") {
        CivilDate on;
        take(date_at(value, line), on);
        record.revoked_on = on;
      }
    } else {
      return error_at(errc::unknown_key, line, "consent key '" + std::string(key) + "'");
    }
    if (failed) {
      return error;
    }
  }
  if (!has_from) {
    return error_at(errc::missing_key, line, "a consent needs from=YYYY-MM-DD");
  }
  return record;
}

/// "ORG/ROLE" or "ORG".
struct PartyText {
  protocol::OrgType org = protocol::OrgType::clb;
  std::optional<protocol::StaffRole> role;
};

TextResult<PartyText> party_at(std::string_view text, std::size_t line) {
  PartyText party;
  const auto slash = text.find('/');
  auto org = name_at<protocol::OrgType>(text.substr(0, slash), line, "organisation type");
  if (!org) {
    return org.error();
  }
  party.org = *org;
  if (slash != std::string_view::npos) {
    auto role = name_at<protocol::StaffRole>(text.substr(slash + 1), line, "staff role");
    if (!role) {
      return role.error();
    }
    party.role = *role;
  }
  return party;
}

/// Builds a request from its entries. Consents without pupil= get the request's pupil.
class RequestBuilder {
 public:
  /// true when the key is a request key (consumed), false when it is not.
  TextResult<bool> entry(const Line& line) {
    const std::string_view v = line.value;
    const std::size_t n = line.number;
    Request& r = request_;
    const std::string& key = line.head;
    if (!line.has_equals) {
      return error_at(errc::syntax, n, "expected 'key = value' in '" + key + "'");
    }
    if (key == "date") {
      auto date = date_at(v, n);
      if (!date) {
        return date.error();
      }
      r.date = *date;
      has_date_ = true;
    } else if (key == "born") {
      auto date = date_at(v, n);
      if (!date) {
        return date.error();
      }
      r.pupil.birth_date = *date;
    } else if (key == "age") {
      const auto age = detail::parse_small_int(v);
      if (!age) {
        return error_at(errc::bad_value, n, "age '" + std::string(v) + "'");
      }
      r.pupil.age = *age;
    } else if (key == "competency") {
      auto value = name_at<Competency>(v, n, "competency");
      if (!value) {
        return value.error();
      }
      r.pupil.competency = *value;
    } else if (key == "adult_incompetent") {
      const auto value = detail::parse_yes_no(v);
      if (!value) {
        return error_at(errc::bad_value, n, "adult_incompetent must be yes or no");
      }
      r.pupil.adult_incompetent = *value;
    } else if (key == "pupil") {
      r.pupil_pseudonym = std::string(v);
    } else if (key == "sender") {
      auto party = party_at(v, n);
      if (!party) {
        return party.error();
      }
      if (!party->role) {
        return error_at(errc::bad_value, n, "sender needs ORG/ROLE");
      }
      r.sender_org_type = party->org;
      r.sender_role = *party->role;
      has_sender_ = true;
    } else if (key == "recipient") {
      if (const auto kind = parse_name<RecipientKind>(v);
          kind && *kind != RecipientKind::organisation) {
        r.recipient_kind = *kind;
      } else {
        auto party = party_at(v, n);
        if (!party) {
          return party.error();
        }
        r.recipient_kind = RecipientKind::organisation;
        r.recipient_org_type = party->org;
        r.recipient_role = party->role;
      }
      has_recipient_ = true;
    } else if (key == "sender_org_id") {
      r.sender_org_id = org_id_of(v);
    } else if (key == "recipient_org_id") {
      r.recipient_org_id = org_id_of(v);
    } else if (key == "sender_staff") {
      r.sender_staff = std::string(v);
    } else if (key == "kind") {
      auto kind = name_at<protocol::MessageKind>(v, n, "message kind");
      if (!kind) {
        return kind.error();
      }
      r.kind = *kind;
    } else if (key == "purpose") {
      auto purpose = name_at<protocol::Purpose>(v, n, "purpose");
      if (!purpose) {
        return purpose.error();
      }
      r.purpose = *purpose;
    } else if (key == "categories") {
      auto categories = categories_at(v, n);
      if (!categories) {
        return categories.error();
      }
      r.categories = *categories;
    } else if (key == "flags") {
      if (v != "none") {
        auto flags = set_at<Flag>(v, n, "flag");
        if (!flags) {
          return flags.error();
        }
        r.flags = *flags;
      }
    } else if (key == "consent") {
      bool pupil_given = false;
      auto record = consent_at(v, n, pupil_given);
      if (!record) {
        return record.error();
      }
      r.consents.push_back(std::move(*record));
      consent_pupil_given_.push_back(pupil_given);
    } else if (key == "approval") {
      const auto words = detail::split_words(v);
      if (words.empty() || words.size() > 2 ||
          (words.size() == 2 && words[1].substr(0, 3) != "by=")) {
        return error_at(errc::syntax, n, "expected 'approval = ROLE [by=STAFF]'");
      }
      auto role = name_at<protocol::StaffRole>(words[0], n, "staff role");
      if (!role) {
        return role.error();
      }
      r.approvals.push_back(
          Approval{*role, words.size() == 2 ? std::string(words[1].substr(3)) : std::string()});
    } else {
      return false;
    }
    return true;
  }

  TextResult<Request> finish(std::size_t line) {
    if (!has_date_ || !has_sender_ || !has_recipient_) {
      return error_at(errc::missing_key, line, "a request needs date, sender and recipient");
    }
    for (std::size_t k = 0; k < request_.consents.size(); ++k) {
      if (!consent_pupil_given_[k]) {
        request_.consents[k].pupil = request_.pupil_pseudonym;
      }
    }
    return std::move(request_);
  }

 private:
  Request request_;
  std::vector<bool> consent_pupil_given_;
  bool has_date_ = false;
  bool has_sender_ = false;
  bool has_recipient_ = false;
};

TextResult<bool> expectation_entry(const Line& line, Expectation& e, bool& has_expect,
                                   bool& has_rules) {
  const std::string_view v = line.value;
  const std::size_t n = line.number;
  if (line.head == "expect") {
    auto outcome = name_at<Outcome>(v, n, "outcome");
    if (!outcome) {
      return outcome.error();
    }
    e.outcome = *outcome;
    has_expect = true;
  } else if (line.head == "rules") {
    e.rule_ids = id_list(v);
    has_rules = !e.rule_ids.empty();
  } else if (line.head == "consent_from") {
    auto giver = name_at<ConsentGiver>(v, n, "consent giver");
    if (!giver) {
      return giver.error();
    }
    e.consent_from = *giver;
  } else if (line.head == "approval_role") {
    auto role = name_at<protocol::StaffRole>(v, n, "staff role");
    if (!role) {
      return role.error();
    }
    e.approval_role = *role;
  } else if (line.head == "consent_ids") {
    e.consent_ids = id_list(v);
  } else if (line.head == "duties") {
    e.duties = id_list(v);
  } else if (line.head == "consent_notes") {
    e.consent_notes = id_list(v);
    for (const auto& item : *e.consent_notes) {
      const auto colon = item.find(':');
      if (colon == std::string::npos ||
          !protocol::parse_name<ConsentMismatch>(item.substr(colon + 1))) {
        return error_at(errc::unknown_name, n,
                        "consent note '" + item + "' (write ID:REASON, e.g. c7:expired)");
      }
    }
  } else if (line.head == "contrast") {
    e.contrast = id_list(v);
  } else if (line.head != "note") {
    return error_at(errc::unknown_key, n, "'" + line.head + "' in a case");
  }
  return true;
}

bool same_set(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  return a == b;
}

std::string joined(const std::vector<std::string>& ids) {
  if (ids.empty()) {
    return "(none)";
  }
  std::string out;
  for (const auto& id : ids) {
    out += (out.empty() ? "" : ", ") + id;
  }
  return out;
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string optional_name(const auto& value) {
  return value ? std::string(name_of(*value)) : std::string("(none)");
}

std::string diff_of(const Expectation& e, const Decision& d) {
  std::string diff;
  const auto line = [&](std::string_view field, const std::string& want, const std::string& got) {
    diff += "      " + std::string(field) + ": expected " + want + ", got " + got + "\n";
  };
  if (d.outcome != e.outcome) {
    line("outcome", std::string(to_string(e.outcome)), std::string(to_string(d.outcome)));
  }
  const auto ids = d.rule_ids();
  if (!same_set(ids, e.rule_ids)) {
    line("rules", joined(e.rule_ids), joined(ids));
  }
  if (e.consent_from && d.consent_from != e.consent_from) {
    line("consent_from", optional_name(e.consent_from), optional_name(d.consent_from));
  }
  if (e.approval_role && d.approval_role != e.approval_role) {
    line("approval_role", optional_name(e.approval_role), optional_name(d.approval_role));
  }
  if (e.consent_ids && !same_set(*e.consent_ids, d.consent_record_ids)) {
    line("consent_ids", joined(*e.consent_ids), joined(d.consent_record_ids));
  }
  if (e.duties) {
    std::vector<std::string> duties;
    for (const auto& duty : d.duties) {
      duties.push_back(duty.rule_id);
    }
    if (!same_set(*e.duties, duties)) {
      line("duties", joined(*e.duties), joined(duties));
    }
  }
  if (e.consent_notes) {
    std::vector<std::string> notes;
    for (const auto& note : d.consent_notes) {
      notes.push_back(note.record_id + ":" + std::string(name_of(note.mismatch)));
    }
    if (!same_set(*e.consent_notes, notes)) {
      line("consent_notes", joined(*e.consent_notes), joined(notes));
    }
  }
  for (const auto& id : e.contrast) {
    if (contains(ids, id) || d.outcome == Outcome::allow) {
      line("contrast " + id, "not allowed and without " + id,
           std::string(to_string(d.outcome)) + " with " + joined(ids));
    }
  }
  return diff;
}

}  // namespace

TextResult<Request> parse_request(std::string_view text) {
  auto lines = detail::read_lines(text, true);
  if (!lines) {
    return lines.error();
  }
  RequestBuilder builder;
  for (const Line& line : *lines) {
    if (line.kind == Line::Kind::section) {
      return error_at(errc::misplaced, line.number, "a request has no sections");
    }
    auto used = builder.entry(line);
    if (!used) {
      return used.error();
    }
    if (!*used) {
      return error_at(errc::unknown_key, line.number, "'" + line.head + "' in a request");
    }
  }
  return builder.finish(lines->empty() ? 1 : lines->back().number);
}

TextResult<std::vector<TestCase>> parse_case_table(std::string_view text) {
  auto lines = detail::read_lines(text);
  if (!lines) {
    return lines.error();
  }
  std::vector<TestCase> cases;
  std::size_t i = 0;
  while (i < lines->size()) {
    const Line& header = (*lines)[i];
    if (header.kind != Line::Kind::section || header.head != "case" || header.value.empty()) {
      return error_at(errc::syntax, header.number, "expected [case NAME]");
    }
    for (const auto& existing : cases) {
      if (existing.name == header.value) {
        return error_at(errc::duplicate, header.number, "case '" + header.value + "'");
      }
    }
    TestCase test;
    test.name = header.value;
    test.line = header.number;
    RequestBuilder builder;
    bool has_expect = false;
    bool has_rules = false;
    ++i;
    for (; i < lines->size() && (*lines)[i].kind == Line::Kind::entry; ++i) {
      const Line& line = (*lines)[i];
      auto used = builder.entry(line);
      if (!used) {
        return used.error();
      }
      if (!*used) {
        auto ok = expectation_entry(line, test.expect, has_expect, has_rules);
        if (!ok) {
          return ok.error();
        }
      }
    }
    if (!has_expect || !has_rules) {
      return error_at(errc::missing_key, test.line,
                      "case '" + test.name + "' needs expect and rules");
    }
    auto request = builder.finish(test.line);
    if (!request) {
      return request.error();
    }
    test.request = std::move(*request);
    cases.push_back(std::move(test));
  }
  return cases;
}

CaseReport run_cases(const RuleSet& rules, std::span<const TestCase> cases) {
  CaseReport report;
  report.policy_version = rules.name() + " " + rules.version();
  for (const TestCase& test : cases) {
    CaseResult result;
    result.name = test.name;
    result.line = test.line;
    result.decision = evaluate(rules, test.request);
    result.diff = diff_of(test.expect, result.decision);
    result.passed = result.diff.empty();
    report.results.push_back(std::move(result));
  }
  return report;
}

TextResult<CaseReport> run_case_table(const RuleSet& rules, std::string_view text) {
  auto cases = parse_case_table(text);
  if (!cases) {
    return cases.error();
  }
  return run_cases(rules, *cases);
}

std::size_t CaseReport::passed() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(results.begin(), results.end(), [](const auto& r) { return r.passed; }));
}

std::size_t CaseReport::failed() const noexcept { return results.size() - passed(); }

std::string CaseReport::text() const {
  std::string out;
  for (const CaseResult& r : results) {
    out += (r.passed ? "PASS  " : "FAIL  ") + r.name;
    if (!r.passed) {
      out += " (line " + std::to_string(r.line) + ")\n" + r.diff;
    } else {
      out += "\n";
    }
  }
  out += std::to_string(results.size()) + " cases: " + std::to_string(passed()) + " passed, " +
         std::to_string(failed()) + " failed (policy " + policy_version + ")\n";
  return out;
}

CoverageReport check_coverage(const RuleSet& rules, std::span<const TestCase> cases) {
  CoverageReport report;
  for (const RuleInfo& rule : rules.rules()) {
    if (rule.stage == Stage::engine && rule.outcomes.empty()) {
      continue;  // decides no message (SIG01): nothing for a case table to show
    }
    if (rule.stage == Stage::duty) {
      const bool shown = std::any_of(cases.begin(), cases.end(), [&](const TestCase& c) {
        return c.expect.duties && contains(*c.expect.duties, rule.id);
      });
      if (!shown) {
        report.gaps.push_back(rule.id + ": no case expects this duty");
      }
      continue;
    }
    for (const Outcome outcome : rule.outcomes) {
      const bool shown = std::any_of(cases.begin(), cases.end(), [&](const TestCase& c) {
        return c.expect.outcome == outcome && contains(c.expect.rule_ids, rule.id);
      });
      if (!shown) {
        report.gaps.push_back(rule.id + ": no case expects " + std::string(to_string(outcome)) +
                              " with " + rule.id);
      }
    }
    const bool only_allows = std::all_of(rule.outcomes.begin(), rule.outcomes.end(),
                                         [](Outcome o) { return o == Outcome::allow; });
    if (only_allows) {
      const bool contrasted = std::any_of(cases.begin(), cases.end(), [&](const TestCase& c) {
        return contains(c.expect.contrast, rule.id);
      });
      if (!contrasted) {
        report.gaps.push_back(rule.id + ": no contrast case shows its deny side");
      }
    }
  }
  return report;
}

std::string CoverageReport::text() const {
  std::string out;
  for (const auto& gap : gaps) {
    out += gap + "\n";
  }
  return out.empty() ? "every rule is covered\n" : out;
}

}  // namespace draaischijf::policies
