// The OpenAPI document in the repository describes the hub as built: the same paths and
// methods as the route table, and the problem catalog entry for entry.

#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <draaischijf/server/api/problem.hpp>

#include "api/api.hpp"

namespace draaischijf::server {
namespace {

boost::json::object openapi_document() {
  std::ifstream in(std::string(DRAAISCHIJF_SOURCE_DIR) + "/server/openapi.json");
  std::ostringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str()).as_object();
}

std::string lower(std::string_view method) {
  std::string out(method);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

const std::set<std::string> kHttpMethods = {"get",  "put",     "post",  "delete",
                                            "head", "options", "patch", "trace"};

TEST(OpenApiTest, ListsExactlyTheRoutesTheHubServes) {
  const auto document = openapi_document();
  EXPECT_EQ(document.at("openapi").as_string().subview().substr(0, 2), "3.");
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (kHttpMethods.contains(std::string(method))) {
        documented.emplace(lower(method), std::string(path));
        EXPECT_TRUE(operation.as_object().contains("responses")) << method << " " << path;
      }
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const RouteInfo& route : api_routes()) {
    served.emplace(lower(to_string(route.method)), std::string(route.pattern));
  }
  EXPECT_EQ(documented, served);
}

TEST(OpenApiTest, ListsTheProblemCatalogEntryForEntry) {
  const auto document = openapi_document();
  std::set<std::tuple<std::string, std::int64_t, std::string, std::string>> documented;
  for (const auto& entry : document.at("x-problem-types").as_array()) {
    const auto& object = entry.as_object();
    documented.emplace(object.at("type").as_string(), object.at("status").as_int64(),
                       object.at("title").as_string(), object.at("title_nl").as_string());
  }
  std::set<std::tuple<std::string, std::int64_t, std::string, std::string>> catalog;
  for (const ProblemType& kind : problem_catalog()) {
    catalog.emplace(kind.type, kind.status, kind.title_en, kind.title_nl);
  }
  EXPECT_EQ(documented, catalog);
}

// Every problem type an operation says it may answer with is one the hub knows.
TEST(OpenApiTest, ResponsesNameOnlyCatalogProblems) {
  const auto document = openapi_document();
  std::set<std::string> known;
  for (const ProblemType& kind : problem_catalog()) {
    known.emplace(kind.type.substr(kind.type.rfind(':') + 1));
    known.emplace(kind.type);
  }
  std::size_t named = 0;
  const auto check = [&](const boost::json::value& responses, const std::string& where) {
    for (const auto& [status, response] : responses.as_object()) {
      const auto* object = response.if_object();
      const auto* problems = object != nullptr ? object->if_contains("x-problems") : nullptr;
      if (problems == nullptr) {
        continue;
      }
      for (const auto& problem : problems->as_array()) {
        ++named;
        EXPECT_TRUE(known.contains(std::string(problem.as_string())))
            << where << " " << status << " names " << problem;
      }
    }
  };
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (kHttpMethods.contains(std::string(method))) {
        check(operation.at("responses"), std::string(method) + " " + std::string(path));
      }
    }
  }
  if (const auto* shared = document.at("components").as_object().if_contains("responses")) {
    check(*shared, "components");
  }
  EXPECT_GT(named, 0U);
}

}  // namespace
}  // namespace draaischijf::server
