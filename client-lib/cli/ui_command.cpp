// draaischijf ui: the web inbox on 127.0.0.1, for people who do not use a terminal. The keys
// stay in this process (ui/vault.hpp); the page gets verified data as JSON and renders it as
// text. The address printed carries a one-time token (ui/gate.hpp).

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <draaischijf/client/client.hpp>

#include "commands.hpp"
#include "local_server.hpp"

extern char** environ;

namespace draaischijf::cli {
namespace {

constexpr unsigned kDefaultLockSeconds = 15 * 60;

std::optional<unsigned> number_option(const Arguments& args, const std::string& name,
                                      unsigned fallback, unsigned max) {
  const auto text = args.value(name);
  if (!text) {
    return fallback;
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size() || value > max) {
    return std::nullopt;
  }
  return value;
}

// Opens the browser when the desktop has xdg-open; without it the person opens the printed
// address themselves, so a missing or failing xdg-open is no error.
void open_browser(const std::string& url) {
  const char* argv[] = {"xdg-open", url.c_str(), nullptr};
  std::signal(SIGCHLD, SIG_IGN);  // not waited for: no zombie left behind
  pid_t pid = 0;
  (void)posix_spawnp(&pid, "xdg-open", nullptr, nullptr, const_cast<char* const*>(argv), environ);
}

}  // namespace

int ui_command(const Invocation& call) {
  const auto& args = call.args;
  if (auto bad = args.unknown({"port", "no-browser", "lock-after"}); !bad.empty()) {
    return usage_error(bad);
  }
  if (args.positional().size() != 1) {
    return usage_error("ui takes no arguments besides its options");
  }
  const auto port = number_option(args, "port", 0, 65535);
  const auto lock_after = number_option(args, "lock-after", kDefaultLockSeconds, 24 * 3600);
  if (!port || !lock_after || *lock_after == 0) {
    return usage_error("--port takes 0 to 65535, --lock-after 1 to 86400 seconds");
  }
  auto profile = client::Profile::open(call.context.profile_dir);
  if (!profile) {
    const int code = fail(profile.error());
    std::cerr << "  profile folder: " << call.context.profile_dir.string() << "\n";
    return code;
  }
  ui::Vault vault(
      [profile = *profile](const client::Unlock& unlock) {
        return client::Client::open(profile, unlock);
      },
      std::chrono::seconds(*lock_after), protocol::system_clock(), call.context.key_file);
  // Unlocked at start with the key file or $DRAAISCHIJF_PASSPHRASE; otherwise the page asks.
  const char* passphrase = std::getenv("DRAAISCHIJF_PASSPHRASE");
  if (call.context.key_file || passphrase != nullptr) {
    if (auto opened =
            vault.unlock(passphrase != nullptr && !call.context.key_file ? passphrase : "");
        !opened) {
      return fail(opened.error());
    }
  }
  boost::asio::io_context io;
  // The hub's stream, followed for the page's live updates (ui/live.hpp).
  const ui::LiveRelay live(profile->settings().hub, profile->tls());
  std::optional<ui::LocalServer> server;
  try {
    // A send's attachments go up on a connection of their own, so the page is answered
    // meanwhile (ui/outgoing.hpp).
    ui::HubOpener hub =
        [address = profile->settings().hub,
         tls = profile->tls()]() -> protocol::Result<std::unique_ptr<client::HubTransport>> {
      auto connection = client::HubConnection::open(address, tls);
      if (!connection) {
        return connection.error();
      }
      return std::make_unique<client::HubConnection>(std::move(*connection));
    };
    server.emplace(io, vault, static_cast<std::uint16_t>(*port), &live, std::move(hub));
  } catch (const boost::system::system_error& e) {
    std::cerr << "error: cannot listen on 127.0.0.1:" << *port << ": " << e.code().message()
              << "\n  choose another --port, or leave it out for a free one\n";
    return kFailed;
  }
  server->start();
  const auto url = server->start_url();
  std::cout << "Draaischijf web inbox on 127.0.0.1:" << server->port() << "\n"
            << "Open (works once): " << url << "\n"
            << "Keys lock after " << *lock_after << " s without use; Ctrl-C stops.\n"
            << std::flush;
  if (!args.flag("no-browser")) {
    open_browser(url);
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  vault.lock();
  return kOk;
}

}  // namespace draaischijf::cli
