#pragma once

// The [workflow] settings in force (docs/WORKFLOW.md). A reload (SIGHUP) replaces them whole
// while requests are being answered: a reader takes the current set once and uses that one
// snapshot for its whole answer, so a due date and the calendar it was counted on never come
// from two different configurations.

#include <memory>
#include <mutex>

#include <draaischijf/server/core/config.hpp>

namespace draaischijf::server {

class WorkflowSettings {
 public:
  explicit WorkflowSettings(HubConfig::Workflow initial)
      : current_(std::make_shared<const HubConfig::Workflow>(std::move(initial))) {}

  [[nodiscard]] std::shared_ptr<const HubConfig::Workflow> get() const {
    const std::lock_guard lock(mutex_);
    return current_;
  }
  void set(HubConfig::Workflow fresh) {
    auto next = std::make_shared<const HubConfig::Workflow>(std::move(fresh));
    const std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const HubConfig::Workflow> current_;
};

}  // namespace draaischijf::server
