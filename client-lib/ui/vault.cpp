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

void Vault::lock() noexcept {
  client_.reset();
  topics_.clear();
  work_states_.clear();
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
  client_.reset();
  client_.emplace(std::move(*opened));
  last_use_ms_ = clock_->now_ms();
  return {};
}

}  // namespace draaischijf::ui
