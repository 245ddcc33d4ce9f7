#pragma once

// The scenario tests' world: the real hub process with its embedded development deployment on
// 127.0.0.1, and people working with the draaischijf CLI, each step a separate process with its
// own profile, as people would run it. The school, CLB and CAW staff devices and the CAW admin
// come from the deployment; more devices are enrolled as an organisation would do it.

#include <chrono>
#include <fcntl.h>
#include <map>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "eventually.hpp"
#include "hub_process.hpp"
#include "process.hpp"

namespace draaischijf::testing {

/// Stops a program start_program() started: SIGTERM, then waits for it to exit (eventually()).
/// Returns its exit code, or -1 when it did not stop.
inline int stop_program(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  if (!eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; })) {
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The JSON objects a --json follower wrote so far, one per line.
inline std::vector<boost::json::value> json_lines(const std::filesystem::path& path) {
  std::vector<boost::json::value> out;
  std::istringstream text(slurp(path));
  for (std::string line; std::getline(text, line);) {
    out.push_back(boost::json::parse(line));
  }
  return out;
}

inline std::string text_of(const boost::json::value& v, std::string_view key) {
  return std::string(v.as_object().at(key).as_string());
}

/// One person's device: a profile folder and the key file that opens its key store.
class Cli {
 public:
  Cli(std::filesystem::path dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {}

  ProcessResult operator()(std::vector<std::string> words) const {
    return run_program(dir_, argv_of(std::move(words)));
  }
  /// Starts the CLI without waiting; its output goes to <name>.<tag>.out and .err.
  pid_t start(std::vector<std::string> words, const std::string& tag) const {
    return start_program(argv_of(std::move(words)), output(tag, "out"), output(tag, "err"));
  }
  /// What a started CLI wrote so far.
  [[nodiscard]] std::filesystem::path output(const std::string& tag,
                                             const std::string& stream) const {
    return dir_ / (name_ + "." + tag + "." + stream);
  }
  /// As operator(), expecting success and JSON output.
  boost::json::value json_of(std::vector<std::string> words) const {
    words.insert(words.begin(), "--json");
    const ProcessResult r = (*this)(words);
    EXPECT_EQ(r.exit, 0) << name_ << ": " << r.err;
    boost::system::error_code ec;
    auto value = boost::json::parse(r.out, ec);
    EXPECT_FALSE(ec) << r.out;
    return value;
  }
  [[nodiscard]] std::filesystem::path profile() const { return dir_ / name_; }
  /// The file that opens the profile's key store.
  [[nodiscard]] std::filesystem::path key_file() const { return dir_ / (name_ + ".key"); }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  [[nodiscard]] std::vector<std::string> argv_of(std::vector<std::string> words) const {
    std::vector<std::string> argv = {DRAAISCHIJF_CLI_BINARY, "--profile", profile().string(),
                                     "--key-file", key_file().string()};
    argv.insert(argv.end(), words.begin(), words.end());
    return argv;
  }

  std::filesystem::path dir_;
  std::string name_;
};

/// A device whose keys were made on it and certified by its organisation's authority, waiting
/// for its organisation admin to compare the fingerprint and approve it.
struct CertifiedDevice {
  std::string device_id;
  std::string fingerprint;
  std::filesystem::path issued;  // the folder the operator's pki command wrote to
};

class CliScenario : public ::testing::Test {
 protected:
  /// The pupil the scenarios are about: the CLB's own dossier reference for them (the client
  /// derives the pseudonym the hub sees).
  static constexpr std::string_view kPupil = "CLB-2016-0042";

  void SetUp() override {
    pki = dir.path() / "data" / "dev-pki";
    restart_hub();  // now that the caw device's id exists, it may read /metrics
    for (const auto& [cli, folder] :
         {std::pair{&school, "school"}, std::pair{&clb, "clb"}, std::pair{&caw, "caw"},
          std::pair{&caw_admin, "caw/admin"}, std::pair{&clb_admin, "clb/admin"}}) {
      const ProcessResult r =
          (*cli)({"init", "--from-dev", (pki / folder).string(), "--hub", hub_address()});
      ASSERT_EQ(r.exit, 0) << r.err;
    }
    // Organisation ids and mailboxes from the directory, as a user would look them up.
    const auto directory = school.json_of({"directory"});
    for (const auto& org : directory.as_array()) {
      orgs[text_of(org, "type")] = text_of(org, "org_id");
      EXPECT_TRUE(org.as_object().at("trusted").as_bool());
    }
    onthaal = text_of(school.json_of({"directory", orgs["clb"]}).as_array().at(0), "mailbox_id");
    intake = text_of(clb.json_of({"directory", orgs["caw"]}).as_array().at(0), "mailbox_id");
  }

  std::string config(std::uint16_t port) const {
    std::string metrics;  // /metrics is operator-only: the caw device reads it for the tests
    const auto ids_file = dir.path() / "data" / "dev-pki" / "caw" / "id.txt";
    if (std::filesystem::exists(ids_file)) {
      const auto bytes = read_file(ids_file);
      const std::string ids(bytes.begin(), bytes.end());
      metrics = "metrics_devices = [\"" + ids.substr(ids.find("device ") + 7, 32) + "\"]\n";
    }
    return "[server]\nlisten_port = " + std::to_string(port) + "\ndata_dir = \"" +
           (dir.path() / "data").string() + "\"\n" + metrics;
  }
  std::string hub_address() const { return "localhost:" + std::to_string(hub->port()); }
  void restart_hub() {
    const auto port = hub->port();
    ASSERT_EQ(hub->terminate(), 0);
    hub = std::make_unique<HubProcess>(dir.path(), config(port));
  }
  /// Devices listening on the hub's notification stream, as its metrics count them.
  int stream_subscribers() const {
    TlsClient client(hub->port(), pki / "root.pem", pki / "caw" / "device.pem",
                     pki / "caw" / "device.key");
    const auto metrics = client.exchange(get("/metrics")).value_or(HttpResponse{}).body;
    constexpr std::string_view kName = "\ndraaischijf_stream_subscribers ";
    const auto at = metrics.find(kName);
    return at == std::string::npos ? -1 : std::atoi(metrics.c_str() + at + kName.size());
  }
  /// Waits for `count` stream subscribers (eventually()); whether they came.
  bool wait_for_subscribers(int count) const {
    return eventually([&] { return stream_subscribers() == count; });
  }
  /// The inbox of `cli` after fetching, as JSON.
  boost::json::array inbox(const Cli& cli, bool all = false) {
    auto value = all ? cli.json_of({"inbox", "--all"}) : cli.json_of({"inbox"});
    return value.as_object().at("messages").as_array();
  }

  /// A consent the CLB registers with the CLI for kPupil; its id. `age` decides who may give
  /// it (the parents below 12, the pupil from 12).
  std::string register_consent(const std::string& giver, int age, const std::string& categories,
                               const std::string& purposes, const std::string& to_type = "caw") {
    const auto registered = clb.json_of(
        {"consent", "register", "--pupil", std::string(kPupil), "--giver", giver, "--capacity",
         giver == "ouders" ? "moeder" : "leerling", "--age", std::to_string(age), "--to-type",
         to_type, "--categories", categories, "--purposes", purposes, "--from", "2024-09-01"});
    return text_of(registered, "consent_id");
  }

  /// `words` sent under the parents' consent for the referral of a 10-year-old to the CAW
  /// (registered once): without it the policy refuses anything the CLB sends the CAW (R06).
  std::vector<std::string> under_consent(std::vector<std::string> words) {
    if (referral_consent.empty()) {
      referral_consent = register_consent("ouders", 10, "psychisch_sociaal,diagnostiek,contact",
                                          "begeleiding,doorverwijzing,consultatie,terugkoppeling");
    }
    words.insert(words.end(), {"--consent", referral_consent, "--pupil", std::string(kPupil)});
    return words;
  }

  /// Enrolment up to the admin's approval: the device makes its keys, the operator certifies
  /// its request, the device asks to be enrolled and shows its fingerprint.
  /// `org_id`: of an organisation not in the deployment (default: the deployment's of the type);
  /// `claimed_person`: the staff id the device says it belongs to (enrol finish --person).
  CertifiedDevice certify(const Cli& device, const std::string& org_type, const std::string& role,
                          std::string org_id = {}, const std::string& claimed_person = {}) {
    if (org_id.empty()) {
      org_id = orgs[org_type];
    }
    const auto started =
        device.json_of({"enrol", "start", "--hub", hub_address(), "--ca",
                        (pki / "root.pem").string(), "--trust", (pki / "trust.txt").string(),
                        "--hub-key", (dir.path() / "data" / "hub-signing.pub").string(),
                        "--policy-key", (pki / "policy-signing.pub").string(), "--org", org_id,
                        "--org-type", org_type, "--role", role});
    CertifiedDevice out{
        text_of(started, "device_id"), {}, dir.path() / ("issued-" + device.name())};
    const ProcessResult operator_run = run_program(
        dir.path(),
        {DRAAISCHIJF_HUB_BINARY, "pki", "device", "--dir", pki.string(), "--org-id", org_id,
         "--org-type", org_type, "--role", role, "--device-id", out.device_id, "--csr",
         text_of(started, "certificate_request"), "--out", out.issued.string()});
    EXPECT_EQ(operator_run.exit, 0) << operator_run.err;
    std::vector<std::string> finish = {"enrol", "finish", "--certificate",
                                       (out.issued / "device.pem").string()};
    if (!claimed_person.empty()) {
      finish.insert(finish.end(), {"--person", claimed_person});
    }
    const auto finished = device.json_of(finish);
    out.fingerprint = text_of(finished, "fingerprint");
    return out;
  }

  /// A further staff device of `org_type`, enrolled and approved by that organisation's admin
  /// for `person` (a staff id the admin lists) or, when empty, a new person.
  Cli enrolled(const std::string& name, const std::string& org_type, const std::string& role,
               const Cli& admin, const std::string& person = {}) {
    Cli device{dir.path(), name};
    const auto certified = certify(device, org_type, role);
    std::vector<std::string> words = {"admin", "approve", certified.device_id, "--fingerprint",
                                      certified.fingerprint};
    if (person.empty()) {
      words.emplace_back("--new-person");
    } else {
      words.insert(words.end(), {"--person", person});
    }
    const ProcessResult approved = admin(words);
    EXPECT_EQ(approved.exit, 0) << approved.err;
    return device;
  }

  TempDir dir;
  std::unique_ptr<HubProcess> hub = std::make_unique<HubProcess>(dir.path(), config(0));
  std::filesystem::path pki;
  Cli school{dir.path(), "school"};
  Cli clb{dir.path(), "clb"};
  Cli caw{dir.path(), "caw"};
  Cli caw_admin{dir.path(), "caw-admin"};
  Cli clb_admin{dir.path(), "clb-admin"};
  std::map<std::string, std::string> orgs;
  std::string onthaal;
  std::string intake;
  std::string referral_consent;
};

}  // namespace draaischijf::testing
