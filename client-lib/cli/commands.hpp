#pragma once

// The draaischijf commands as the dispatch table in main.cpp calls them: one handler per
// (command, subcommand), each given what the table's entry asked for.

#include <optional>
#include <span>
#include <string_view>

#include <draaischijf/client/client.hpp>

#include "common.hpp"
#include "options.hpp"

namespace draaischijf::cli {

/// What a handler is given: the global options, the command's words parsed as arguments, the
/// raw words (for a command that parses its own), and the opened client when the entry needs
/// one (nullptr otherwise).
struct Invocation {
  const Context& context;
  const Arguments& args;
  std::span<const std::string_view> words;
  client::Client* client = nullptr;
};

/// Opens the profile, the key store and the connection; prints why not.
[[nodiscard]] std::optional<client::Client> open_client(const Context& context, int& exit_code);

// Without a client: the profile is made or the command needs none.
[[nodiscard]] int init_command(const Invocation& call);
[[nodiscard]] int enrol_start_command(const Invocation& call);
[[nodiscard]] int enrol_finish_command(const Invocation& call);
[[nodiscard]] int admin_org_init_command(const Invocation& call);
[[nodiscard]] int admin_org_restore_command(const Invocation& call);
/// The web inbox (opens the profile itself: its key store locks and unlocks while it runs).
[[nodiscard]] int ui_command(const Invocation& call);

/// What opens the organisation key store (--org-keys): --org-key-file (made first when
/// `new_store` and missing), else $DRAAISCHIJF_ORG_PASSPHRASE, else a passphrase typed.
[[nodiscard]] protocol::Result<client::Unlock> unlock_organisation_store(const Context& context,
                                                                         bool new_store);

// With a client (Invocation::client is set).
[[nodiscard]] int whoami_command(const Invocation& call);
[[nodiscard]] int trust_command(const Invocation& call);
[[nodiscard]] int directory_command(const Invocation& call);
[[nodiscard]] int inbox_command(const Invocation& call);
[[nodiscard]] int read_command(const Invocation& call);
[[nodiscard]] int ack_command(const Invocation& call);
[[nodiscard]] int status_command(const Invocation& call);
[[nodiscard]] int sent_command(const Invocation& call);
[[nodiscard]] int admin_pending_command(const Invocation& call);
[[nodiscard]] int admin_approve_command(const Invocation& call);
[[nodiscard]] int admin_devices_command(const Invocation& call);
[[nodiscard]] int admin_remove_command(const Invocation& call);
[[nodiscard]] int admin_pupil_key_command(const Invocation& call);
[[nodiscard]] int admin_create_mailbox_command(const Invocation& call);
[[nodiscard]] int admin_rotate_command(const Invocation& call);
[[nodiscard]] int admin_monitor_command(const Invocation& call);
[[nodiscard]] int admin_rename_mailbox_command(const Invocation& call);
[[nodiscard]] int admin_renew_command(const Invocation& call);
[[nodiscard]] int admin_export_key_command(const Invocation& call);
[[nodiscard]] int admin_add_member_command(const Invocation& call);
[[nodiscard]] int admin_remove_member_command(const Invocation& call);
[[nodiscard]] int admin_staff_command(const Invocation& call);
[[nodiscard]] int admin_org_enrol_self_command(const Invocation& call);

}  // namespace draaischijf::cli
