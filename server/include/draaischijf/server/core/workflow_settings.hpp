#pragma once

// The [workflow] settings in force (docs/WORKFLOW.md). A reload (SIGHUP) replaces them whole
// while requests are being answered: a reader takes the current set once and uses that one
// snapshot for its whole answer, so a due date and the calendar it was counted on never come
// from two different configurations.

#include <memory>
#include <mutex>

#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/core/org_calendars.hpp>

namespace draaischijf::server {

/// One load of [workflow]: the settings and every organisation's calendar built from them, once
/// per load, so a request counts on a calendar without building one.
struct WorkflowInForce {
  explicit WorkflowInForce(HubConfig::Workflow settings)
      : config(std::move(settings)), calendars(config) {}

  HubConfig::Workflow config;
  OrgCalendars calendars;  // from `config`; declared after it, so built after it
};

class WorkflowSettings {
 public:
  explicit WorkflowSettings(HubConfig::Workflow initial)
      : current_(std::make_shared<const WorkflowInForce>(std::move(initial))) {}

  [[nodiscard]] std::shared_ptr<const WorkflowInForce> get() const {
    const std::lock_guard lock(mutex_);
    return current_;
  }
  void set(HubConfig::Workflow fresh) {
    auto next = std::make_shared<const WorkflowInForce>(std::move(fresh));
    const std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const WorkflowInForce> current_;
};

}  // namespace draaischijf::server
