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
#include <draaischijf/protocol/pupil.hpp>

#include "hub_process.hpp"

namespace draaischijf::testing {

/// The pupil the test messages are about: the CLB's own reference for them.
inline constexpr std::string_view kTestPupilReference = "leerling-test-1";

inline protocol::Id consent_id_of(std::string_view text) {
  const auto bytes = protocol::hex_decode(text).value();
  protocol::Id out{};
  std::copy_n(bytes.begin(), std::min(bytes.size(), out.size()), out.begin());
  return out;
}

/// The pupil as a sender's envelope names them (protocol/pupil.hpp), with a salt of the tests'
/// own: senders that seal with the protocol library directly need no organisation pupil key.
inline protocol::PupilBinding test_pupil_binding() {
  return {std::string(kTestPupilReference), protocol::hash256("draaischijf-test/pupil-salt", {})};
}

/// The pseudonym the hub files that pupil's consents and disclosures under.
inline protocol::Hash256 test_pupil() { return protocol::pupil_pseudonym(test_pupil_binding()); }
inline std::string test_pupil_hex() { return protocol::hex_encode(test_pupil()); }

/// Registers, through a CLB device's connection, the consent the tests send under: the parents
/// of a 10-year-old, for the CAW, the categories and purposes the tests use. Returns its id.
inline protocol::Id register_pupil_consent(TlsClient& clb,
                                           const protocol::Hash256& pupil = test_pupil()) {
  const std::string body =
      R"({"pupil":")" + protocol::hex_encode(pupil) +
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
