#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include <draaischijf/server/core/config.hpp>

#include "test_support.hpp"

namespace draaischijf::server {
namespace {

TEST(ConfigTest, EmptyFileGivesTheDocumentedDefaults) {
  const auto result = parse_config("");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.config.server.listen_port, 8443);
  EXPECT_EQ(result.config.limits.max_header_bytes, 8192U);
  EXPECT_EQ(result.config.limits.max_envelope_bytes, 25U * 1024 * 1024);
  EXPECT_EQ(result.config.limits.max_connections, 1024U);
  EXPECT_EQ(result.config.limits.read_deadline, std::chrono::seconds(30));
}

TEST(ConfigTest, TheExampleFileIsValidAndMatchesTheDefaults) {
  const auto example =
      std::filesystem::path(DRAAISCHIJF_SOURCE_DIR) / "server" / "draaischijf-hub.example.toml";
  const auto result = load_config(example);
  ASSERT_TRUE(result.ok()) << result.errors.front().key << ": " << result.errors.front().message;
  const auto defaults = parse_config("").config;
  EXPECT_EQ(result.config.limits.mailbox_quota_bytes, defaults.limits.mailbox_quota_bytes);
  EXPECT_EQ(result.config.limits.writer_queue, defaults.limits.writer_queue);
  EXPECT_EQ(result.config.server.names, defaults.server.names);
  EXPECT_EQ(result.config.log.level, defaults.log.level);
  EXPECT_EQ(result.config.retention.delivered, defaults.retention.delivered);
  EXPECT_EQ(result.config.retention.unfetched, defaults.retention.unfetched);
  EXPECT_EQ(result.config.retention.records, defaults.retention.records);
  EXPECT_EQ(result.config.retention.purge_batch, defaults.retention.purge_batch);
  EXPECT_EQ(result.config.limits.max_database_bytes, defaults.limits.max_database_bytes);
}

TEST(ConfigTest, SettingsAreRead) {
  const auto result = parse_config(R"(
[server]
listen_port = 0
names = ["hub.clb.test"]
[limits]
max_connections = 10
rate_per_org = 5
rate_burst = 10.5
read_deadline_seconds = 2
)");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.config.server.listen_port, 0);
  EXPECT_EQ(result.config.server.names, std::vector<std::string>{"hub.clb.test"});
  EXPECT_EQ(result.config.limits.max_connections, 10U);
  EXPECT_DOUBLE_EQ(result.config.limits.rate_burst, 10.5);
  EXPECT_EQ(result.config.limits.read_deadline, std::chrono::seconds(2));
}

TEST(ConfigTest, EveryMistakeIsReportedWithItsKey) {
  const auto result = parse_config(R"(
[limits]
max_conections = 10
max_connections = "many"
max_header_bytes = 10
[log]
level = "loud"
)");
  ASSERT_EQ(result.errors.size(), 4U);
  std::map<std::string, std::string> by_key;
  for (const auto& e : result.errors) {
    by_key[e.key] = e.message;
  }
  EXPECT_NE(by_key["limits.max_conections"].find("unknown setting"), std::string::npos);
  EXPECT_EQ(by_key["limits.max_connections"], "expected an integer");
  EXPECT_NE(by_key["limits.max_header_bytes"].find("from 1024"), std::string::npos);
  EXPECT_NE(by_key["log.level"].find("debug, info"), std::string::npos);
}

TEST(ConfigTest, SyntaxErrorsNameTheLine) {
  const auto result = parse_config("[server]\nlisten_port = = 3\n");
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_TRUE(result.errors[0].key.empty());
  EXPECT_NE(result.errors[0].message.find("line 2"), std::string::npos);
}

TEST(ConfigTest, MissingFileIsAClearError) {
  const auto result = load_config("/nonexistent/draaischijf.toml");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.errors[0].message.find("cannot read"), std::string::npos);
}

TEST(ConfigTest, BurstBelowRateIsRefused) {
  const auto result = parse_config("[limits]\nrate_per_org = 100\nrate_burst = 10\n");
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_EQ(result.errors[0].key, "limits.rate_burst");
}

TEST(ConfigTest, RetentionIsReadPerKindAndCategory) {
  const auto result = parse_config(R"(
[retention]
delivered_days = 3
unfetched_days = 10
audit_days = 3650
purge_interval_seconds = 60
[retention.kind.signaal]
unfetched_days = 5
[retention.category.diagnostiek]
delivered_days = 0
)");
  ASSERT_TRUE(result.ok()) << result.errors.front().key << ": " << result.errors.front().message;
  const auto& r = result.config.retention;
  EXPECT_EQ(r.delivered, std::chrono::hours(72));
  EXPECT_EQ(r.unfetched, std::chrono::hours(240));
  EXPECT_EQ(r.records, std::chrono::hours(3650 * 24));
  EXPECT_EQ(r.purge_interval, std::chrono::seconds(60));
  EXPECT_EQ(r.kinds.at("signaal").unfetched, std::chrono::hours(120));
  EXPECT_FALSE(r.kinds.at("signaal").delivered);
  EXPECT_EQ(r.categories.at("diagnostiek").delivered, std::chrono::hours(0));
}

TEST(ConfigTest, RetentionMistakesNameTheKey) {
  const auto result = parse_config(R"(
[retention]
unfetched_days = 0
keep_forever = true
[retention.kind.brief]
unfetched_days = 5
[retention.category.diagnostiek]
deleted_days = 1
[limits]
max_database_bytes = 1000
)");
  std::map<std::string, std::string> errors;
  for (const auto& e : result.errors) {
    errors[e.key] = e.message;
  }
  EXPECT_EQ(errors.size(), 5U);
  EXPECT_NE(errors["retention.unfetched_days"].find("from 1"), std::string::npos);
  EXPECT_NE(errors["retention.keep_forever"].find("unknown setting"), std::string::npos);
  EXPECT_NE(errors["retention.kind.brief.unfetched_days"].find("not a message kind"),
            std::string::npos);
  EXPECT_NE(errors["retention.category.diagnostiek.deleted_days"].find("unknown setting"),
            std::string::npos);
  EXPECT_NE(errors["limits.max_database_bytes"].find("4 MiB"), std::string::npos);
}

}  // namespace
}  // namespace draaischijf::server
