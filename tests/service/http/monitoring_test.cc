// The shipped monitoring examples (monitoring/: Prometheus alert rules, a Grafana dashboard) use
// only metrics the service defines, and the dashboard is a well-formed Grafana document.
// `promtool check rules` runs as its own test (monitoring_rules_promtool, tests/service/http).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "http/metrics.h"

namespace understudy::http {
namespace {

std::string read_text(const std::string& rel) {
  std::ifstream in(std::string(UNDERSTUDY_SOURCE_DIR) + "/" + rel);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every understudy_* name in `text`, as the family it belongs to (summaries' _sum/_count dropped).
std::set<std::string> metric_names(const std::string& text) {
  std::set<std::string> out;
  std::regex name(R"(understudy_[a-z_]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it) {
    std::string n = it->str();
    for (const char* suffix : {"_sum", "_count"})
      if (n.size() > 6 && n.ends_with(suffix) && !n.ends_with("_total")) n = n.substr(0, n.size() - std::strlen(suffix));
    out.insert(n);
  }
  return out;
}

std::set<std::string> defined_families() {
  std::set<std::string> out;
  std::istringstream in(Metrics().render());
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("# TYPE ", 0) == 0) out.insert(line.substr(7, line.find(' ', 7) - 7));
  return out;
}

TEST(Monitoring, AlertRulesUseDefinedMetrics) {
  auto rules = read_text("monitoring/alerts.yml");
  ASSERT_FALSE(rules.empty());
  auto used = metric_names(rules);
  ASSERT_GE(used.size(), 5u);
  auto defined = defined_families();
  for (const auto& n : used) EXPECT_TRUE(defined.count(n)) << n << " is not a metric of the service";
}

TEST(Monitoring, GrafanaDashboardIsWellFormedAndUsesDefinedMetrics) {
  auto doc = nlohmann::json::parse(read_text("monitoring/grafana-dashboard.json"));
  EXPECT_EQ(doc["uid"], "understudy");
  ASSERT_TRUE(doc["panels"].is_array());
  ASSERT_FALSE(doc["panels"].empty());
  auto defined = defined_families();
  std::set<int> ids;
  for (const auto& p : doc["panels"]) {
    EXPECT_TRUE(ids.insert(p["id"].get<int>()).second) << "duplicate panel id " << p["id"];
    ASSERT_TRUE(p.contains("gridPos") && p.contains("targets")) << p.dump();
    ASSERT_FALSE(p["targets"].empty()) << p["title"];
    for (const auto& t : p["targets"]) {
      auto expr = t["expr"].get<std::string>();
      auto used = metric_names(expr);
      EXPECT_FALSE(used.empty()) << expr;
      for (const auto& n : used) EXPECT_TRUE(defined.count(n)) << n << " in panel " << p["title"];
    }
  }
  // The pair variable draws its values from a per-pair metric.
  EXPECT_NE(doc["templating"].dump().find("understudy_primary_snapshot_age_seconds"), std::string::npos);
}

TEST(Metrics, PairAndInstanceAreAcceptedLabels) {
  Metrics m;
  m.set("understudy_primary_snapshot_age_seconds", {{"pair", "payments"}, {"instance", "primary"}}, 42);
  m.set("understudy_gate_last_result", {{"pair", "payments"}, {"gate", "logins"}, {"result", "pass"}}, 1);
  auto text = m.render();
  EXPECT_NE(text.find("understudy_primary_snapshot_age_seconds{pair=\"payments\",instance=\"primary\"} 42\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("understudy_gate_last_result{pair=\"payments\",gate=\"logins\",result=\"pass\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace understudy::http
