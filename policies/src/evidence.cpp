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

std::string apply_transfer_evidence(Request& request,
                                    const std::optional<TransferEvidence>& transfer,
                                    int objection_days, CivilDate today) {
  request.flags.remove(Flag::schoolverandering).remove(Flag::wachttermijn_verstreken);
  if (!transfer) {
    return "no dossier transfer is announced at the hub for this pupil: schoolverandering and "
           "wachttermijn_verstreken do not count until it is (draaischijf transfer announce)";
  }
  request.flags.add(Flag::schoolverandering);
  if (transfer->objection_at_ms) {
    request.flags.add(Flag::verzet);
    return "an objection to the dossier transfer is registered at the hub";
  }
  const auto passes = objection_window_passes_on(transfer->announced_at_ms, objection_days);
  if (today < passes) {
    return "the objection period of the dossier transfer (" + std::to_string(objection_days) +
           " days, computed by the hub) runs until " + to_string(passes);
  }
  request.flags.add(Flag::wachttermijn_verstreken);
  return {};
}

namespace {

bool in_force_for_guidance(const ConsentRecord& record, CivilDate today) {
  const bool revoked = record.revoked && (!record.revoked_on || *record.revoked_on <= today);
  const bool in_window =
      !(today < record.valid_from) && (!record.valid_until || !(*record.valid_until < today));
  return !revoked && in_window && record.purposes.contains(protocol::Purpose::begeleiding);
}

}  // namespace

std::string apply_start_consent(Request& request, std::span<const ConsentRecord> registered,
                                CivilDate today) {
  const bool attested = request.flags.contains(Flag::begeleidingsakkoord);
  request.flags.remove(Flag::begeleidingsakkoord);
  const bool on_record =
      std::any_of(registered.begin(), registered.end(), [&](const ConsentRecord& record) {
        return record.pupil == request.pupil_pseudonym && in_force_for_guidance(record, today);
      });
  if (on_record) {
    request.flags.add(Flag::begeleidingsakkoord);
    return {};
  }
  return attested ? "no consent for guidance of this pupil is registered at the hub: "
                    "begeleidingsakkoord does not count until it is (draaischijf consent add)"
                  : std::string();
}

bool concerns_advice(const Request& request) noexcept {
  return request.categories.contains(protocol::DataCategory::handelingsgericht_advies) &&
         !claims_transfer(request);
}

std::string apply_advice_objection(Request& request, bool registered) {
  if (!registered) {
    return {};
  }
  request.flags.add(Flag::verzet);
  return "the client's objection to advice to the school is registered at the hub";
}

}  // namespace draaischijf::policies
