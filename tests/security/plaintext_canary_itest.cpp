// The hub never holds plaintext (docs/PROTOCOL.md 11): after a load of messages and attachments
// whose content is one unique canary, and a SIGKILL in the middle of that load (an upload half
// written, envelopes in flight, the WAL not checkpointed), no file the hub leaves behind (its
// database, WAL, blob folder, partial uploads, log) holds the canary, raw, in hex or in base64.
//
// Sealed content cannot leak through the hub: it only ever sees ciphertext. So the load also
// hands the hub the canary in the clear where a careless hub could keep it: as the body of
// requests it refuses (a malformed envelope, a JSON body). A hub that logged or kept request
// bodies (to debug a refusal, say) fails this test.

#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/encoding.hpp>

#include "dev_hub.hpp"

namespace draaischijf::testing {
namespace {

using protocol::AttachmentSealer;
using protocol::kAttachmentChunk;
using protocol::kAttachmentChunkOverhead;

// The canary's base64 as it appears inside a longer encoded text: the characters that depend on
// the canary's bytes alone, for each of the three offsets it can start at (standard and URL
// alphabets). Its hex in both cases.
std::vector<std::string> encodings_of(const std::string& canary) {
  std::vector<std::string> out{canary, hex(view_of(canary))};
  std::string upper = out.back();
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  out.push_back(upper);
  for (std::size_t shift = 0; shift < 3; ++shift) {
    const std::string shifted = std::string(shift, '\0') + canary;
    const auto encoded = protocol::base64_encode(view_of(shifted));
    const std::size_t first = (8 * shift + 5) / 6;            // first whole canary sextet
    const std::size_t end = 8 * (shift + canary.size()) / 6;  // past the last whole one
    std::string standard = encoded.substr(first, end - first);
    out.push_back(standard);
    for (char& c : standard) {
      c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    out.push_back(standard);
  }
  return out;
}

// Which of `needles` the bytes hold ("" when none).
std::string found_in(const std::vector<std::uint8_t>& bytes,
                     const std::vector<std::string>& needles) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  for (const auto& needle : needles) {
    if (text.find(needle) != std::string_view::npos) {
      return needle;
    }
  }
  return {};
}

// A file of repeated canaries sealed as an attachment blob (7.11), in one piece.
std::string sealed_blob(const std::string& canary) {
  std::string plain;
  while (plain.size() < kAttachmentChunk + 1000) {
    plain += canary + "\n";
  }
  auto sealer = AttachmentSealer::start();
  std::string blob;
  for (std::size_t at = 0; at < plain.size(); at += kAttachmentChunk) {
    const auto chunk = view_of(plain).subspan(at, std::min(kAttachmentChunk, plain.size() - at));
    std::vector<std::uint8_t> out(chunk.size() + kAttachmentChunkOverhead);
    sealer.seal_chunk(chunk, at + chunk.size() == plain.size(), out);
    blob.append(out.begin(), out.end());
  }
  return blob;
}

bool partial_upload_on_disk(const std::filesystem::path& data) {
  // The hub creates and renames files meanwhile: a file gone since the listing is not an error.
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(data, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_error;
    if (it->path().extension() == ".part" && it->file_size(size_error) > 0 && !size_error) {
      return true;
    }
  }
  return false;
}

TEST(PlaintextCanaryTest, TheNeedlesFindTheCanaryInEveryEncoding) {
  const std::string canary = "CANARY-" + hex(protocol::random_id());
  const auto needles = encodings_of(canary);
  for (std::size_t shift = 0; shift < 3; ++shift) {
    const std::string text = std::string(shift + 1, 'x') + canary + "tail";
    EXPECT_NE(found_in(bytes_of(protocol::base64_encode(view_of(text))), needles), "") << shift;
    std::string url = protocol::base64_encode(view_of(text));
    for (char& c : url) {
      c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    EXPECT_NE(found_in(bytes_of(url), needles), "") << shift;
  }
  EXPECT_NE(found_in(bytes_of("\"" + hex(view_of(canary)) + "\""), needles), "");
  EXPECT_NE(found_in(bytes_of("x" + canary + "y"), needles), "");
  EXPECT_EQ(found_in(bytes_of(std::string(canary).replace(7, 1, "#")), needles), "");
}

TEST(PlaintextCanaryTest, NoFileOrLogHoldsTheCanaryAfterAKillInTheMiddleOfTheLoad) {
  const std::string canary = "CANARY-" + hex(protocol::random_id());
  TempDir dir;
  // Debug logging: even the most talkative level must not write content.
  DevHub hub(dir.path(), "[log]\nlevel = \"debug\"\n");
  const auto data = dir.path() / "data";
  const auto intake = hub.epoch_of(hub.mailbox_of("caw"));
  (void)hub.pupil_consent();  // registered now, before the load thread seals under it

  // The canary in the clear, in bodies the hub refuses: a malformed envelope and a JSON body.
  const auto bad_envelope = hub.call("clb", post("/v1/envelopes", "DRSJ\x03\x01" + canary));
  EXPECT_EQ(bad_envelope.status, 400) << bad_envelope.body;
  EXPECT_NE(bad_envelope.body.find("malformed-envelope"), std::string::npos) << bad_envelope.body;
  const auto bad_consent = hub.call(
      "clb", post("/v1/consents", "{\"note\":\"" + canary + "\",\"pupil\":\"" + canary + "\"}"));
  EXPECT_GE(bad_consent.status, 400) << bad_consent.body;
  EXPECT_LT(bad_consent.status, 500) << bad_consent.body;

  // An attachment of canaries, stored whole and granted by an admitted envelope.
  const auto blob = sealed_blob(canary);
  const auto blob_id = protocol::random_id();
  ASSERT_EQ(hub.call("clb", put_blob("/v1/blobs/" + hex(blob_id), blob)).status, 201);
  auto draft =
      DevHub::draft_under(hub.pupil_consent(), canary, protocol::MessageKind::doorverwijzing);
  attach_blob(draft, blob_id);
  const auto with_blob =
      hub.call("clb", post("/v1/envelopes", text_of(hub.seal_draft("clb", draft, {intake}))));
  ASSERT_EQ(with_blob.status, 201) << with_blob.body;

  // The load: envelopes with the canary as their content, sealed beforehand (sealing asks the
  // hub for the device's certificate, and the hub is about to go), sent one after the other
  // until the hub is gone.
  const auto device = hub.keys("clb");
  const auto certificate = hub.certificate_of("clb");
  const protocol::MailboxEpochCertificate to[] = {intake};
  std::vector<std::vector<std::uint8_t>> envelopes;
  for (std::uint64_t sequence = 1000; envelopes.size() < 200; ++sequence) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    const auto canary_draft =
        DevHub::draft_under(hub.pupil_consent(), canary, protocol::MessageKind::doorverwijzing);
    envelopes.push_back(protocol::seal(canary_draft, {certificate, device.signing, sequence}, to,
                                       static_cast<std::uint64_t>(now.count()))
                            .value());
  }
  std::atomic<int> accepted{0};
  std::thread load([&] {
    for (const auto& envelope : envelopes) {
      const auto answer = hub.client("clb")->exchange(post("/v1/envelopes", text_of(envelope)));
      if (!answer || answer->status != 201) {
        return;  // the hub was killed (or refused: the count below then stays short)
      }
      ++accepted;
    }
  });

  // Meanwhile an upload that stops half-way: the hub has its first chunk on disk as a partial
  // file when it is killed.
  const auto half = blob.substr(0, kAttachmentChunk + kAttachmentChunkOverhead);
  auto uploader = hub.client("clb");
  ASSERT_TRUE(uploader->send("PUT /v1/blobs/" + hex(protocol::random_id()) +
                             " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                             "Content-Length: " +
                             std::to_string(blob.size()) + "\r\n\r\n" + half));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((accepted < 5 || !partial_upload_on_disk(data)) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(accepted, 5) << "the load did not get going";
  EXPECT_TRUE(partial_upload_on_disk(data)) << "the half-sent upload is not on disk";
  hub.process().send_signal(SIGKILL);
  load.join();

  bool wal = false;
  std::size_t blobs = 0;
  const auto needles = encodings_of(canary);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) {
      continue;
    }
    const auto name = entry.path().filename().string();
    wal = wal || (name.ends_with("-wal") && entry.file_size() > 0);
    blobs += entry.file_size() == blob.size() ? 1U : 0U;
    EXPECT_EQ(found_in(read_file(entry.path()), needles), "") << entry.path();
  }
  // What was searched: the WAL the kill left, the stored blob, and a log that wrote something.
  EXPECT_TRUE(wal) << "the WAL should still be there after a kill";
  EXPECT_EQ(blobs, 1U) << "the stored blob should be in the blob folder";
  EXPECT_NE(hub.process().log_text().find("\"event\":\"listening\""), std::string::npos);
}

}  // namespace
}  // namespace draaischijf::testing
