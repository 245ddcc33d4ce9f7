#include "settings.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include <draaischijf/client/directory.hpp>
#include <draaischijf/protocol/encoding.hpp>

namespace draaischijf::ui {

Response settings_answer(client::Client& client, const Vault& vault) {
  namespace json = boost::json;
  auto organisations = client.directory().organisations();
  if (!organisations) {
    return problem_response(Problem::hub_failed, organisations.error().message());
  }
  const auto& device = client.device();
  const auto own = std::find_if(organisations->begin(), organisations->end(),
                                [&](const auto& org) { return org.org_id == device.org_id; });
  json::array listed;
  for (const auto& org : *organisations) {
    listed.push_back({{"org_id", protocol::hex_encode(org.org_id)},
                      {"name", org.name},
                      {"type", org.type},
                      {"fingerprint", org.fingerprint},
                      {"trusted", org.trusted}});
  }
  return json_response(200,
                       json::object{{"device",
                                     {{"org_id", protocol::hex_encode(device.org_id)},
                                      {"org_name", own != organisations->end() ? own->name : ""},
                                      {"org_type", own != organisations->end() ? own->type : ""},
                                      {"device_id", protocol::hex_encode(device.device_id)},
                                      {"staff_id", protocol::hex_encode(device.staff_id)},
                                      {"role", device.role}}},
                                    {"idle_seconds", vault.idle_time().count() / 1000},
                                    {"organisations", std::move(listed)}});
}

}  // namespace draaischijf::ui
