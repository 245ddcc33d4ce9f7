#include "outgoing.hpp"

#include <stdlib.h>

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/keys.hpp>

#include "compose.hpp"

namespace draaischijf::ui {

namespace json = boost::json;

/// One send with attachments. The worker thread reads `files` and writes `uploaded`, `error`
/// and `problem`, then hands the job back to the server's thread (asio::post), which alone
/// touches `composition`, `outcome` and the client; `done` and `state` are read by both.
struct Outgoing::Job {
  enum class State : int { uploading, sent, failed };

  client::Composition composition;
  SendStep step;
  std::vector<std::pair<Upload, protocol::DataCategory>> files;
  std::uint64_t total = 0;  // ciphertext bytes of every file
  std::atomic<std::uint64_t> done{0};
  std::atomic<State> state{State::uploading};
  std::vector<client::UploadedAttachment> uploaded;
  boost::system::error_code error;
  client::HubProblem problem;
  std::optional<Response> outcome;
  std::thread worker;
};

namespace {

std::string_view state_name(int state) {
  constexpr std::string_view kNames[] = {"uploading", "sent", "failed"};
  return kNames[state];
}

// Encrypts and uploads every file of `job` over a connection of its own, in order; stops at
// the first failure. Runs on the job's worker thread.
void upload_all(Outgoing::Job& job, const HubOpener& open) {
  auto hub = open();
  if (!hub) {
    job.error = hub.error();
    return;
  }
  for (const auto& [file, category] : job.files) {
    const std::uint64_t before = job.done.load();
    const client::ProgressCallback progress = [&job, before](const client::TransferProgress& p) {
      job.done.store(before + p.done);
    };
    auto uploaded = client::upload_attachment(
        **hub, {category, file.path, file.media_type, file.file_name}, progress, &job.problem);
    if (!uploaded) {
      job.error = uploaded.error();
      return;
    }
    job.done.store(before + uploaded->descriptor.ciphertext_size);
    job.uploaded.push_back(std::move(*uploaded));
  }
}

}  // namespace

Outgoing::Outgoing(boost::asio::io_context& io, Vault& vault, HubOpener hub)
    : io_(io), vault_(vault), hub_(std::move(hub)) {}

Outgoing::~Outgoing() {
  for (auto& [id, job] : jobs_) {
    if (job->worker.joinable()) {
      job->worker.join();
    }
  }
  if (folder_) {
    std::error_code ignored;
    std::filesystem::remove_all(*folder_, ignored);
  }
}

bool Outgoing::ensure_folder() {
  if (folder_) {
    return true;
  }
  // mkdtemp makes it 0700: the files the person attached are not readable by other users.
  std::string folder =
      (std::filesystem::temp_directory_path() / "draaischijf-ui-up-XXXXXX").string();
  if (::mkdtemp(folder.data()) == nullptr) {
    return false;
  }
  folder_ = folder;
  return true;
}

std::optional<std::pair<std::string, std::filesystem::path>> Outgoing::reserve() {
  if (uploads_.size() >= kMaxWaitingUploads || !ensure_folder()) {
    return std::nullopt;
  }
  const auto id = protocol::hex_encode(protocol::random_id());
  auto path = *folder_ / id;
  uploads_.emplace(id, Upload{path, {}, {}, 0, false});
  return std::pair{id, path};
}

void Outgoing::received(const std::string& id, std::string file_name, std::string media_type,
                        std::uint64_t size) {
  if (const auto at = uploads_.find(id); at != uploads_.end()) {
    at->second = Upload{at->second.path, std::move(file_name), std::move(media_type), size, true};
  }
}

void Outgoing::discard(const std::string& id) {
  if (const auto at = uploads_.find(id); at != uploads_.end()) {
    std::error_code ignored;
    std::filesystem::remove(at->second.path, ignored);
    uploads_.erase(at);
  }
}

Response Outgoing::start(client::Composition composition, std::vector<ChosenFile> files,
                         SendStep step) {
  if (!hub_) {
    return problem_response(Problem::hub_failed, "this server sends no attachments");
  }
  auto job = std::make_unique<Job>();
  for (const auto& chosen : files) {
    const auto at = uploads_.find(chosen.upload_id);
    if (at == uploads_.end() || !at->second.complete) {
      return problem_response(Problem::upload_gone, "upload " + chosen.upload_id);
    }
    job->total += protocol::attachment_ciphertext_size(at->second.size);
    job->files.emplace_back(at->second, chosen.category);
  }
  // The job owns the files from here: the same file cannot go out with two sends.
  for (const auto& chosen : files) {
    uploads_.erase(chosen.upload_id);
  }
  job->composition = std::move(composition);
  job->step = std::move(step);
  forget_finished();
  const auto id = protocol::hex_encode(protocol::random_id());
  auto& running = *jobs_.emplace(id, std::move(job)).first->second;
  running.worker = std::thread([this, &running] {
    upload_all(running, hub_);
    boost::asio::post(io_, [this, &running] { finish(running); });
  });
  return json_response(202, json::object{{"job_id", id}, {"total", running.total}});
}

// On the server's thread, once the worker uploaded every file or failed: the send itself.
void Outgoing::finish(Job& job) {
  job.worker.join();
  for (const auto& file : job.files) {
    std::error_code ignored;
    std::filesystem::remove(file.first.path, ignored);
  }
  client::Client* client = vault_.peek();
  if (job.error) {
    const bool refused = job.error == client::client_errc::hub_refused;
    job.outcome = problem_response(Problem::hub_failed,
                                   job.error.message() + (refused ? ": " + job.problem.title : ""));
  } else if (client == nullptr) {
    job.outcome = problem_response(Problem::locked,
                                   "the attachments went up, but nothing was sent: unlock and "
                                   "send again");
  } else {
    job.outcome = job.step(*client, std::move(job.composition), std::move(job.uploaded));
  }
  job.state = job.outcome->result_int() == 200 ? Job::State::sent : Job::State::failed;
}

// Keeps the last few finished jobs for the page to read their outcome; older ones go.
void Outgoing::forget_finished() {
  constexpr std::size_t kKept = 16;
  std::size_t finished = 0;
  for (auto at = jobs_.begin(); at != jobs_.end();) {
    const bool over = at->second->state != Job::State::uploading && ++finished > kKept;
    at = over ? jobs_.erase(at) : std::next(at);
  }
}

Response Outgoing::job(std::string_view id) const {
  const auto at = jobs_.find(id);
  if (at == jobs_.end()) {
    return problem_response(Problem::not_found, "no such send");
  }
  const auto& job = *at->second;
  const auto state = job.state.load();
  json::object progress{{"state", state_name(static_cast<int>(state))},
                        {"done", job.done.load()},
                        {"total", job.total}};
  if (state == Job::State::uploading || !job.outcome) {
    return json_response(200, progress);
  }
  auto body = json::parse(job.outcome->body()).as_object();
  for (const auto& entry : progress) {
    body[entry.key()] = entry.value();
  }
  return json_response(job.outcome->result_int(), body);
}

}  // namespace draaischijf::ui
