#include <draaischijf/policies/rule_set.hpp>

#include "compiled.hpp"

namespace draaischijf::policies {
namespace {

const std::shared_ptr<const detail::CompiledRules>& empty_rules() {
  static const auto empty = std::make_shared<const detail::CompiledRules>();
  return empty;
}

}  // namespace

RuleSet::RuleSet() : compiled_(empty_rules()) {}

const std::string& RuleSet::name() const noexcept { return compiled_->name; }
const std::string& RuleSet::version() const noexcept { return compiled_->version; }
bool RuleSet::empty() const noexcept { return compiled_->infos.empty(); }
const Settings& RuleSet::settings() const noexcept { return compiled_->settings; }
std::span<const RuleInfo> RuleSet::rules() const noexcept { return compiled_->infos; }

const RuleInfo* RuleSet::find(std::string_view rule_id) const noexcept {
  for (const auto& info : compiled_->infos) {
    if (info.id == rule_id) {
      return &info;
    }
  }
  return nullptr;
}

}  // namespace draaischijf::policies
