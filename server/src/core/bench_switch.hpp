#pragma once

// The benchmark's measurement switches (docs/DECISIONS.md, "a bench-build-only switch" and "The
// policy gate gets a bench-build switch too"): a part of the hub switched off to measure what it
// costs, in `bench` preset builds only. In every other build nothing is read and nothing is off.

namespace draaischijf::server {

/// Whether a bench build was told `variable=off`; says so once on stderr, in the log's form
/// (`event`), so a bench run can check the switch took effect. Always false unless the hub was
/// built with the CMake option DRAAISCHIJF_BENCH_SWITCHES. Callers read it once and keep it.
[[nodiscard]] bool bench_switched_off(const char* variable, const char* event);

/// DRAAISCHIJF_BENCH_POLICY_GATE=off: the hub's policy gate judges nothing (every recipient's
/// record says allow, under the rule id "bench-gate-off") and the store writes no decision audit
/// rows, so a bench run measures what the second enforcement point costs. Read once.
[[nodiscard]] bool policy_gate_switched_off();

}  // namespace draaischijf::server
