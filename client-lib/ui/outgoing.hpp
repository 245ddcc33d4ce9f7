#pragma once

// Attachments from the compose screen, and the sends that carry them, without holding up the
// server's one thread:
//
//   POST /api/uploads?name=FILE&type=MEDIA   the file's bytes as the body, kept in a private
//                                            folder (0700) until its send; 201 {"upload_id",
//                                            "size", "file_name"}; 413 attachment-too-large
//                                            beyond kMaxUploadBytes, before or while reading
//   POST /api/compose/send  with "attachments": [{"upload_id", "category"}]: the pre-check with
//                                            the files' categories first (a refusal uploads
//                                            nothing), then 202 {"job_id"}
//   POST /api/compose/request-approval  likewise with "attachments": the request for a second
//                                            approval carries the files (docs/PROTOCOL.md 7.19)
//   GET  /api/jobs/ID                        {"state": "uploading"|"sent"|"failed", "done",
//                                            "total"} (ciphertext bytes), then the send's
//                                            answer (compose.hpp) with the state beside it
//
// The encryption and upload to the hub run on a worker thread of the job's own, over a hub
// connection of its own with the device's TLS identity: an attachment's key is fresh, so the
// worker needs no device key and never touches the unlocked client. Once every file is up, the
// server's thread seals, signs and submits with the unlocked client (the job's send step:
// Outbox::send or ApprovalQueue::request with the uploaded attachments, which runs the pre-check
// again). A file is removed once its send ended,
// either way, and the folder when the server ends.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <draaischijf/client/client.hpp>
#include <draaischijf/protocol/attachment.hpp>

#include "api.hpp"
#include "vault.hpp"

namespace draaischijf::ui {

/// The largest file the page may attach: the most whose ciphertext fits the hub's default blob
/// limit (limits.max_blob_bytes, 1 GiB). A hub set lower refuses the upload with its problem.
inline constexpr std::uint64_t kMaxUploadBytes =
    protocol::attachment_plaintext_size(std::uint64_t{1} << 30);
/// Files received and waiting for their send at any time (one message carries at most this).
inline constexpr std::size_t kMaxWaitingUploads = protocol::kMaxAttachments;

/// Opens a hub connection of the job's own (the profile's address and TLS identity).
using HubOpener = std::function<protocol::Result<std::unique_ptr<client::HubTransport>>()>;

/// A file the form names: an upload's id and the data category the message sends it under.
struct ChosenFile {
  std::string upload_id;
  protocol::DataCategory category = protocol::DataCategory::verslag;
};

/// What a job does with the unlocked client once its files are up: the send, or the request for
/// a second approval; its answer is the job's outcome (200 for done).
using SendStep = std::function<Response(client::Client&, client::Composition,
                                        std::vector<client::UploadedAttachment>)>;

class Outgoing {
 public:
  /// Without `hub`, sends with attachments are refused (hub_failed).
  Outgoing(boost::asio::io_context& io, Vault& vault, HubOpener hub);
  Outgoing(const Outgoing&) = delete;
  Outgoing& operator=(const Outgoing&) = delete;
  /// Waits for running uploads, then removes every file received.
  ~Outgoing();

  /// A new file to receive an upload into and its id; nullopt when kMaxWaitingUploads wait
  /// already or no private folder could be made.
  [[nodiscard]] std::optional<std::pair<std::string, std::filesystem::path>> reserve();
  /// The file under `id` was received whole: `size` bytes, named and typed as the page said.
  void received(const std::string& id, std::string file_name, std::string media_type,
                std::uint64_t size);
  /// The file under `id` was not received whole: removed.
  void discard(const std::string& id);

  /// Starts `step` for `composition` with `files` (the pre-check passed): 202 with the job id,
  /// or upload-gone when a file is not (or no longer) here.
  [[nodiscard]] Response start(client::Composition composition, std::vector<ChosenFile> files,
                               SendStep step);
  /// GET /api/jobs/ID.
  [[nodiscard]] Response job(std::string_view id) const;

  struct Upload {
    std::filesystem::path path;
    std::string file_name;
    std::string media_type;
    std::uint64_t size = 0;
    bool complete = false;
  };
  struct Job;

 private:
  void finish(Job& job);
  void forget_finished();
  [[nodiscard]] bool ensure_folder();

  boost::asio::io_context& io_;
  Vault& vault_;
  HubOpener hub_;
  std::optional<std::filesystem::path> folder_;
  std::map<std::string, Upload, std::less<>> uploads_;
  std::map<std::string, std::unique_ptr<Job>, std::less<>> jobs_;
};

}  // namespace draaischijf::ui
