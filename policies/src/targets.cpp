#include <array>
#include <utility>

#include <draaischijf/policies/targets.hpp>

#include "name_table.hpp"

namespace draaischijf::policies {
namespace {

using names::name_in;
using names::parse_in;

// One table per enum: the names in JSON, the configuration and the CLI.
constexpr std::array<std::pair<Track, std::string_view>, 3> kTracks{{
    {Track::advice, "advice"},
    {Track::diagnosis, "diagnosis"},
    {Track::diagnosis_formalised_advice, "diagnosis_formalised_advice"},
}};
constexpr std::array<std::pair<StartEvent, std::string_view>, 3> kStartEvents{{
    {StartEvent::signaal_received, "signaal_received"},
    {StartEvent::case_assigned, "case_assigned"},
    {StartEvent::consent_registered, "consent_registered"},
}};

}  // namespace

std::string_view name_of(Track track) noexcept { return name_in(kTracks, track); }
std::string_view name_of(StartEvent event) noexcept { return name_in(kStartEvents, event); }
std::optional<Track> parse_track(std::string_view name) noexcept { return parse_in(kTracks, name); }
std::optional<StartEvent> parse_start_event(std::string_view name) noexcept {
  return parse_in(kStartEvents, name);
}
std::string_view track_names() noexcept { return "advice, diagnosis, diagnosis_formalised_advice"; }
std::string_view start_event_names() noexcept {
  return "signaal_received, case_assigned, consent_registered";
}

int working_days_late(const WorkingCalendar& calendar, CivilDate due, CivilDate today) noexcept {
  return is_overdue(due, today) ? calendar.working_days_between(due, today) : 0;
}

}  // namespace draaischijf::policies
