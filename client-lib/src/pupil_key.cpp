#include "pupil_key.hpp"

#include "verified_directory.hpp"

namespace draaischijf::client {

protocol::Result<const protocol::PupilKey*> pupil_key(detail::SessionState& s) {
  if (s.pupil_key) {
    return &*s.pupil_key;
  }
  if (s.secrets.organisation) {
    s.pupil_key = protocol::PupilKey::of_organisation(*s.secrets.organisation);
    return &*s.pupil_key;
  }
  auto reply = s.hub->get("/v1/devices/" + hex(s.secrets.device_id) + "/pupil-key");
  if (!reply) {
    return reply.error();
  }
  if (reply->status == 404) {
    return make_error_code(client_errc::no_pupil_key);
  }
  if (!reply->ok()) {
    return s.refused(*reply);
  }
  auto org_key = pinned_key(s, s.secrets.org_id);
  if (!org_key) {
    return org_key.error();
  }
  // Signed by our own organisation's pinned key: a hub cannot slip in a key it knows.
  const std::vector<std::uint8_t> box(reply->body.begin(), reply->body.end());
  auto opened = protocol::open_pupil_key(box, s.secrets.org_id, s.secrets.device_id,
                                         s.secrets.encryption, *org_key);
  if (!opened) {
    return tampered();
  }
  s.pupil_key = std::move(*opened);
  return &*s.pupil_key;
}

protocol::Result<protocol::PupilBinding> bind_pupil(detail::SessionState& s,
                                                    std::string_view reference) {
  auto key = pupil_key(s);
  if (!key) {
    return key.error();
  }
  return protocol::bind_pupil(**key, reference);
}

protocol::Result<void> send_pupil_key(detail::SessionState& s, const protocol::Id& device_id) {
  if (auto admin = s.require_admin(); !admin) {
    return admin;
  }
  auto device = verified_device(s, device_id);
  if (!device) {
    return device.error();
  }
  auto key = pupil_key(s);
  if (!key) {
    return key.error();
  }
  const auto box = protocol::seal_pupil_key(**key, s.secrets.org_id, device_id,
                                            device->encryption_key, *s.secrets.organisation);
  auto stored = s.expect_ok(
      s.hub->post("/v1/devices/" + hex(device_id) + "/pupil-key", box, "application/octet-stream"));
  if (!stored) {
    return stored.error();
  }
  return {};
}

}  // namespace draaischijf::client
