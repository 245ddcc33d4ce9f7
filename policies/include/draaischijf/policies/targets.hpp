#pragma once

// Doorlooptijden: the service-level targets of a CLB's tracks and of its partners' answers, in
// working days of a WorkingCalendar (docs/WORKFLOW.md, "Targets").
//
// The defaults are the CLB's own maximum doorlooptijden: 10 working days for a track that ends
// in vraagverheldering, information or advice, 40 for a diagnosis, 50 for a diagnosis with
// formalised advice. The 2009 decree that once set them is repealed: they are targets a CLB
// holds itself to, not law, and every CLB may set its own.
//
//   const auto due = due_date(calendar, started, targets.track_days(Track::diagnosis));
//   if (is_overdue(due, today)) { ... }

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/date.hpp>

namespace draaischijf::policies {

/// The track a case is in once the CLB knows where it leads (stable names, append only).
enum class Track : std::uint8_t {
  advice = 1,                   // vraagverheldering, informatie of advies
  diagnosis,                    // diagnose
  diagnosis_formalised_advice,  // diagnose met geformaliseerd advies
};

/// The event a track's target counts from, as the CLB chooses it.
enum class StartEvent : std::uint8_t {
  signaal_received = 1,  // the signaal or question reached the CLB
  case_assigned,         // a staff member took the case on
  consent_registered,    // the consent to start guidance is on record
};

[[nodiscard]] std::string_view name_of(Track track) noexcept;
[[nodiscard]] std::string_view name_of(StartEvent event) noexcept;
[[nodiscard]] std::optional<Track> parse_track(std::string_view name) noexcept;
[[nodiscard]] std::optional<StartEvent> parse_start_event(std::string_view name) noexcept;
/// "advice, diagnosis, diagnosis_formalised_advice" and the like, for error messages.
[[nodiscard]] std::string_view track_names() noexcept;
[[nodiscard]] std::string_view start_event_names() noexcept;

struct WorkflowTargets {
  StartEvent start = StartEvent::signaal_received;
  std::array<int, 3> days_by_track{10, 40, 50};  // by Track, in enum order
  // A referral: received (the partner's device fetched it) within this many working days of
  // sending, and answered (accepted, declined or waitlisted) within this many.
  int partner_received_days = 3;
  int partner_answered_days = 10;

  [[nodiscard]] int track_days(Track track) const noexcept {
    return days_by_track[static_cast<std::size_t>(track) - 1];
  }
  void set_track_days(Track track, int days) noexcept {
    days_by_track[static_cast<std::size_t>(track) - 1] = days;
  }
};

/// The last day on which something started on `start` meets a target of `working_days`.
[[nodiscard]] inline CivilDate due_date(const WorkingCalendar& calendar, CivilDate start,
                                        int working_days) noexcept {
  return calendar.add_working_days(start, working_days);
}

/// Past its due date on `today` (the due date itself is still in time).
[[nodiscard]] constexpr bool is_overdue(CivilDate due, CivilDate today) noexcept {
  return today > due;
}

/// Working days past the due date on `today`; 0 when in time.
[[nodiscard]] int working_days_late(const WorkingCalendar& calendar, CivilDate due,
                                    CivilDate today) noexcept;

}  // namespace draaischijf::policies
