#pragma once

// A real hub process running the embedded development deployment, and the demo organisations'
// keys as the CLI would use them: devices that seal with their real end-to-end keys to the real
// mailboxes in the hub's directory, and open what they fetch.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/protocol/admin_action.hpp>
#include <draaischijf/protocol/attachment.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/server/admin/dev_deployment.hpp>

#include "hub_process.hpp"
#include "test_consent.hpp"

namespace draaischijf::testing {

inline std::string text_of(const std::vector<std::uint8_t>& bytes) {
  return {bytes.begin(), bytes.end()};
}

inline std::vector<std::uint8_t> b64(const boost::json::value& v) {
  return protocol::base64_decode(std::string(v.as_string())).value();
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed_hex(std::string_view text) {
  const auto bytes = protocol::hex_decode(text).value();
  std::array<std::uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

inline std::string hex(std::span<const std::uint8_t> bytes) { return protocol::hex_encode(bytes); }

/// Adds to `draft` a descriptor for the uploaded blob `blob`, with the reference fragment that
/// gives it the draft's first category (so the labels the policy judges stay the text's): the
/// sealer then lists the blob in the outer labels. The hub never sees the key, so any will do.
inline void attach_blob(protocol::Draft& draft, const protocol::Id& blob) {
  protocol::AttachmentDescriptor a;
  a.id = blob;
  a.key = protocol::SecretKey<32>::random();
  a.media_type = "application/pdf";
  a.file_name = "verslag.pdf";
  draft.fragments.push_back({draft.fragments.at(0).category, protocol::GuidanceDomain::none,
                             std::string(protocol::kAttachmentReferenceMediaType),
                             protocol::SecretBytes::copy_of(blob)});
  draft.attachments.push_back(std::move(a));
}

/// A PUT of `body` to `target` on a connection that closes after it.
inline std::string put_blob(const std::string& target, const std::string& body) {
  return "PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// The [server] line that lets the devices in these dev-pki folders read /metrics (their ids,
/// from id.txt, exist only once the development deployment has been made).
inline std::string metrics_devices_line(const std::vector<std::filesystem::path>& folders) {
  std::string line = "metrics_devices = [";
  for (const auto& folder : folders) {
    const auto bytes = read_file(folder / "id.txt");
    const std::string text(bytes.begin(), bytes.end());
    const auto at = text.find("device ");
    line += (line.back() == '[' ? "\"" : ", \"") + text.substr(at + 7, 32) + "\"";
  }
  return line + "]\n";
}

class DevHub {
 public:
  /// `extra_config` is appended to [server] listen_port = 0 / data_dir (may open new tables).
  explicit DevHub(const std::filesystem::path& dir, const std::string& extra_config = "")
      : dir_(dir), extra_config_(extra_config) {
    process_ = std::make_unique<HubProcess>(dir, base_config() + extra_config);
    pki = dir / "data" / "dev-pki";
  }

  /// Talks to a hub already serving on `port` with the development deployment in `pki_dir`
  /// (one a test runs in-process, with a clock of its own).
  DevHub(std::uint16_t port, const std::filesystem::path& pki_dir)
      : pki(pki_dir), attached_port_(port) {}

  /// Stops the hub and starts it again on the same data, with `server_lines` added to its
  /// [server] table (metrics_devices_line(...), say).
  void restart(const std::string& server_lines) {
    EXPECT_EQ(process_->terminate(), 0);
    process_.reset();
    process_ = std::make_unique<HubProcess>(dir_, base_config() + server_lines + extra_config_);
  }

  [[nodiscard]] HubProcess& process() { return *process_; }
  [[nodiscard]] std::uint16_t port() const { return process_ ? process_->port() : attached_port_; }

  /// The staff device of an organisation ("clb", "school", "caw"), or its admin device.
  [[nodiscard]] std::filesystem::path device_folder(const std::string& slug,
                                                    bool admin = false) const {
    return admin ? pki / slug / "admin" : pki / slug;
  }
  [[nodiscard]] std::unique_ptr<TlsClient> client(const std::string& slug, bool admin = false) {
    const auto folder = device_folder(slug, admin);
    return std::make_unique<TlsClient>(port(), pki / "root.pem", folder / "device.pem",
                                       folder / "device.key");
  }
  [[nodiscard]] server::DevDeviceKeys keys(const std::string& slug, bool admin = false) const {
    return server::load_dev_device_keys(device_folder(slug, admin));
  }
  [[nodiscard]] server::DevOrganisationKey organisation_key(const std::string& slug) const {
    return server::load_dev_organisation_key(pki / slug);
  }
  [[nodiscard]] protocol::Id org_id(const std::string& slug) const {
    return organisation_key(slug).org_id;
  }

  /// One request on a fresh connection; fails the test when there is no HTTP answer.
  HttpResponse call(const std::string& slug, const std::string& request, bool admin = false) {
    auto response = client(slug, admin)->exchange(request);
    EXPECT_TRUE(response) << "no answer to " << request.substr(0, request.find('\r'));
    return response.value_or(HttpResponse{});
  }
  /// The statement the admin client of `slug` signs for `action` on `target` with `body`:
  /// now, with a fresh nonce (docs/PROTOCOL.md 7.13).
  [[nodiscard]] protocol::AdminStatement admin_statement(const std::string& slug,
                                                         protocol::AdminAction action,
                                                         const protocol::Id& target,
                                                         const std::string& body = "") const {
    protocol::AdminStatement statement;
    statement.org_id = org_id(slug);
    statement.action = action;
    statement.target = target;
    statement.body_hash = protocol::admin_body_hash(view_of(body));
    statement.at_ms =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    statement.nonce = protocol::random_id();
    return statement;
  }
  /// `path` with the query that carries `statement` signed by `key`.
  [[nodiscard]] static std::string signed_path(const std::string& path,
                                               const protocol::AdminStatement& statement,
                                               const protocol::SigningKey& key) {
    return path + "?admin_at=" + std::to_string(statement.at_ms) +
           "&admin_nonce=" + hex(statement.nonce) +
           "&admin_signature=" + hex(protocol::sign_admin_action(statement, key));
  }
  /// An admin change (`action` on `target`, POSTing `body`) by the admin device of `slug`,
  /// signed with the organisation key as the admin client signs it.
  HttpResponse admin_call(const std::string& slug, protocol::AdminAction action,
                          const protocol::Id& target, const std::string& path,
                          const std::string& body = "") {
    const auto statement = admin_statement(slug, action, target, body);
    return call(slug, post(signed_path(path, statement, organisation_key(slug).signing), body),
                true);
  }
  /// The admin device of `slug` rotates `mailbox` (hex id) with `body`, signed likewise.
  HttpResponse rotate_mailbox(const std::string& slug, const std::string& mailbox,
                              const std::string& body) {
    return admin_call(slug, protocol::AdminAction::rotate_mailbox, fixed_hex<16>(mailbox),
                      "/v1/mailboxes/" + mailbox + "/epochs", body);
  }
  /// The admin device of `slug` removes a device, signed with the organisation key.
  HttpResponse remove_device(const std::string& slug, const protocol::Id& device_id) {
    return admin_call(slug, protocol::AdminAction::remove_device, device_id,
                      "/v1/devices/" + hex(device_id) + "/remove");
  }

  boost::json::object json(const std::string& slug, const std::string& request,
                           bool admin = false) {
    const auto response = call(slug, request, admin);
    EXPECT_LT(response.status, 300) << response.body;
    boost::system::error_code ec;
    auto value = boost::json::parse(response.body, ec);
    return !ec && value.is_object() ? value.as_object() : boost::json::object{};
  }

  /// The organisation's (first) mailbox as the directory serves it.
  [[nodiscard]] boost::json::object mailbox_of(const std::string& slug) {
    auto listing = json("clb", get("/v1/organisations/" + hex(org_id(slug)) + "/mailboxes"));
    return listing["mailboxes"].as_array().at(0).as_object();
  }
  [[nodiscard]] protocol::MailboxEpochCertificate epoch_of(const boost::json::object& mailbox) {
    return protocol::parse_epoch_certificate(b64(mailbox.at("certificate"))).value();
  }
  [[nodiscard]] protocol::DeviceCertificate certificate_of(const std::string& slug,
                                                           bool admin = false) {
    auto device = json(slug, get("/v1/devices/" + hex(keys(slug, admin).device_id)));
    return protocol::parse_device_certificate(b64(device.at("certificate"))).value();
  }

  /// The pupil the test messages are about, and the consent the CLB registers for it on first
  /// use: the parents of a 10-year-old, for the CAW, the categories and purposes the tests send.
  /// Envelopes then pass the hub's policy the way real traffic does (R06 with consent; R34 for
  /// the school's signaal to the CLB).
  [[nodiscard]] protocol::Id pupil_consent() {
    if (consent_ == protocol::Id{}) {
      consent_ = register_pupil_consent(*client("clb"));
    }
    return consent_;
  }

  /// An envelope from the staff device of `sender` to the mailboxes, with `text` as its one
  /// fragment, about the test pupil under its consent.
  std::vector<std::uint8_t> seal_from(const std::string& sender,
                                      const std::vector<protocol::MailboxEpochCertificate>& to,
                                      std::string_view text,
                                      protocol::MessageKind kind = protocol::MessageKind::signaal) {
    return seal_under(pupil_consent(), sender, to, text, kind);
  }
  /// The same under another consent reference (zero: none), answering the envelope whose hash
  /// is `previous` (zero: a new thread).
  std::vector<std::uint8_t> seal_under(const protocol::Id& consent, const std::string& sender,
                                       const std::vector<protocol::MailboxEpochCertificate>& to,
                                       std::string_view text,
                                       protocol::MessageKind kind = protocol::MessageKind::signaal,
                                       const protocol::Hash256& previous = {}) {
    return seal_draft(sender, draft_under(consent, text, kind, previous), to);
  }
  /// The draft seal_under seals: `text` as its one fragment, about the test pupil, for a test
  /// to add to (attachments, say) before seal_draft.
  [[nodiscard]] static protocol::Draft draft_under(
      const protocol::Id& consent, std::string_view text,
      protocol::MessageKind kind = protocol::MessageKind::signaal,
      const protocol::Hash256& previous = {}) {
    protocol::Draft draft;
    draft.kind = kind;
    draft.purpose = protocol::Purpose::begeleiding;
    draft.pupil = test_pupil_binding();
    draft.consent_reference = consent;
    draft.previous_hash = previous;
    draft.fragments.push_back({protocol::DataCategory::handelingsgericht_advies,
                               protocol::GuidanceDomain::none, "text/plain",
                               protocol::SecretBytes::copy_of(view_of(text))});
    return draft;
  }
  /// Seals `draft` now as the staff device of `sender` to the mailboxes.
  std::vector<std::uint8_t> seal_draft(const std::string& sender, const protocol::Draft& draft,
                                       const std::vector<protocol::MailboxEpochCertificate>& to) {
    const auto device = keys(sender);
    const auto certificate = certificate_of(sender);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return protocol::seal(draft, {certificate, device.signing, ++sequence_}, to,
                          static_cast<std::uint64_t>(now.count()))
        .value();
  }

  /// Opens an envelope as the staff device of `slug`, walking its seed box for the epoch.
  protocol::Result<protocol::OpenedEnvelope> open_as(const std::string& slug,
                                                     const std::vector<std::uint8_t>& envelope) {
    const auto device = keys(slug);
    const auto mailbox = mailbox_of(slug);
    const std::string id(mailbox.at("mailbox_id").as_string());
    const auto epoch_number = mailbox.at("epoch").as_int64();
    auto epoch = json(slug, get("/v1/mailboxes/" + id + "/epochs/" + std::to_string(epoch_number)));
    const auto certificate =
        protocol::parse_epoch_certificate(b64(epoch.at("certificate"))).value();
    auto seed = protocol::open_seed_box(b64(epoch.at("seed_box")), device.encryption, certificate);
    if (!seed) {
      return seed.error();
    }
    protocol::MailboxKeyring keyring;
    keyring.add(certificate.mailbox_id, certificate.epoch, protocol::mailbox_identity(*seed));
    protocol::TrustStore trust;
    for (const std::string s : {"clb", "school", "caw"}) {
      const auto org = organisation_key(s);
      trust.add(org.org_id, org.signing.public_key());
    }
    return protocol::open(envelope, keyring, trust);
  }

  std::filesystem::path pki;

 private:
  [[nodiscard]] std::string base_config() const {
    return "[server]\nlisten_port = 0\ndata_dir = \"" + (dir_ / "data").string() + "\"\n";
  }

  std::filesystem::path dir_;
  std::string extra_config_;
  std::unique_ptr<HubProcess> process_;
  std::uint16_t attached_port_ = 0;
  std::uint64_t sequence_ = 0;
  protocol::Id consent_{};
};

}  // namespace draaischijf::testing

namespace draaischijf::testing {

/// A WebSocket client for /v1/stream on one TLS connection: the upgrade, then text frames.
class StreamClient {
 public:
  explicit StreamClient(std::unique_ptr<TlsClient> connection)
      : connection_(std::move(connection)) {
    connection_->send(
        "GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n");
    while (buffer_.find("\r\n\r\n") == std::string::npos) {
      const std::string more = connection_->read_some();
      if (more.empty()) {
        return;
      }
      buffer_ += more;
    }
    const auto end = buffer_.find("\r\n\r\n");
    upgraded_ = buffer_.rfind("HTTP/1.1 101", 0) == 0;
    buffer_.erase(0, end + 4);
  }

  [[nodiscard]] bool upgraded() const { return upgraded_; }
  /// The status code of the close frame the hub sent; nullopt while none arrived (also when the
  /// connection was dropped without one).
  [[nodiscard]] std::optional<int> close_code() const { return close_code_; }

  /// Sends one text message (under 64 KiB) from the client, masked as RFC 6455 5.3 requires.
  bool send_text(std::string_view payload) { return send_frame('\x81', payload); }  // FIN, text
  /// Sends a ping (a payload under 126 bytes); the hub answers with a pong carrying it.
  bool ping(std::string_view payload) { return send_frame('\x89', payload); }  // FIN, ping

  /// The payload of the next pong (text frames before it are dropped); nullopt when the
  /// connection ended first.
  std::optional<std::string> next_pong() {
    while (true) {
      if (auto frame = take_frame()) {
        if (frame->first == 0xA) {
          return frame->second;
        }
        if (frame->first == 8) {
          return std::nullopt;
        }
        continue;
      }
      const std::string more = connection_->read_some();
      if (more.empty()) {
        return std::nullopt;
      }
      buffer_ += more;
    }
  }

 private:
  bool send_frame(char first_byte, std::string_view payload) {
    std::string frame(1, first_byte);
    if (payload.size() < 126) {
      frame += static_cast<char>(0x80 | payload.size());
    } else {
      frame += static_cast<char>(0x80 | 126);
      frame += static_cast<char>((payload.size() >> 8) & 0xff);
      frame += static_cast<char>(payload.size() & 0xff);
    }
    const std::array<char, 4> mask{'\x12', '\x34', '\x56', '\x78'};
    frame.append(mask.begin(), mask.end());
    for (std::size_t i = 0; i < payload.size(); ++i) {
      frame += static_cast<char>(payload[i] ^ mask[i % 4]);
    }
    return connection_->send(frame);
  }

 public:
  /// The next text frame's payload as JSON; an empty object when the connection ended, by a
  /// close frame (then close_code() says which) or by dropping the connection.
  boost::json::object next() {
    while (true) {
      if (auto frame = take_frame()) {
        if (frame->first == 1) {  // text
          return boost::json::parse(frame->second).as_object();
        }
        if (frame->first == 8) {  // close: a status code in network order, if any
          const auto& payload = frame->second;
          close_code_ = payload.size() >= 2 ? (static_cast<std::uint8_t>(payload[0]) << 8) |
                                                  static_cast<std::uint8_t>(payload[1])
                                            : 1005;  // RFC 6455: no status code present
          return {};
        }
        continue;  // ping and pong frames
      }
      const std::string more = connection_->read_some();
      if (more.empty()) {
        return {};
      }
      buffer_ += more;
    }
  }

 private:
  // (opcode, payload) of a complete unmasked server frame at the front of the buffer.
  std::optional<std::pair<int, std::string>> take_frame() {
    if (buffer_.size() < 2) {
      return std::nullopt;
    }
    const auto byte = [this](std::size_t i) { return static_cast<std::uint8_t>(buffer_[i]); };
    std::size_t length = byte(1) & 0x7f;
    std::size_t at = 2;
    if (length == 126 || length == 127) {
      const std::size_t bytes = length == 126 ? 2 : 8;
      if (buffer_.size() < 2 + bytes) {
        return std::nullopt;
      }
      length = 0;
      for (std::size_t i = 0; i < bytes; ++i) {
        length = (length << 8) | byte(2 + i);
      }
      at += bytes;
    }
    if (buffer_.size() < at + length) {
      return std::nullopt;
    }
    std::pair<int, std::string> frame{byte(0) & 0x0f, buffer_.substr(at, length)};
    buffer_.erase(0, at + length);
    return frame;
  }

  std::unique_ptr<TlsClient> connection_;
  std::string buffer_;
  bool upgraded_ = false;
  std::optional<int> close_code_;
};

}  // namespace draaischijf::testing
