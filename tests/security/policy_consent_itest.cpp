// Consent records through the real hub: every free-text field is bounded and display safe
// (a capacity with CR, LF and ESC, or a megabyte of text, is refused naming the field, and
// nothing is stored), and only the CLB roles docs/POLICY.md section 9 names may register,
// read and revoke consents or read the disclosure register.

#include <gtest/gtest.h>

#include "policy_security_fixture.hpp"

namespace draaischijf::testing {
namespace {

namespace json = boost::json;

// A valid consent record (the parents of a 10-year-old, for the CAW) with `field` set to
// `value` (a JSON value, already serialised).
std::string consent_with(const std::string& field, const std::string& value) {
  json::object body{{"pupil", test_pupil_hex()},
                    {"giver", "ouders"},
                    {"capacity", "moeder"},
                    {"competency_basis", "jonger dan 12"},
                    {"pupil_facts", {{"birth_date", "2016-01-01"}}},
                    {"scope", {{"organisation_types", {"caw"}}}},
                    {"categories", {"handelingsgericht_advies"}},
                    {"purposes", {"begeleiding"}},
                    {"valid_from", "2020-01-01"}};
  if (field == "scope.organisations") {
    body["scope"].as_object()["organisations"] = json::parse(value);
  } else if (!field.empty()) {
    body[field] = json::parse(value);
  }
  return json::serialize(body);
}

class PolicyConsentTest : public ::testing::Test {
 protected:
  // The issue of a 422 consent-invalid answer that names `field`, or an empty object.
  json::object issue_for(const HttpResponse& response, const std::string& field) {
    EXPECT_EQ(response.status, 422) << response.body;
    EXPECT_EQ(problem_slug(response), "consent-invalid") << response.body;
    boost::system::error_code ec;
    const auto value = json::parse(response.body, ec);
    if (ec || !value.is_object() || !value.as_object().contains("issues")) {
      return {};
    }
    for (const auto& issue : value.at("issues").as_array()) {
      const auto* named = issue.as_object().if_contains("field");
      if (named != nullptr && named->as_string() == field) {
        return issue.as_object();
      }
    }
    ADD_FAILURE() << "no issue names " << field << ": " << response.body;
    return {};
  }
  std::size_t stored() {
    return hub.json("clb", get("/v1/consents?pupil=" + test_pupil_hex()))
        .at("consents")
        .as_array()
        .size();
  }

  TempDir dir;
  DevHub hub{dir.path()};
};

TEST_F(PolicyConsentTest, ControlCharactersInAFreeTextFieldAreRefusedNamingTheField) {
  const auto escape = hub.call(
      "clb", post("/v1/consents", consent_with("capacity", R"("moeder\r\n\u001b[2Jvader")")));
  const auto issue = issue_for(escape, "capacity");
  EXPECT_EQ(issue.contains("issue") ? std::string(issue.at("issue").as_string()) : "",
            "field_invalid");
  const auto bidi = hub.call("clb", post("/v1/consents", consent_with("competency_basis",
                                                                      "\"team\xE2\x80\xAE"
                                                                      "oordeel\"")));
  issue_for(bidi, "competency_basis");
  EXPECT_EQ(stored(), 0U) << "nothing refused is stored";
  EXPECT_EQ(hub.call("clb", post("/v1/consents", consent_with("", ""))).status, 201);
}

TEST_F(PolicyConsentTest, OverlongFieldsAndListsAreRefusedNamingTheField) {
  issue_for(hub.call("clb", post("/v1/consents",
                                 consent_with("capacity", '"' + std::string(201, 'm') + '"'))),
            "capacity");
  issue_for(hub.call("clb", post("/v1/consents", consent_with("competency_basis",
                                                              '"' + std::string(1001, 'b') + '"'))),
            "competency_basis");
  json::array organisations;
  for (int i = 0; i < 65; ++i) {
    organisations.emplace_back(hex(protocol::random_id()));
  }
  issue_for(hub.call("clb", post("/v1/consents", consent_with("scope.organisations",
                                                              json::serialize(organisations)))),
            "scope.organisations");
  // At the bounds it is fine.
  EXPECT_EQ(hub.call("clb", post("/v1/consents", consent_with("competency_basis",
                                                              '"' + std::string(1000, 'b') + '"')))
                .status,
            201);
  EXPECT_EQ(stored(), 1U);
}

TEST_F(PolicyConsentTest, AMegabyteConsentBodyIsRefusedBeforeItIsRead) {
  const auto huge = hub.call(
      "clb", post("/v1/consents", consent_with("capacity", '"' + std::string(1000000, 'm') + '"')));
  EXPECT_EQ(huge.status, 400) << huge.body.substr(0, 200);
  EXPECT_EQ(problem_slug(huge), "malformed-request");
  EXPECT_EQ(stored(), 0U);
}

TEST_F(PolicyConsentTest, AnAdminDeviceMayNotRegisterReadOrRevokeConsentsNorReadDisclosures) {
  const std::string id = hex(hub.pupil_consent());  // registered by the CLB's onthaal: fine
  const std::string pupil = "?pupil=" + test_pupil_hex();
  const std::vector<std::string> requests = {post("/v1/consents", consent_with("", "")),
                                             get("/v1/consents" + pupil), get("/v1/consents/" + id),
                                             post("/v1/consents/" + id + "/revoke", ""),
                                             get("/v1/disclosures" + pupil)};
  for (const auto& request : requests) {
    const auto refused = hub.call("clb", request, true);
    EXPECT_EQ(refused.status, 403) << request.substr(0, 40) << refused.body;
    EXPECT_EQ(problem_slug(refused), "role-not-permitted") << request.substr(0, 40);
  }
  EXPECT_EQ(stored(), 1U);
  EXPECT_EQ(hub.call("clb", get("/v1/disclosures" + pupil)).status, 200);
  EXPECT_EQ(hub.call("clb", get("/v1/consents/" + id)).status, 200) << "not revoked";
}

TEST_F(PolicyConsentTest, AClbDeviceWithoutAClbStaffRoleMayNotRegisterConsents) {
  const auto teacher = enrol_device(hub, dir.path(), "clb", "school_leerkracht");
  const auto refused = call_as(hub, teacher, post("/v1/consents", consent_with("", "")));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_slug(refused), "role-not-permitted");
  const auto director = enrol_device(hub, dir.path(), "clb", "clb_directeur");
  EXPECT_EQ(call_as(hub, director, post("/v1/consents", consent_with("", ""))).status, 201);
  EXPECT_EQ(call_as(hub, director, get("/v1/disclosures?pupil=" + test_pupil_hex())).status, 200);
}

}  // namespace
}  // namespace draaischijf::testing
