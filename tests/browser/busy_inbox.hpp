#pragma once

// A busy CLB onthaal inbox for the web inbox's paging test and its benchmark: many messages
// from the school through the real hub, sent by one client in this process (one connection;
// a CLI process per message would take minutes for thousands), then fetched by the CLB's
// device, which reads some of them. What arrives is what the CLI would have sent: signalen and
// consultaties about many pupils, in threads of a few messages, some read.

#include <algorithm>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include <draaischijf/client/client.hpp>
#include <draaischijf/client/inbox.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "cli_fixture.hpp"

namespace draaischijf::testing {

/// The shape of a busy inbox: message `i` (counted from 0 over every fill of one scenario) is
/// about pupil `school-leerling-(i % pupils)`, in thread `i / thread_length`; every
/// `consultatie_every`-th is a consultatie, the others signalen; the CLB reads every
/// `read_every`-th of the messages it fetches.
struct BusyInbox {
  int pupils = 400;
  int thread_length = 4;
  int consultatie_every = 5;
  int read_every = 3;
};

namespace busy_inbox_detail {

inline client::Client open_device(const Cli& cli) {
  auto profile = client::Profile::open(cli.profile());
  EXPECT_TRUE(profile) << cli.name() << ": " << profile.error().message();
  auto unlock = client::Unlock::with_key_file(cli.key_file());
  EXPECT_TRUE(unlock) << cli.name() << ": " << unlock.error().message();
  auto client = client::Client::open(profile.value(), unlock.value());
  EXPECT_TRUE(client) << cli.name() << ": " << client.error().message();
  return std::move(client.value());
}

// A thread id of its own per thread number (a zero id would mean "a fresh random thread").
inline protocol::Id thread_id(int thread) {
  protocol::Id id{};
  id[0] = 0xb5;
  for (std::size_t b = 0; b < 4; ++b) {
    id[id.size() - 1 - b] = static_cast<std::uint8_t>(static_cast<unsigned>(thread) >> (8 * b));
  }
  return id;
}

}  // namespace busy_inbox_detail

/// Sends messages `first` to `first + count - 1` of `shape` from `school` to the `onthaal`
/// mailbox (hex), then lets `clb` fetch them and read every shape.read_every-th.
inline void fill_busy_inbox(const Cli& school, const Cli& clb, const std::string& onthaal,
                            int first, int count, const BusyInbox& shape = {}) {
  using namespace busy_inbox_detail;
  const auto mailbox = protocol::hex_decode(onthaal);
  ASSERT_TRUE(mailbox && mailbox->size() == protocol::Id{}.size()) << onthaal;
  protocol::Id to{};
  std::copy(mailbox->begin(), mailbox->end(), to.begin());
  {
    auto sender = open_device(school);
    for (int i = first; i < first + count; ++i) {
      const bool consultatie = i % shape.consultatie_every == shape.consultatie_every - 1;
      const std::string text = "Bericht " + std::to_string(i) + ": leest traag, vraagt hulp.";
      client::Composition message;
      message.kind =
          consultatie ? protocol::MessageKind::consultatie : protocol::MessageKind::signaal;
      message.purpose =
          consultatie ? protocol::Purpose::consultatie : protocol::Purpose::begeleiding;
      message.recipients = {to};
      message.pupil = "school-leerling-" + std::to_string(i % shape.pupils);
      message.thread_id = thread_id(i / shape.thread_length);
      message.fragments.push_back(
          {protocol::DataCategory::leren_en_studeren, protocol::GuidanceDomain::leren_en_studeren,
           "text/plain",
           protocol::SecretBytes::copy_of(
               {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()})});
      const auto sent = sender.send(std::move(message));
      ASSERT_TRUE(sent) << "message " << i << ": " << sent.error().message();
    }
  }
  auto reader = open_device(clb);
  const auto synced = reader.inbox().sync();
  ASSERT_TRUE(synced) << synced.error().message();
  ASSERT_EQ(synced->new_messages, static_cast<std::size_t>(count));
  for (std::size_t n = 0; n < synced->arrived.size(); ++n) {
    if (n % static_cast<std::size_t>(shape.read_every) == 0) {
      const auto& entry = synced->arrived[n];
      const auto read = reader.inbox().read(entry.mailbox_id, entry.sequence);
      ASSERT_TRUE(read) << read.error().message();
    }
  }
}

}  // namespace draaischijf::testing
