#pragma once

// The consent the integration tests send under, so their envelopes pass the hub's policy the
// way real traffic does: R06 with the parents' consent for a CLB-CAW exchange, R34 for a
// school's signaal to its CLB.

#include <algorithm>
#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/protocol/encoding.hpp>

#include "hub_process.hpp"

namespace draaischijf::testing {

/// The pupil the test messages are about.
inline constexpr std::string_view kTestPupil =
    "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed";

inline protocol::Id consent_id_of(std::string_view text) {
  const auto bytes = protocol::hex_decode(text).value();
  protocol::Id out{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), out.size()), out.begin());
  return out;
}

inline protocol::Hash256 test_pupil() {
  const auto bytes = protocol::hex_decode(kTestPupil).value();
  protocol::Hash256 out{};
  std::copy_n(bytes.begin(), out.size(), out.begin());
  return out;
}

/// Registers, through a CLB device's connection, the consent the tests send under: the parents
/// of a 10-year-old, for the CAW, the categories and purposes the tests use. Returns its id.
inline protocol::Id register_pupil_consent(TlsClient& clb) {
  const std::string body =
      R"({"pupil":")" + std::string(kTestPupil) +
      R"(","giver":"ouders",)"
      R"("capacity":"moeder","pupil_facts":{"birth_date":"2016-01-01"},)"
      R"("scope":{"organisation_types":["caw"]},)"
      R"("categories":["handelingsgericht_advies","psychisch_sociaal","contact",)"
      R"("leren_en_studeren","verslag","identificatie","doorverwijzing"],)"
      R"("purposes":["begeleiding","doorverwijzing","consultatie","terugkoppeling"],)"
      R"("valid_from":"2020-01-01"})";
  const auto response = clb.exchange(post("/v1/consents", body));
  EXPECT_TRUE(response && response->status == 201)
      << (response ? response->body : std::string("no answer"));
  boost::system::error_code ec;
  const auto value = boost::json::parse(response ? response->body : std::string(), ec);
  const auto* id = !ec && value.is_object() ? value.as_object().if_contains("consent_id") : nullptr;
  return id != nullptr && id->is_string() ? consent_id_of(id->as_string()) : protocol::Id{};
}

}  // namespace draaischijf::testing
