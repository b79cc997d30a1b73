// The auditors' drift report (docs/reports.md): each finding's lifecycle — first seen, last seen,
// resolved at and by which sync run and actor — the chart of open findings and applied changes,
// the same lifecycle in JSON, CSV and HTML; and the page as a real browser (Debian's chromium,
// headless) parses it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>

#include "world.h"

namespace e2e {
namespace {

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Gate fails (logins missing) → sync --apply from the command line → gate passes → a new login
// on the primary, snapshot, gate fails again: its findings (the login, its CONNECT SQL) are open.
struct Story {
  World w;
  std::string sync_run;
  int applied = 0;
  nlohmann::json first_failures;
  Story() {
    EXPECT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
    auto failed = w.cli({"gate", "logins", "--pair", "payments", "--format", "json"});
    EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
    first_failures = nlohmann::json::parse(failed.out)["failures"];
    auto synced = w.cli({"sync", "--pair", "payments", "--apply", "--format", "json"});
    EXPECT_EQ(synced.exit_code, 0) << synced.out << synced.err;
    auto doc = nlohmann::json::parse(synced.out);
    sync_run = doc["run_id"].get<std::string>();
    applied = doc["counts"]["applied"].get<int>();
    // One second on: the lifecycle orders evaluations and syncs by their recorded second.
    ::sleep(1);
    EXPECT_EQ(w.cli({"gate", "logins", "--pair", "payments"}).exit_code, 0);
    w.exec_on_primary("CREATE LOGIN [late_joiner] WITH PASSWORD = N'Late-Joiner-Pw1', CHECK_POLICY = OFF");
    EXPECT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
    EXPECT_EQ(w.cli({"gate", "logins", "--pair", "payments"}).exit_code, 1);
  }
};

TEST(DriftReport, EachFindingHasItsLifecycleAndTheSyncThatResolvedIt) {
  Story s;
  ASSERT_FALSE(s.first_failures.empty());
  auto r = s.w.cli({"report", "--pair", "payments"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rep = nlohmann::json::parse(r.out);
  EXPECT_EQ(rep["report_version"], 2);
  const auto& findings = rep["findings"];
  ASSERT_EQ(findings.size(), s.first_failures.size() + 2) << findings.dump(1);
  // The open ones first: the login created after the sync and its CONNECT SQL, seen once,
  // resolved by nobody yet.
  EXPECT_EQ(findings[0]["key"], "late_joiner");
  EXPECT_EQ(findings[1]["key"], "late_joiner|SERVER||CONNECT SQL");
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(findings[i]["status"], "open");
    EXPECT_EQ(findings[i]["evaluations"], 1);
    EXPECT_EQ(findings[i]["resolved_at"], "");
    EXPECT_EQ(findings[i]["resolved_by_run"], "");
  }
  std::set<std::string> keys;
  for (size_t i = 2; i < findings.size(); ++i) {
    const auto& f = findings[i];
    keys.insert(f["kind"].get<std::string>() + " " + f["key"].get<std::string>());
    EXPECT_EQ(f["status"], "resolved") << f.dump();
    EXPECT_EQ(f["gate"], "logins");
    EXPECT_EQ(f["evaluations"], 1);
    EXPECT_EQ(f["resolved_by_run"], s.sync_run) << f.dump();
    EXPECT_EQ(f["resolved_by"].get<std::string>().rfind("cli:", 0), 0u) << f.dump();
    EXPECT_LE(f["first_seen"].get<std::string>(), f["last_seen"].get<std::string>());
    EXPECT_LT(f["last_seen"].get<std::string>(), f["resolved_at"].get<std::string>());
    EXPECT_EQ(f["resolved_in"].get<std::string>().rfind("eval-", 0), 0u);
  }
  std::set<std::string> failed;
  for (const auto& f : s.first_failures) failed.insert(f["kind"].get<std::string>() + " " + f["key"].get<std::string>());
  EXPECT_EQ(keys, failed);
  // The chart's series: open findings after each evaluation, the sync's applied changes.
  const auto& chart = rep["chart"];
  ASSERT_EQ(chart.size(), 4u) << chart.dump();
  EXPECT_EQ(chart[0]["open"], s.first_failures.size());
  EXPECT_EQ(chart[1]["applied"], s.applied);
  EXPECT_EQ(chart[2]["open"], 0);
  EXPECT_EQ(chart[3]["open"], 2);

  // CSV: the same findings, one line each, provenance first.
  auto csv = s.w.cli({"report", "--pair", "payments", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("report_id,generated_at,pair,status,gate,kind,key,name,problem,first_seen,last_seen,"
                          "evaluations,resolved_at,resolved_in,resolved_by_run,resolved_by,detail\r\n",
                          0),
            0u)
      << csv.out;
  EXPECT_EQ(count_of(csv.out, "\r\n"), static_cast<int>(findings.size()) + 1);
  EXPECT_EQ(count_of(csv.out, "," + s.sync_run + ",cli:"), static_cast<int>(findings.size()) - 2) << csv.out;
  auto events = s.w.cli({"report", "--pair", "payments", "--format", "csv", "--table", "events"});
  EXPECT_EQ(events.out.rfind("report_id,generated_at,pair,time,event,", 0), 0u) << events.out;
  EXPECT_EQ(s.w.cli({"report", "--pair", "payments", "--table", "events"}).exit_code, 64);

  // The service answers the same report.
  s.w.start_serve();
  auto served = s.w.get("/v1/reports/drift?pair=payments", kAuditorToken);
  ASSERT_TRUE(served);
  auto served_doc = nlohmann::json::parse(served->body);
  EXPECT_EQ(served_doc["findings"], findings);
  auto served_csv = s.w.get("/v1/reports/drift?pair=payments&format=csv&table=events", kAuditorToken);
  ASSERT_TRUE(served_csv);
  EXPECT_EQ(served_csv->status, 200);
  EXPECT_EQ(served_csv->body.rfind("report_id,generated_at,pair,time,event,", 0), 0u);
  auto bad = s.w.get("/v1/reports/drift?pair=payments&table=everything&format=csv", kAuditorToken);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

// The page in a real browser: Debian's chromium parses it headless and prints the DOM it built
// (tables gain the <tbody> the HTML parser inserts, which the page itself never writes — so the
// text below is the browser's, not ours). The summary, the chart (inline SVG: a line and a bar)
// and one row per finding and per applied change are found in it.
TEST(DriftReport, AHeadlessBrowserFindsTheSummaryTheChartAndTheRows) {
  const std::string browser = "/usr/bin/chromium";
  if (::access(browser.c_str(), X_OK) != 0)
    GTEST_SKIP() << "Debian's chromium is not installed (scripts/install-deps.sh installs it)";
  Story s;
  auto html = s.w.cli({"report", "--pair", "payments", "--format", "html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  ASSERT_EQ(html.out.find("<tbody>"), std::string::npos);
  const std::string page = s.w.dir() + "/report.html";
  write_file(page, html.out);
  auto dom = run({browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--user-data-dir=" + s.w.dir() + "/chromium", "--dump-dom", "file://" + page},
                 {}, 120000);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("<tbody>"), std::string::npos) << "not a browser's DOM:\n" << dom.out.substr(0, 400);
  EXPECT_NE(dom.out.find("<section id=\"summary\">"), std::string::npos);
  EXPECT_NE(dom.out.find("<b>2</b>findings open"), std::string::npos);
  EXPECT_NE(dom.out.find("<b>" + std::to_string(s.applied) + "</b>changes applied by sync"), std::string::npos);
  EXPECT_NE(dom.out.find("<svg id=\"chart-svg\""), std::string::npos);
  EXPECT_NE(dom.out.find("<polyline class=\"open\""), std::string::npos);
  EXPECT_EQ(count_of(dom.out, "<rect x="), 1 + 2) << "one bar for the one sync, two in the legend";
  EXPECT_EQ(count_of(dom.out, "<tr class=\"finding\">"), static_cast<int>(s.first_failures.size()) + 2);
  EXPECT_EQ(count_of(dom.out, "<tr class=\"change\">"), s.applied + count_of(dom.out, "<td class=\"failed\">"));
  EXPECT_NE(dom.out.find("late_joiner"), std::string::npos);
}

}  // namespace
}  // namespace e2e
