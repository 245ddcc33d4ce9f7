#pragma once

// Evidence the hub holds in place of a sender's attested flags (docs/POLICY.md section 10): a
// flag that opens a route a consent would otherwise guard does not count on the sender's word.
// One implementation for the hub's gate and the client's pre-check, so both reach the same
// decision from the same records.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <draaischijf/policies/calendar.hpp>
#include <draaischijf/policies/date.hpp>
#include <draaischijf/policies/request.hpp>

namespace draaischijf::policies {

/// A dossier transfer the CLB announced at the hub (R13, R14), as the hub holds it.
struct TransferEvidence {
  /// The first day on which the objection window has passed (objection_window_passes_on).
  CivilDate window_passes_on;
  /// The new CLB the signed announcement names; nullopt for an announcement without a signed
  /// statement, which opens neither R13 nor R14.
  std::optional<protocol::Id> receiving_org;
  std::optional<std::int64_t> objection_at_ms;
};

/// The first day on which R14's objection window has passed (docs/WORKFLOW.md 5). The window
/// starts on the later of the Belgian date of the hub's announcement and the day the parents or
/// the pupil were told (`told`: nullopt for none), lasts `objection_days` calendar days (the day
/// it starts on does not count), and when its last day is not a working day of `calendar` (the
/// announcing CLB's) it ends at the end of the next working day (Ger.W. art. 53).
[[nodiscard]] CivilDate objection_window_passes_on(std::int64_t announced_at_ms,
                                                   std::optional<CivilDate> told,
                                                   int objection_days,
                                                   const WorkingCalendar& calendar);

/// Whether the request claims a transfer (`schoolverandering` or `wachttermijn_verstreken`):
/// then only the announcement decides.
[[nodiscard]] bool claims_transfer(const Request& request) noexcept;

/// Each apply_ function below replaces flags by what the record says and appends to `notes`
/// why the record does not open the route, for the refusal (nothing when it does).

/// Drops the sender's `schoolverandering` and `wachttermijn_verstreken` and sets them, with
/// `verzet`, from `transfer` (nullopt: nothing announced) as of `today`, for the recipient of
/// `request` (`recipient_org_id`): only the receiving CLB the announcement names gets the
/// transfer. A sender's own `verzet` stays: it only ever closes a route.
void apply_transfer_evidence(Request& request, const std::optional<TransferEvidence>& transfer,
                             CivilDate today, std::vector<std::string>& notes);

/// R01: guidance the school asked for has started once a consent for guidance is on record.
/// Whether the record matters: the request says the school asked, or attests the start.
[[nodiscard]] bool concerns_start_consent(const Request& request) noexcept;
/// Drops the sender's `begeleidingsakkoord` and sets it when one of `registered` (the consents
/// the sending CLB registered for this pupil) is in force on `today` and covers the purpose
/// `begeleiding`; a note when the sender attested it without one.
void apply_start_consent(Request& request, std::span<const ConsentRecord> registered,
                         CivilDate today, std::vector<std::string>& notes);

/// R03: the client's objection to advice going to the school. Whether the record matters: the
/// CLB sends actionable advice and claims no transfer (R14 has its own objection).
[[nodiscard]] bool concerns_advice(const Request& request) noexcept;
/// Sets `verzet` when an objection stands (`registered`), whatever the sender attests.
void apply_advice_objection(Request& request, bool registered, std::vector<std::string>& notes);

}  // namespace draaischijf::policies
