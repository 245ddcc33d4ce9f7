// The screenshots of the web inbox (screenshots.browser.mjs): the real hub and CLI profiles
// with what each screen shows filled in first (signalen, a case taken on, a referral with an
// attachment the CAW received, a request waiting for the CLB-arts, the pupil's consents), then
// the pages of the CLB, the school, the CAW and the CLB-arts in Debian's chromium.
// tools/screenshots.sh runs it with DRAAISCHIJF_SCREENSHOT_DIR=docs/screenshots; without it the
// PNGs go to the test's own folder.
#include <array>
#include <cstdlib>
#include <fstream>
#include <random>

#include "approval_fixture.hpp"
#include "ui_browser_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::array kScreens = {"inbox",   "read",        "compose-refused", "compose-upload",
                                 "consent", "approvals",   "triage",          "referrals",
                                 "report",  "disclosures", "settings",        "locked"};

class UiScreenshots : public WithApprovers<UiBrowser> {
 protected:
  UiScreenshots() { script = "screenshots.browser.mjs"; }

  /// `mib` MiB of random bytes: an upload that lasts long enough to show its progress.
  fs::path random_file(const std::string& name, int mib) const {
    const auto path = dir.path() / name;
    std::mt19937_64 random(15);
    std::ofstream out(path, std::ios::binary);
    std::vector<std::uint64_t> block(1 << 17);  // 1 MiB
    for (int i = 0; i < mib; ++i) {
      std::generate(block.begin(), block.end(), random);
      out.write(reinterpret_cast<const char*>(block.data()),
                static_cast<std::streamsize>(block.size() * sizeof(block[0])));
    }
    return path;
  }

  fs::path output_folder() const {
    const char* given = std::getenv("DRAAISCHIJF_SCREENSHOT_DIR");
    const fs::path out = given != nullptr ? fs::path(given) : dir.path() / "screenshots";
    fs::create_directories(out);
    return out;
  }
};

bool is_png(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 8> head{};
  in.read(head.data(), head.size());
  return in && std::string_view(head.data(), head.size()) == "\x89PNG\r\n\x1a\n";
}

TEST_F(UiScreenshots, EveryMainScreenIsTakenFromTheRealFlow) {
  // The CLB's inbox and triage queue: the school's signalen, one urgent, one case taken on.
  school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-7", "--text",
                  "leren_en_studeren=Leest traag, vraagt hulp bij huiswerk."});
  school.json_of({"send", "signaal", "--to", onthaal, "--pupil", "school-leerling-8", "--flag",
                  "verontrusting", "--text",
                  "leren_en_studeren=Trekt zich terug, komt vaak te laat."});
  const auto cases = clb.json_of({"cases"}).as_array();
  ASSERT_FALSE(cases.empty());
  const std::string person = text_of(clb.json_of({"whoami"}), "person");
  clb.json_of({"case", "assign", text_of(cases.at(0), "case_id"), "--to", person});

  // A referral with a report attached, which the CAW took in: the CAW's read screen, the CLB's
  // referral board and the pupil's disclosures.
  const auto report = dir.path() / "verslag.pdf";
  const std::string bytes = "%PDF-1.4\n% verslag van het CLB\n%%EOF\n";
  write_file(report, view_of(bytes));
  const auto sent = clb.json_of(
      under_consent({"send", "doorverwijzing", "--to", intake, "--purpose", "doorverwijzing",
                     "--text", "psychisch_sociaal=Graag een intake; het verslag zit in bijlage.",
                     "--file", "diagnostiek=" + report.string() + "@application/pdf"}));
  caw.json_of({"referral", "status", text_of(sent, "message_id"), "received"});

  // A medical referral with its growth chart, waiting for the CLB-arts's approval.
  const auto chart = dir.path() / "groeicurve.pdf";
  write_file(chart, view_of(std::string("%PDF-1.4\n% groeicurve\n%%EOF\n")));
  worker.json_of({"approval", "request", "doorverwijzing", "--to", intake, "--purpose",
                  "doorverwijzing", "--text",
                  "preventieve_gezondheidszorg=Groeicurve wijkt af; graag verder onderzoek.",
                  "--file", "preventieve_gezondheidszorg=" + chart.string() + "@application/pdf",
                  "--consent", consent, "--pupil", std::string(kPupil)});

  const auto out = output_folder();
  browser("all",
          {{"SHOTS", out.string()},
           {"CAW_URL", start_ui(caw)},
           {"ARTS_URL", start_ui(arts)},
           {"PUPIL", std::string(kPupil)},
           {"CONSENT", referral_consent},
           {"ATTACH_FILE", random_file("scan.pdf", 48).string()}},
          true);
  for (const auto* screen : kScreens) {
    const auto png = out / ("ui-" + std::string(screen) + ".png");
    EXPECT_TRUE(fs::exists(png) && is_png(png)) << png;
  }
}

}  // namespace
}  // namespace draaischijf::testing
