#include <charconv>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <draaischijf/client/errors.hpp>
#include <draaischijf/client/profile.hpp>

#include "name_value.hpp"

namespace draaischijf::client {
namespace {

namespace fs = std::filesystem;

std::string settings_text(const ProfileSettings& settings) {
  return "# Draaischijf device profile\nhub_host " + settings.hub.host + "\nhub_port " +
         std::to_string(settings.hub.port) + "\nread_receipts " +
         (settings.read_receipts ? "yes" : "no") + "\n";
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::optional<ProfileSettings> parse_settings(const std::string& text) {
  ProfileSettings settings;
  for (const auto& [name, value] : name_value_lines(text)) {
    if (name == "hub_host" && !value.empty()) {
      settings.hub.host = value;
    } else if (name == "hub_port") {
      const auto port = parse_port(value);
      if (!port) {
        return std::nullopt;
      }
      settings.hub.port = *port;
    } else if (name == "read_receipts" && (value == "yes" || value == "no")) {
      settings.read_receipts = value == "yes";
    } else {
      return std::nullopt;  // an unknown or malformed setting is never ignored silently
    }
  }
  return settings;
}

}  // namespace

std::optional<HubAddress> parse_hub_address(std::string_view text) {
  HubAddress address;
  const auto colon = text.rfind(':');
  address.host = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) {
    const auto port = parse_port(text.substr(colon + 1));
    if (!port) {
      return std::nullopt;
    }
    address.port = *port;
  }
  if (address.host.empty()) {
    return std::nullopt;
  }
  return address;
}

protocol::Result<void> write_file_atomically(const fs::path& path, std::string_view text,
                                             unsigned mode) {
  const fs::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return make_error_code(client_errc::profile_invalid);
  }
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fsync(fd) == 0;
  written = ::close(fd) == 0 && written;
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return make_error_code(client_errc::profile_invalid);
  }
  return {};
}

std::optional<std::string> read_small_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

protocol::Result<Profile> Profile::create(const fs::path& dir, const ProfileSettings& settings) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return make_error_code(client_errc::profile_invalid);
  }
  fs::create_directories(dir / "tls", ec);
  if (ec) {
    return make_error_code(client_errc::profile_invalid);
  }
  fs::permissions(dir, fs::perms::owner_all, ec);
  fs::permissions(dir / "tls", fs::perms::owner_all, ec);
  Profile profile(dir, settings);
  if (auto saved = profile.save_settings(settings); !saved) {
    return saved.error();
  }
  return profile;
}

protocol::Result<Profile> Profile::open(const fs::path& dir) {
  const auto text = read_small_file(dir / "profile.conf");
  if (!text) {
    return make_error_code(client_errc::profile_invalid);
  }
  auto settings = parse_settings(*text);
  if (!settings) {
    return make_error_code(client_errc::profile_invalid);
  }
  return Profile(dir, std::move(*settings));
}

protocol::Result<void> Profile::save_settings(const ProfileSettings& settings) {
  if (auto written = write_file_atomically(dir_ / "profile.conf", settings_text(settings), 0600);
      !written) {
    return written;
  }
  settings_ = settings;
  return {};
}

}  // namespace draaischijf::client
