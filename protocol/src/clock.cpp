#include <draaischijf/protocol/clock.hpp>

namespace draaischijf::protocol {
namespace {

class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() const noexcept override { return std::chrono::system_clock::now(); }
};

}  // namespace

const Clock& system_clock() noexcept {
  static const SystemClock clock;
  return clock;
}

}  // namespace draaischijf::protocol
