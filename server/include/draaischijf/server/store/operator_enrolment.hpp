#pragma once

// The hub operator's enrolment of an organisation's first admin device (`draaischijf-hub org
// enrol-admin`, docs/PROTOCOL.md 7.16): no enrolled admin of the organisation exists to approve
// it, and the hub's admin routes take no admin device that is not enrolled.

#include <cstdint>
#include <vector>

#include <draaischijf/server/store/directory.hpp>

namespace draaischijf::server {

/// Enrols the admin device from the end-to-end certificate it made with the organisation key:
/// role organisation_admin (else certificate_mismatch), the device pending with these keys,
/// signed by the organisation key in the directory and valid at `at_ms`, checked as an admin's
/// approval is. Written with the audit row device.enrolled_by_operator; `done` runs after
/// COMMIT. False when the writer's queue is full. A running hub sees it at the device's next
/// connection.
[[nodiscard]] bool enrol_admin_by_operator(Storage& storage, std::vector<std::uint8_t> certificate,
                                           std::int64_t at_ms, Directory::Done done);

}  // namespace draaischijf::server
