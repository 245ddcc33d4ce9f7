// Attachments in the web inbox in a real browser (attach.browser.mjs): the CLB's page sends a
// referral with a file, the program encrypts and uploads it on a worker while the page shows the
// progress and is still answered, and the CAW's page downloads the very bytes (streamed from the
// verified file: the program's peak memory does not grow by the file's size); a blob the hub
// altered on its disk is refused at download, visibly. The real hub and CLI profiles
// (CliScenario), the `draaischijf ui` processes and Debian's chromium.
#include <cstdlib>
#include <fstream>
#include <random>

#include <draaischijf/protocol/attachment.hpp>

#include "ui_browser_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;

class UiAttachBrowser : public UiBrowser {
 protected:
  void SetUp() override {
    UiBrowser::SetUp();
    script = "attach.browser.mjs";
  }

  /// The hub's blob files (data/blobs), as the hub keeps them.
  std::vector<fs::path> blob_files() const {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir.path() / "data" / "blobs")) {
      if (entry.is_regular_file()) {
        out.push_back(entry.path());
      }
    }
    return out;
  }
};

TEST_F(UiAttachBrowser, TheClbRefersWithAnAttachmentAndTheCawDownloadsTheSameBytes) {
  // Large enough that encrypting and uploading it takes a while: the page is answered meanwhile
  // and shows the progress in steps.
  const auto file = dir.path() / "verslag.pdf";
  {
    std::mt19937_64 random(15);
    std::ofstream out(file, std::ios::binary);
    std::vector<std::uint64_t> block(1 << 16);
    for (int i = 0; i < 96; ++i) {  // 48 MiB
      std::generate(block.begin(), block.end(), random);
      out.write(reinterpret_cast<const char*>(block.data()),
                static_cast<std::streamsize>(block.size() * sizeof(block[0])));
    }
  }
  const auto consent =
      register_consent("ouders", 10, "psychisch_sociaal,diagnostiek,contact", "doorverwijzing");
  // The CAW's program runs without AddressSanitizer's quarantine of freed memory (256 MiB by
  // default), which would count every chunk the download passed through as growth of its peak
  // memory; a build without sanitizers has none. The test asserts that peak (attach.browser.mjs).
  const char* sanitizer = std::getenv("ASAN_OPTIONS");
  const std::string kept = sanitizer != nullptr ? sanitizer : "";
  ::setenv("ASAN_OPTIONS", (kept + (kept.empty() ? "" : ":") + "quarantine_size_mb=0").c_str(), 1);
  const auto caw_url = start_ui(caw);
  if (sanitizer != nullptr) {
    ::setenv("ASAN_OPTIONS", kept.c_str(), 1);
  } else {
    ::unsetenv("ASAN_OPTIONS");
  }
  browser("attach", {{"ATTACH_FILE", file.string()},
                     {"CAW_URL", caw_url},
                     {"CAW_PID", std::to_string(started.back().first)},
                     {"PUPIL", std::string(kPupil)},
                     {"CONSENT", consent}});
  // One blob went up, of the file's encrypted size: nothing was uploaded for the refused draft.
  const auto blobs = blob_files();
  ASSERT_EQ(blobs.size(), 1U);
  EXPECT_EQ(fs::file_size(blobs[0]), protocol::attachment_ciphertext_size(fs::file_size(file)));
}

TEST_F(UiAttachBrowser, AnAttachmentTheHubAlteredIsRefusedAtDownloadWithAVisibleError) {
  const auto pdf = dir.path() / "verslag.pdf";
  const std::string bytes = "%PDF-1.4\n% een verslag dat de hub niet mag wijzigen\n%%EOF\n";
  write_file(pdf, view_of(bytes));
  clb.json_of(under_consent({"send", "doorverwijzing", "--to", intake, "--purpose",
                             "doorverwijzing", "--text", "psychisch_sociaal=Zie verslag.", "--file",
                             "diagnostiek=" + pdf.string() + "@application/pdf"}));
  // One byte of the stored ciphertext changed, the size kept: what a hub (or its disk) could do.
  const auto blobs = blob_files();
  ASSERT_EQ(blobs.size(), 1U);
  {
    std::fstream blob(blobs[0], std::ios::in | std::ios::out | std::ios::binary);
    blob.seekg(40);
    char byte = 0;
    blob.get(byte);
    blob.seekp(40);
    blob.put(static_cast<char>(byte ^ 0x01));
  }
  browser("tampered", {}, false, &caw);
}

}  // namespace
}  // namespace draaischijf::testing
