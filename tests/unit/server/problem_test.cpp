#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/protocol/errors.hpp>
#include <draaischijf/server/api/problem.hpp>
#include <draaischijf/server/policy/admission.hpp>
#include <draaischijf/server/store/message_store.hpp>

namespace draaischijf::server {
namespace {

TEST(ProblemTest, EveryCatalogEntryIsCompleteAndUnique) {
  std::set<std::string_view> types;
  for (const ProblemType& entry : problem_catalog()) {
    EXPECT_TRUE(entry.type.starts_with("urn:draaischijf:problem:")) << entry.type;
    EXPECT_TRUE(types.insert(entry.type).second) << "duplicate " << entry.type;
    EXPECT_FALSE(entry.title_nl.empty()) << entry.type;
    EXPECT_FALSE(entry.title_en.empty()) << entry.type;
    EXPECT_NE(entry.title_nl, entry.title_en) << entry.type << " has no Dutch title";
    EXPECT_GE(entry.detail.size(), 30U) << entry.type << " does not say what to do";
    EXPECT_GE(entry.status, 400U);
    EXPECT_LT(entry.status, 600U);
  }
}

TEST(ProblemTest, ErrorsMapToSpecificProblems) {
  EXPECT_EQ(problem_type_for(protocol::errc::stale_epoch).status, 409U);
  EXPECT_EQ(problem_type_for(protocol::errc::stale_epoch).type,
            "urn:draaischijf:problem:stale-epoch");
  EXPECT_EQ(problem_type_for(protocol::errc::truncated).type,
            "urn:draaischijf:problem:malformed-envelope");
  EXPECT_EQ(problem_type_for(make_error_code(errc::envelope_too_large)).status, 413U);
  EXPECT_EQ(problem_type_for(make_error_code(errc::clock_skew)).type,
            "urn:draaischijf:problem:clock-skew");
  EXPECT_EQ(problem_type_for(make_error_code(store_errc::not_found)).status, 404U);
  EXPECT_EQ(problem_type_for(make_error_code(store_errc::overloaded)).status, 503U);
  EXPECT_EQ(problem_type_for(make_error_code(store_errc::blob_unknown)).type,
            "urn:draaischijf:problem:blob-unknown");
  EXPECT_EQ(problem_type_for(make_error_code(store_errc::blob_unknown)).status, 422U);
  EXPECT_EQ(
      problem_type_for(boost::system::error_code(5, boost::system::generic_category())).status,
      500U);
}

TEST(ProblemTest, SerialisesAsRfc9457WithBothLanguagesAndRuleIds) {
  Problem problem{problem_type_for(protocol::errc::stale_epoch), "req-42", {"R01", "R07"}, ""};
  const auto doc = boost::json::parse(to_json(problem)).as_object();
  EXPECT_EQ(doc.at("type").as_string(), "urn:draaischijf:problem:stale-epoch");
  EXPECT_EQ(doc.at("status").as_int64(), 409);
  EXPECT_EQ(doc.at("title").as_string(), "Stale mailbox key");
  EXPECT_EQ(doc.at("title_nl").as_string(), "Verouderde mailboxsleutel");
  EXPECT_NE(std::string(doc.at("detail").as_string()).find("directory"), std::string::npos);
  EXPECT_EQ(doc.at("instance").as_string(), "urn:draaischijf:request:req-42");
  ASSERT_EQ(doc.at("rule_ids").as_array().size(), 2U);
  EXPECT_EQ(doc.at("rule_ids").as_array()[1].as_string(), "R07");
}

}  // namespace
}  // namespace draaischijf::server
