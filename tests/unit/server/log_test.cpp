#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/server/core/log.hpp>

namespace draaischijf::server {
namespace {

TEST(LogTest, WritesOneJsonObjectPerLineInUtc) {
  std::ostringstream out;
  Logger logger(out, LogLevel::info);
  logger.info(
      "request",
      {{"request_id", std::string_view("r-1")}, {"status", std::int64_t{201}}, {"tls", true}});
  logger.log(LogLevel::debug, "hidden");
  const std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  const auto line = boost::json::parse(text).as_object();
  EXPECT_EQ(line.at("event").as_string(), "request");
  EXPECT_EQ(line.at("level").as_string(), "info");
  EXPECT_EQ(line.at("status").as_int64(), 201);
  EXPECT_TRUE(line.at("tls").as_bool());
  const std::string ts(line.at("ts").as_string());
  EXPECT_EQ(ts.size(), 24U);
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(LogTest, EscapesAndBoundsFieldValues) {
  std::ostringstream out;
  Logger logger(out, LogLevel::debug);
  const std::string long_value(5000, 'x');
  logger.warning(
      "odd", {{"path", std::string_view("/v1/\"\n\x01")}, {"long", std::string_view(long_value)}});
  const std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1);  // the newline in the value is escaped
  const auto line = boost::json::parse(text).as_object();
  EXPECT_EQ(line.at("path").as_string(), "/v1/\"\n\x01");
  EXPECT_EQ(line.at("long").as_string().size(), 200U);
}

TEST(LogTest, LevelsParse) {
  LogLevel level{};
  EXPECT_TRUE(parse_log_level("warning", level));
  EXPECT_EQ(level, LogLevel::warning);
  EXPECT_FALSE(parse_log_level("loud", level));
}

}  // namespace
}  // namespace draaischijf::server
