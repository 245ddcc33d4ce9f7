#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/server/core/org_calendars.hpp>

namespace draaischijf::server {

OrgCalendars::OrgCalendars(const HubConfig::Workflow& workflow) : hub_(workflow.calendar) {
  for (const std::string& org_hex : workflow.clbs_with_own_calendar()) {
    const auto bytes = protocol::hex_decode(org_hex);
    protocol::Id id{};
    if (!bytes || bytes->size() != id.size()) {
      continue;  // the configuration refuses such a key before a hub starts
    }
    std::copy(bytes->begin(), bytes->end(), id.begin());
    own_.emplace(id, policies::WorkingCalendar(workflow.calendar_of(org_hex)));
  }
}

const policies::WorkingCalendar& OrgCalendars::of(const protocol::Id& org_id) const noexcept {
  const auto own = own_.find(org_id);
  return own == own_.end() ? hub_ : own->second;
}

}  // namespace draaischijf::server
