#include <algorithm>
#include <chrono>

#include <draaischijf/policies/evidence.hpp>

namespace draaischijf::policies {

CivilDate objection_window_passes_on(std::int64_t announced_at_ms, int objection_days) {
  const auto announced =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(announced_at_ms));
  return belgian_date(announced + std::chrono::days(objection_days));
}

bool claims_transfer(const Request& request) noexcept {
  return request.flags.contains(Flag::schoolverandering) ||
         request.flags.contains(Flag::wachttermijn_verstreken);
}

void apply_transfer_evidence(Request& request, const std::optional<TransferEvidence>& transfer,
                             int objection_days, CivilDate today, std::vector<std::string>& notes) {
  request.flags.remove(Flag::schoolverandering).remove(Flag::wachttermijn_verstreken);
  if (!transfer) {
    notes.emplace_back(
        "no dossier transfer is announced at the hub for this pupil: schoolverandering and "
        "wachttermijn_verstreken do not count until it is (draaischijf transfer announce)");
    return;
  }
  request.flags.add(Flag::schoolverandering);
  if (transfer->objection_at_ms) {
    request.flags.add(Flag::verzet);
    notes.emplace_back("an objection to the dossier transfer is registered at the hub");
    return;
  }
  const auto passes = objection_window_passes_on(transfer->announced_at_ms, objection_days);
  if (today < passes) {
    notes.push_back("the objection period of the dossier transfer (" +
                    std::to_string(objection_days) + " days, computed by the hub) runs until " +
                    to_string(passes));
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
