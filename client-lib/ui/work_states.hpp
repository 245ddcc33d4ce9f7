#pragma once

// Where the work on each message stood at the inbox's last sync, by message id (hex): the case
// a signaal opened at the CLB, or the referral a doorverwijzing or consultatie is, with the
// hub's overdue flag. The list answered from the device alone (inbox_view.hpp) shows these
// without asking the hub again; the Vault keeps them for the unlocked session, as it keeps the
// topics, and forgets them when it locks.

#include <map>
#include <string>

namespace draaischijf::ui {

struct WorkState {
  std::string state;
  bool overdue = false;

  bool operator==(const WorkState&) const = default;
};

using WorkStates = std::map<std::string, WorkState>;

}  // namespace draaischijf::ui
