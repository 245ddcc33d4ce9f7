#pragma once

// Onthaal triage: the states of a CLB's case opened by a school's signaal, the actions its staff
// sign to move it, and the table of which action is allowed in which state (docs/WORKFLOW.md,
// "Onthaal triage"). Pure: no clock, no storage, so the hub checks and the client shows the
// same transitions.
//
//   new --assign--> assigned --vraagverheldering--> vraagverheldering --traject--> traject
//   every open state --close--> closed; a closed case stays closed (a new signaal opens a new one)

#include <cstdint>
#include <optional>
#include <string_view>

#include <draaischijf/policies/targets.hpp>

namespace draaischijf::policies {

/// Where a case is (stable names, append only: they are stored and on the wire).
enum class CaseState : std::uint8_t {
  fresh = 1,  // "new": the signaal reached the CLB, nobody has it yet
  assigned,
  vraagverheldering,
  traject,
  closed,
};

/// What a signed case statement does (its byte in the statement, docs/PROTOCOL.md 7.17).
enum class CaseAction : std::uint8_t {
  assign = 1,         // to a staff id of the CLB
  vraagverheldering,  // the question is being clarified
  traject,            // the case follows a track (CaseTrack)
  close,              // with a CloseReason
  link,               // a consent or a referral message, by id (LinkKind)
  delay_reason,       // why a target is exceeded (DelayReason)
};

/// The track of a case: the three of targets.hpp, plus a referral to a partner.
enum class CaseTrack : std::uint8_t {
  advice = 1,
  diagnosis,
  diagnosis_formalised_advice,
  referral,
};

enum class CloseReason : std::uint8_t { no_further_guidance = 1, referred, moved_school, other };
enum class DelayReason : std::uint8_t { leerbedreigd = 1, partner_pace, waiting_list, other };
enum class LinkKind : std::uint8_t { consent = 1, referral };

/// How urgent a case is; lower sorts first, so urgent work is never queued behind ordinary work.
enum class CasePriority : std::uint8_t { urgent = 0, ordinary = 1 };

/// The three states a school sees of its own signaal, and nothing else of the CLB's work.
enum class SchoolStatus : std::uint8_t { ontvangen = 1, in_behandeling, afgerond };

[[nodiscard]] std::string_view name_of(CaseState state) noexcept;
[[nodiscard]] std::string_view name_of(CaseAction action) noexcept;
[[nodiscard]] std::string_view name_of(CaseTrack track) noexcept;
[[nodiscard]] std::string_view name_of(CloseReason reason) noexcept;
[[nodiscard]] std::string_view name_of(DelayReason reason) noexcept;
[[nodiscard]] std::string_view name_of(LinkKind kind) noexcept;
[[nodiscard]] std::string_view name_of(CasePriority priority) noexcept;
[[nodiscard]] std::string_view name_of(SchoolStatus status) noexcept;

[[nodiscard]] std::optional<CaseState> parse_case_state(std::string_view name) noexcept;
[[nodiscard]] std::optional<CaseAction> parse_case_action(std::string_view name) noexcept;
[[nodiscard]] std::optional<CaseTrack> parse_case_track(std::string_view name) noexcept;
[[nodiscard]] std::optional<CloseReason> parse_close_reason(std::string_view name) noexcept;
[[nodiscard]] std::optional<DelayReason> parse_delay_reason(std::string_view name) noexcept;
[[nodiscard]] std::optional<LinkKind> parse_link_kind(std::string_view name) noexcept;
[[nodiscard]] std::optional<CasePriority> parse_case_priority(std::string_view name) noexcept;

/// The code byte of `action` named `name`, as valid_code() reads it: a CaseTrack for traject, a
/// CloseReason for close, a DelayReason for delay_reason, a LinkKind for link, 0 for the others
/// (whatever the name); nullopt for a name the action's table does not hold.
[[nodiscard]] std::optional<std::uint8_t> parse_action_code(CaseAction action,
                                                            std::string_view name) noexcept;

/// Whether `code` is a valid code byte for `action`: a CaseTrack for traject, a CloseReason
/// for close, a DelayReason for delay_reason, a LinkKind for link, 0 for the others.
[[nodiscard]] bool valid_code(CaseAction action, std::uint8_t code) noexcept;

/// The state after `action` in `state`, or nullopt when the table does not allow it.
[[nodiscard]] std::optional<CaseState> next_state(CaseState state, CaseAction action) noexcept;

/// The school's view of a case state (docs/WORKFLOW.md, "What the school sees").
[[nodiscard]] SchoolStatus school_status(CaseState state) noexcept;

/// A signaal is urgent when its purpose is verontrusting or the school attests concern about
/// the pupil's safety (verontrusting) or an escalated truancy file (spijbeldossier_zorgwekkend).
[[nodiscard]] CasePriority signaal_priority(bool purpose_verontrusting,
                                            std::uint32_t attestations) noexcept;

/// The doorlooptijd target that applies: a track's own; before a track is chosen, and for a
/// referral, the advice target (vraagverheldering is itself advice work).
[[nodiscard]] Track target_track(std::optional<CaseTrack> track) noexcept;

}  // namespace draaischijf::policies
