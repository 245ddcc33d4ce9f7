#pragma once

// The consent and disclosure screens' API (docs/POLICY.md 2 and 9): the giver for a pupil's age,
// the consents registered for a pupil, registering one and revoking one. Only CLB staff devices may
// do this; the hub decides that (403 from the hub, shown as hub_failed with its reason).
//
//   POST /api/consents/giver   {"birth_date"|"age", "competency", "adult_incompetent"}
//                              who gives consent today (the engine's own derivation, R32)
//   GET  /api/consents?pupil=REF                     the pupil's consents, newest first
//   POST /api/consents         CONSENT               registers; 422 consent-invalid with the
//                                                    hub's issues (nl, en, rule id)
//   GET  /api/consents/ID                            one consent: what a revocation withdraws
//   POST /api/consents/ID/revoke                     revokes; the messages the hub withdrew
//   GET  /api/disclosures?pupil=REF                  what left the CLB about the pupil: when,
//                                                    to whom (the directory's name), on which
//                                                    basis, by whom, under which rules
//
// CONSENT is the hub's wire form (policies/consent_json.hpp) with "pupil" the CLB's own
// reference: the program derives the pseudonym the hub files it under.

#include <optional>
#include <span>
#include <string_view>

#include <draaischijf/client/client.hpp>

#include "api.hpp"

namespace draaischijf::ui {

/// The answer when `parts` ("api", "consents", ...) is one of these routes; nullopt otherwise.
[[nodiscard]] std::optional<Response> consent_answer(client::Client& client, const Request& request,
                                                     std::span<const std::string_view> parts);

}  // namespace draaischijf::ui
