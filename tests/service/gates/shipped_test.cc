// The shipped gates load, and gates/schema.json describes exactly what the loader accepts.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "gates/check.h"
#include "gates/loader.h"

namespace understudy::gates {
namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

TEST(ShippedGates, AllLoad) {
  auto set = load_gate_dirs({UNDERSTUDY_SHIPPED_GATES_DIR});
  ASSERT_TRUE(set) << set.error().message;
  std::set<std::string> names;
  for (const auto& [n, g] : *set) names.insert(n);
  EXPECT_EQ(names, (std::set<std::string>{"agent-jobs", "credentials", "freshness", "landing", "linked-servers", "logins",
                                          "orphaned-users", "post-failover", "pre-cutover", "replication"}));
}

TEST(ShippedGates, PreCutoverCoversEveryKind) {
  auto g = load_gate_file(std::string(UNDERSTUDY_SHIPPED_GATES_DIR) + "/pre-cutover.json");
  ASSERT_TRUE(g) << g.error().message;
  auto kinds = g->checks.at(0)->to_json()["kinds"];
  std::set<std::string> got(kinds.begin(), kinds.end());
  std::set<std::string> want;
  for (auto k : catalog::kAllKinds)
    if (k != catalog::Kind::kInstance) want.insert(std::string(catalog::kind_name(k)));
  EXPECT_EQ(got, want);
}

TEST(Schema, CheckTypesKindsAndProblemsMatchTheLoader) {
  auto s = read_json(std::string(UNDERSTUDY_SHIPPED_GATES_DIR) + "/schema.json");
  EXPECT_EQ(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
  std::set<std::string> schema_types;
  for (const auto& ref : s["properties"]["checks"]["items"]["oneOf"]) {
    auto name = ref["$ref"].get<std::string>().substr(std::string("#/$defs/").size());
    schema_types.insert(s["$defs"][name]["properties"]["type"]["const"].get<std::string>());
  }
  std::set<std::string> types;
  for (const auto& t : check_types()) types.insert(std::string(t.name));
  EXPECT_EQ(schema_types, types);

  std::vector<std::string> kinds;
  for (auto k : catalog::kAllKinds)
    if (k != catalog::Kind::kInstance) kinds.push_back(std::string(catalog::kind_name(k)));
  EXPECT_EQ(s["$defs"]["kind"]["enum"].get<std::vector<std::string>>(), kinds);
  std::vector<std::string> problems(std::begin(kDriftProblems), std::end(kDriftProblems));
  EXPECT_EQ(s["$defs"]["problem"]["enum"].get<std::vector<std::string>>(), problems);
  EXPECT_EQ(s["properties"]["format_version"]["const"], kGateFormatVersion);
}

}  // namespace
}  // namespace understudy::gates
