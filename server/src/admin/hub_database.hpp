#pragma once

// What the operator's commands open beside a running hub: the configuration file they are
// given and the hub's database under its data_dir. One place, so every command reports a bad
// configuration or a missing database the same way.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string_view>

#include <draaischijf/server/core/config.hpp>
#include <draaischijf/server/store/storage.hpp>

namespace draaischijf::server {

/// The configuration at `path`; nullopt after printing its first problem ("error: --config:").
[[nodiscard]] std::optional<HubConfig> command_config(std::string_view path, std::ostream& err);

/// What to do when data_dir holds no hub.db yet.
enum class WhenNoDatabase {
  create,  // a command that may run before the hub ever started (org add)
  refuse,  // a command that only makes sense on a hub that ran
};

/// data_dir/hub.db, migrated; nullptr after saying why.
[[nodiscard]] std::shared_ptr<Storage> open_hub_database(const HubConfig& config,
                                                         WhenNoDatabase missing, std::ostream& err);

}  // namespace draaischijf::server
