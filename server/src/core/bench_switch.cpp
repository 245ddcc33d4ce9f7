#include "core/bench_switch.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace draaischijf::server {

bool bench_switched_off([[maybe_unused]] const char* variable, [[maybe_unused]] const char* event) {
#ifdef DRAAISCHIJF_BENCH_SWITCHES
  const char* value = std::getenv(variable);
  const bool off = value != nullptr && std::string_view(value) == "off";
  if (off) {
    std::fprintf(stderr, "{\"level\":\"warning\",\"event\":\"%s\"}\n", event);
  }
  return off;
#else
  return false;
#endif
}

bool policy_gate_switched_off() {
  static const bool off =
      bench_switched_off("DRAAISCHIJF_BENCH_POLICY_GATE", "bench.policy_gate_off");
  return off;
}

}  // namespace draaischijf::server
