// pair_test.cc — the real-instance lane with a secondary (UNDERSTUDY_REAL_SECONDARY): the diff of
// the primary's snapshot against the live secondary, and every shipped gate's evaluation. Both
// only read; the secondary is written only by writes_test.cc, and the primary never.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "real_env.h"

namespace understudy::real {
namespace {

using nlohmann::json;

class Pair : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = missing(Needs::kPair); !why.empty()) GTEST_SKIP() << why;
    world_ = std::make_unique<RealWorld>();
    auto r = world_->understudy({"snapshot", "--pair", "real"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::unique_ptr<RealWorld> world_;
};

const std::set<std::string> kCategories = {"missing", "extra", "different", "sid_mismatch", "incompatible"};
const std::set<std::string> kSeverities = {"low", "medium", "high", "critical"};

TEST_F(Pair, DiffAgainstTheLiveSecondaryExitsByDriftWithDocumentedCategoriesOnly) {
  auto r = world_->understudy({"diff", "--pair", "real", "--format", "json"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << ": " << r.err;
  EXPECT_EQ(r.err, "");
  const json doc = json::parse(r.out);
  const json& findings = doc.at("findings");
  EXPECT_EQ(r.exit_code == 1, !findings.empty()) << "exit 1 exactly when there is drift";
  EXPECT_EQ(doc.at("drift").get<bool>(), !findings.empty());
  EXPECT_EQ(doc.at("summary").at("findings").get<size_t>(), findings.size());
  EXPECT_EQ(doc.at("target").at("read"), "live");
  for (const auto& f : findings) {
    EXPECT_TRUE(kCategories.count(f.at("category").get<std::string>())) << f.dump();
    EXPECT_TRUE(kSeverities.count(f.at("severity").get<std::string>())) << f.dump();
    EXPECT_NE(f.at("kind"), "instance") << "the instance is never a finding";
    EXPECT_FALSE(f.at("key").get<std::string>().empty()) << f.dump();
  }
  for (const auto& [category, n] : doc.at("summary").at("by_category").items()) {
    EXPECT_TRUE(kCategories.count(category)) << category;
    EXPECT_GT(n.get<size_t>(), 0u);
  }
}

TEST_F(Pair, NoPasswordHashInAnyRenderedDiff) {
  auto store = world_->open_store();
  auto latest = store->latest_snapshot("primary");
  ASSERT_TRUE(latest && *latest);
  const auto hashes = password_hashes(*store, (*latest)->id);
  if (hashes.empty())
    GTEST_SKIP() << "the primary's login read no password hash (reading sys.sql_logins.password_hash needs "
                    "CONTROL SERVER): nothing to look for";
  for (const std::string format : {"json", "csv", "table"}) {
    auto r = world_->understudy({"diff", "--pair", "real", "--format", format});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << format << ": exit " << r.exit_code << ": " << r.err;
    EXPECT_EQ(leaked_hashes(r.out + r.err, hashes), std::vector<std::string>{}) << format;
  }
}

// The shipped gates' names (gates/*.json, schema.json aside).
std::vector<std::string> shipped_gates() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(std::string(UNDERSTUDY_SOURCE_DIR) + "/gates")) {
    if (e.path().extension() != ".json" || e.path().filename() == "schema.json") continue;
    std::ifstream in(e.path());
    names.push_back(json::parse(in).at("name").get<std::string>());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(Pair, EveryShippedGateAnswersPassFailOrUnknownNeverAnError) {
  const auto gates = shipped_gates();
  ASSERT_FALSE(gates.empty());
  const std::map<std::string, int> exit_of = {{"pass", 0}, {"fail", 1}, {"unknown", 2}};
  for (const auto& gate : gates) {
    auto r = world_->understudy({"gate", gate, "--pair", "real", "--format", "json"});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2)
        << gate << ": exit " << r.exit_code << ": " << r.err;
    const json doc = json::parse(r.out);
    const std::string status = doc.at("status").get<std::string>();
    ASSERT_TRUE(exit_of.count(status)) << gate << ": " << status;
    EXPECT_EQ(exit_of.at(status), r.exit_code) << gate;
    EXPECT_EQ(doc.at("gate"), gate);
    EXPECT_FALSE(doc.at("reason").get<std::string>().empty()) << gate;
  }
}

}  // namespace
}  // namespace understudy::real
