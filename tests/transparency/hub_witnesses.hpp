#pragma once

// An in-process hub and the real draaischijf-witness process configured for each other: the
// hub's key is made first so the witness can follow its logs (witness_hub_itest.cpp,
// witness_reload_itest.cpp).

#include <fcntl.h>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include <draaischijf/protocol/note.hpp>

#include "in_process_hub.hpp"
#include "witness_process.hpp"

namespace draaischijf::testing {

namespace note = protocol::note;

// The hub's key made before the hub starts (the hub takes an existing key file as its own), so
// the witness can be configured with the logs' vkeys first.
inline protocol::SigningKey hub_key_in(const std::filesystem::path& data) {
  std::filesystem::create_directories(data);
  auto key = protocol::SigningKey::generate();
  const auto seed = key.expose_seed();
  const int fd = ::open((data / "hub-signing.key").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  EXPECT_EQ(::write(fd, seed.expose().data(), seed.kSize), static_cast<ssize_t>(seed.kSize));
  ::close(fd);
  return key;
}

inline note::VerifierKey log_key(const protocol::SigningKey& hub, std::string_view log) {
  const protocol::KeyId id = protocol::key_id_of(hub.public_key());
  return {
      "draaischijf-hub/" + protocol::hex_encode(std::span(id).first(8)) + "/" + std::string(log),
      note::kEd25519, hub.public_key()};
}

class HubWitnesses : public ::testing::Test {
 protected:
  TempDir dir;
  protocol::SigningKey hub_key = hub_key_in(dir.path() / "data");
  note::VerifierKey witness_key = init_witness(
      dir.path() / "witness", "witness.test/hub",
      {{log_key(hub_key, "directory").name, note::encode_vkey(log_key(hub_key, "directory"))},
       {log_key(hub_key, "record").name, note::encode_vkey(log_key(hub_key, "record"))}});
  WitnessProcess witness{dir.path() / "witness"};

  [[nodiscard]] std::string witness_config(const std::string& url) const {
    return "[transparency]\nwitness_interval_seconds = 1\n[[witness]]\nurl = \"" + url +
           "\"\nvkey = \"" + note::encode_vkey(witness_key) + "\"\ncertificate = \"" +
           (dir.path() / "witness" / "tls.pem").string() + "\"\n";
  }
  // The log's checkpoint as the API serves it, opened with the hub's key.
  static note::OpenedCheckpoint served(DevHub& dev, const note::VerifierKey& key,
                                       std::string_view log) {
    const auto answer = dev.call("caw", get("/v1/log/" + std::string(log) + "/checkpoint"));
    EXPECT_EQ(answer.status, 200) << answer.body;
    auto opened = note::open_checkpoint(answer.body, key, key.name);
    EXPECT_TRUE(opened) << answer.body;
    return opened ? *opened : note::OpenedCheckpoint{};
  }
};

}  // namespace draaischijf::testing
