#include <draaischijf/policies/case_states.hpp>
#include <draaischijf/policies/vocabulary.hpp>

#include "name_table.hpp"

namespace draaischijf::policies {
namespace {

using names::name_in;
using names::parse_in;
using names::Table;

constexpr Table<CaseState, 5> kStates{{
    {CaseState::fresh, "new"},
    {CaseState::assigned, "assigned"},
    {CaseState::vraagverheldering, "vraagverheldering"},
    {CaseState::traject, "traject"},
    {CaseState::closed, "closed"},
}};
constexpr Table<CaseAction, 6> kActions{{
    {CaseAction::assign, "assign"},
    {CaseAction::vraagverheldering, "vraagverheldering"},
    {CaseAction::traject, "traject"},
    {CaseAction::close, "close"},
    {CaseAction::link, "link"},
    {CaseAction::delay_reason, "delay_reason"},
}};
constexpr Table<CaseTrack, 4> kTracks{{
    {CaseTrack::advice, "advice"},
    {CaseTrack::diagnosis, "diagnosis"},
    {CaseTrack::diagnosis_formalised_advice, "diagnosis_formalised_advice"},
    {CaseTrack::referral, "referral"},
}};
constexpr Table<CloseReason, 4> kCloseReasons{{
    {CloseReason::no_further_guidance, "no_further_guidance"},
    {CloseReason::referred, "referred"},
    {CloseReason::moved_school, "moved_school"},
    {CloseReason::other, "other"},
}};
constexpr Table<DelayReason, 4> kDelayReasons{{
    {DelayReason::leerbedreigd, "leerbedreigd"},
    {DelayReason::partner_pace, "partner_pace"},
    {DelayReason::waiting_list, "waiting_list"},
    {DelayReason::other, "other"},
}};
constexpr Table<LinkKind, 2> kLinkKinds{{
    {LinkKind::consent, "consent"},
    {LinkKind::referral, "referral"},
}};
constexpr Table<CasePriority, 2> kPriorities{{
    {CasePriority::urgent, "urgent"},
    {CasePriority::ordinary, "ordinary"},
}};
constexpr Table<SchoolStatus, 3> kSchoolStatuses{{
    {SchoolStatus::ontvangen, "ontvangen"},
    {SchoolStatus::in_behandeling, "in_behandeling"},
    {SchoolStatus::afgerond, "afgerond"},
}};

// The transition table: row = state, column = action, entry = the next state (0: refused).
// Reassigning keeps a case where it is; vraagverheldering and a track need someone on the
// case first; a closed case takes nothing more (the school's next signaal opens a new case).
constexpr std::uint8_t kNone = 0;
constexpr auto S = [](CaseState s) { return static_cast<std::uint8_t>(s); };
constexpr std::uint8_t kTable[5][6] = {
    //  assign                            vraagverheldering                 traject
    //  close                             link                              delay_reason
    {S(CaseState::assigned), kNone, kNone,  // new
     S(CaseState::closed), S(CaseState::fresh), S(CaseState::fresh)},
    {S(CaseState::assigned), S(CaseState::vraagverheldering), S(CaseState::traject),  // assigned
     S(CaseState::closed), S(CaseState::assigned), S(CaseState::assigned)},
    {S(CaseState::vraagverheldering), kNone, S(CaseState::traject),  // vraagverheldering
     S(CaseState::closed), S(CaseState::vraagverheldering), S(CaseState::vraagverheldering)},
    {S(CaseState::traject), kNone, S(CaseState::traject),  // traject (a new track: traject)
     S(CaseState::closed), S(CaseState::traject), S(CaseState::traject)},
    {kNone, kNone, kNone, kNone, kNone, kNone},  // closed
};

template <class Enum, std::size_t N>
bool in_table(const Table<Enum, N>& table, std::uint8_t code) noexcept {
  return !name_in(table, static_cast<Enum>(code)).empty();
}

}  // namespace

std::string_view name_of(CaseState state) noexcept { return name_in(kStates, state); }
std::string_view name_of(CaseAction action) noexcept { return name_in(kActions, action); }
std::string_view name_of(CaseTrack track) noexcept { return name_in(kTracks, track); }
std::string_view name_of(CloseReason reason) noexcept { return name_in(kCloseReasons, reason); }
std::string_view name_of(DelayReason reason) noexcept { return name_in(kDelayReasons, reason); }
std::string_view name_of(LinkKind kind) noexcept { return name_in(kLinkKinds, kind); }
std::string_view name_of(CasePriority priority) noexcept { return name_in(kPriorities, priority); }
std::string_view name_of(SchoolStatus status) noexcept { return name_in(kSchoolStatuses, status); }

std::optional<CaseState> parse_case_state(std::string_view name) noexcept {
  return parse_in(kStates, name);
}
std::optional<CaseAction> parse_case_action(std::string_view name) noexcept {
  return parse_in(kActions, name);
}
namespace {
template <class Enum>
std::optional<std::uint8_t> code_byte(std::optional<Enum> value) noexcept {
  return value ? std::optional(static_cast<std::uint8_t>(*value)) : std::nullopt;
}
}  // namespace

std::optional<std::uint8_t> parse_action_code(CaseAction action, std::string_view name) noexcept {
  switch (action) {
    case CaseAction::traject:
      return code_byte(parse_case_track(name));
    case CaseAction::close:
      return code_byte(parse_close_reason(name));
    case CaseAction::delay_reason:
      return code_byte(parse_delay_reason(name));
    case CaseAction::link:
      return code_byte(parse_link_kind(name));
    case CaseAction::assign:
    case CaseAction::vraagverheldering:
      return std::uint8_t{0};
  }
  return std::nullopt;
}

std::optional<CaseTrack> parse_case_track(std::string_view name) noexcept {
  return parse_in(kTracks, name);
}
std::optional<CloseReason> parse_close_reason(std::string_view name) noexcept {
  return parse_in(kCloseReasons, name);
}
std::optional<DelayReason> parse_delay_reason(std::string_view name) noexcept {
  return parse_in(kDelayReasons, name);
}
std::optional<LinkKind> parse_link_kind(std::string_view name) noexcept {
  return parse_in(kLinkKinds, name);
}
std::optional<CasePriority> parse_case_priority(std::string_view name) noexcept {
  return parse_in(kPriorities, name);
}

bool valid_code(CaseAction action, std::uint8_t code) noexcept {
  switch (action) {
    case CaseAction::traject:
      return in_table(kTracks, code);
    case CaseAction::close:
      return in_table(kCloseReasons, code);
    case CaseAction::delay_reason:
      return in_table(kDelayReasons, code);
    case CaseAction::link:
      return in_table(kLinkKinds, code);
    case CaseAction::assign:
    case CaseAction::vraagverheldering:
      return code == 0;
  }
  return false;
}

std::optional<CaseState> next_state(CaseState state, CaseAction action) noexcept {
  const auto row = static_cast<std::size_t>(state) - 1;
  const auto column = static_cast<std::size_t>(action) - 1;
  if (row >= 5 || column >= 6 || kTable[row][column] == kNone) {
    return std::nullopt;
  }
  return static_cast<CaseState>(kTable[row][column]);
}

SchoolStatus school_status(CaseState state) noexcept {
  switch (state) {
    case CaseState::fresh:
      return SchoolStatus::ontvangen;
    case CaseState::closed:
      return SchoolStatus::afgerond;
    case CaseState::assigned:
    case CaseState::vraagverheldering:
    case CaseState::traject:
      break;
  }
  return SchoolStatus::in_behandeling;
}

CasePriority signaal_priority(bool purpose_verontrusting, std::uint32_t attestations) noexcept {
  const auto has = [attestations](Flag flag) {
    return (attestations >> static_cast<unsigned>(flag) & 1U) != 0;
  };
  return purpose_verontrusting || has(Flag::verontrusting) || has(Flag::spijbeldossier_zorgwekkend)
             ? CasePriority::urgent
             : CasePriority::ordinary;
}

Track target_track(std::optional<CaseTrack> track) noexcept {
  if (!track || *track == CaseTrack::referral) {
    return Track::advice;
  }
  return static_cast<Track>(static_cast<std::uint8_t>(*track));
}

}  // namespace draaischijf::policies
