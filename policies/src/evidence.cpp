#include <algorithm>
#include <chrono>

#include <draaischijf/policies/evidence.hpp>
#include <draaischijf/policies/referral_states.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::policies {

CivilDate objection_window_passes_on(std::int64_t announced_at_ms, std::optional<CivilDate> told,
                                     int objection_days, const WorkingCalendar& calendar) {
  const CivilDate announced = belgian_date(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(announced_at_ms)));
  const CivilDate start = told && announced < *told ? *told : announced;
  const std::int64_t last = std::int64_t{day_number(start)} + objection_days;
  // The first working day on or after the last day: the working day after the day before it.
  const CivilDate ends =
      calendar.add_working_days(date_of_day(static_cast<std::uint32_t>(last - 1)), 1);
  return date_of_day(day_number(ends) + 1);
}

bool claims_transfer(const Request& request) noexcept {
  return request.flags.contains(Flag::schoolverandering) ||
         request.flags.contains(Flag::wachttermijn_verstreken);
}

void apply_transfer_evidence(Request& request, const std::optional<TransferEvidence>& transfer,
                             CivilDate today, std::vector<std::string>& notes) {
  request.flags.remove(Flag::schoolverandering).remove(Flag::wachttermijn_verstreken);
  if (!transfer) {
    notes.emplace_back(
        "no dossier transfer is announced at the hub for this pupil: schoolverandering and "
        "wachttermijn_verstreken do not count until it is (draaischijf transfer announce)");
    return;
  }
  if (!transfer->receiving_org) {
    notes.emplace_back(
        "the dossier transfer of this pupil was announced without a signed statement naming the "
        "new CLB: announce it again (draaischijf transfer announce --to ORG_ID)");
    return;
  }
  if (*transfer->receiving_org != request.recipient_org_id) {
    notes.emplace_back(
        "the dossier transfer announced at the hub names another CLB as the new CLB: the "
        "dossier goes only to the CLB the announcement names (" +
        protocol::hex_encode(*transfer->receiving_org) + ")");
    return;
  }
  request.flags.add(Flag::schoolverandering);
  if (transfer->objection_at_ms) {
    request.flags.add(Flag::verzet);
    notes.emplace_back("an objection to the dossier transfer is registered at the hub");
    return;
  }
  if (today < transfer->window_passes_on) {
    notes.push_back(
        "the objection period of the dossier transfer (computed by the hub on the announcing "
        "CLB's calendar) passes on " +
        to_string(transfer->window_passes_on));
    return;
  }
  request.flags.add(Flag::wachttermijn_verstreken);
}

bool concerns_start_consent(const Request& request) noexcept {
  return request.flags.contains(Flag::schoolvraag) ||
         request.flags.contains(Flag::begeleidingsakkoord);
}

void apply_start_consent(Request& request, std::span<const ConsentRecord> registered,
                         CivilDate today, std::vector<std::string>& notes) {
  const bool attested = request.flags.contains(Flag::begeleidingsakkoord);
  request.flags.remove(Flag::begeleidingsakkoord);
  const bool on_record =
      std::any_of(registered.begin(), registered.end(), [&](const ConsentRecord& record) {
        return record.pupil == request.pupil_pseudonym && in_force_on(record, today) &&
               record.purposes.contains(protocol::Purpose::begeleiding);
      });
  if (on_record) {
    request.flags.add(Flag::begeleidingsakkoord);
  } else if (attested) {
    notes.emplace_back(
        "no consent for guidance of this pupil is registered at the hub: begeleidingsakkoord "
        "does not count until it is (draaischijf consent register)");
  }
}

bool concerns_advice(const Request& request) noexcept {
  return request.categories.contains(protocol::DataCategory::handelingsgericht_advies) &&
         !claims_transfer(request);
}

void apply_advice_objection(Request& request, bool registered, std::vector<std::string>& notes) {
  if (registered) {
    request.flags.add(Flag::verzet);
    notes.emplace_back("the client's objection to advice to the school is registered at the hub");
  }
}

}  // namespace draaischijf::policies
