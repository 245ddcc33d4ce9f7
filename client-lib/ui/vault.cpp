#include "vault.hpp"

namespace draaischijf::ui {

Vault::Vault(Opener opener, std::chrono::milliseconds idle, const protocol::Clock& clock,
             std::optional<std::filesystem::path> key_file)
    : opener_(std::move(opener)), idle_(idle), clock_(&clock), key_file_(std::move(key_file)) {}

void Vault::expire() {
  if (client_ && clock_->now_ms() - last_use_ms_ >= idle_.count()) {
    lock();
  }
}

client::Client* Vault::use() {
  expire();
  if (!client_) {
    return nullptr;
  }
  last_use_ms_ = clock_->now_ms();
  return &*client_;
}

client::Client* Vault::peek() {
  expire();
  return client_ ? &*client_ : nullptr;
}

// Every lock and unlock moves `unlocked_` on (unlock() locks first), so a number taken while a
// client was open stays valid exactly as long as that client.
void Vault::lock() noexcept {
  client_.reset();
  std::shared_ptr<client::Client> background;
  {
    const std::lock_guard guard(mutex_);
    ++unlocked_;
    topics_.clear();
    work_states_.clear();
    background = std::move(background_);
  }
  // Destroyed here (its keys wiped) unless a sync still uses it: then when that sync ends.
  background.reset();
}

Vault::Learnt Vault::learnt() { return Learnt(std::unique_lock(mutex_), topics_, work_states_); }

std::optional<Vault::Learnt> Vault::learnt_in(std::uint64_t unlocked) {
  std::unique_lock guard(mutex_);
  if (unlocked != unlocked_) {
    return std::nullopt;
  }
  return Learnt(std::move(guard), topics_, work_states_);
}

std::uint64_t Vault::unlocked() const {
  const std::lock_guard guard(mutex_);
  return unlocked_;
}

std::shared_ptr<client::Client> Vault::background(std::uint64_t unlocked) const {
  const std::lock_guard guard(mutex_);
  return unlocked == unlocked_ ? background_ : nullptr;
}

bool Vault::keep_background(std::uint64_t unlocked, std::shared_ptr<client::Client> client) {
  const std::lock_guard guard(mutex_);
  if (unlocked != unlocked_) {
    return false;
  }
  background_ = std::move(client);
  return true;
}

protocol::Result<void> Vault::unlock(std::string_view passphrase) {
  auto unlock = passphrase.empty() && key_file_
                    ? client::Unlock::with_key_file(*key_file_)
                    : protocol::Result<client::Unlock>(client::Unlock::with_passphrase(passphrase));
  if (!unlock) {
    return unlock.error();
  }
  auto opened = opener_(*unlock);
  if (!opened) {
    return opened.error();
  }
  lock();  // what the previous unlock learnt and its sync's client go first
  client_.emplace(std::move(*opened));
  last_use_ms_ = clock_->now_ms();
  return {};
}

}  // namespace draaischijf::ui
