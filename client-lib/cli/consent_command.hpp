#pragma once

// The CLB's consent registry and disclosure register on the hub (docs/POLICY.md 2):
//   consent register --pupil REF --giver ouders|leerling|beiden ...   the hub checks the giver
//   consent list --pupil REF | consent revoke ID                       revoking withdraws what
//                                                                      still waits under it
//   disclosures --pupil REF                                            who received what, when,
//                                                                      on which basis

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/consent_registry.hpp>

#include "common.hpp"
#include "options.hpp"

namespace draaischijf::cli {

[[nodiscard]] int consent_register_command(client::Client& client, const Context& context,
                                           const Arguments& args);
[[nodiscard]] int consent_list_command(client::Client& client, const Context& context,
                                       const Arguments& args);
[[nodiscard]] int consent_revoke_command(client::Client& client, const Context& context,
                                         const Arguments& args);

/// transfer announce|object|show --pupil REF: R14's evidence at the hub.
[[nodiscard]] int transfer_command(client::Client& client, const Context& context,
                                   const Arguments& args);
/// objection register|withdraw|show --pupil REF: the client's objection to advice to the
/// school (R03), which the hub enforces for every device of the CLB.
[[nodiscard]] int objection_command(client::Client& client, const Context& context,
                                    const Arguments& args);
[[nodiscard]] int disclosures_command(client::Client& client, const Context& context,
                                      const Arguments& args);

}  // namespace draaischijf::cli
