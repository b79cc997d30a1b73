// Every run is recorded the same way whoever started it (docs/architecture.md): a snapshot and a
// `sync --apply` from the command line — as scripts/demo.sh and scripts/nightly-drift-sync.sh run
// them — are in the service's drift report, its runs and its audit trail like the service's own.
// Regression: the CLI's syncs were missing from GET /v1/reports/drift ("0 changes applied by
// sync", no sync row).
#include <gtest/gtest.h>

#include <set>

#include "world.h"

namespace e2e {
namespace {

TEST(CliRuns, ASyncAppliedFromTheCommandLineIsInTheDriftReport) {
  World w;
  auto snap = w.cli({"snapshot", "--pair", "payments"});
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  auto synced = w.cli({"sync", "--pair", "payments", "--apply", "--format", "json"});
  ASSERT_EQ(synced.exit_code, 0) << synced.out << synced.err;
  auto sync_doc = nlohmann::json::parse(synced.out);
  std::string run_id = sync_doc["run_id"].get<std::string>();
  ASSERT_FALSE(run_id.empty());
  int applied = sync_doc["counts"]["applied"].get<int>();
  ASSERT_GT(applied, 0) << synced.out;

  w.start_serve();
  // The run, as the service records its own: type, actor, what each action did.
  auto run = body_json(w.get("/v1/runs/" + run_id, kAuditorToken));
  EXPECT_EQ(run["type"], "sync");
  EXPECT_EQ(run["pair"], "payments");
  EXPECT_EQ(run["status"], "succeeded");
  EXPECT_EQ(run["actor"].get<std::string>().rfind("cli:", 0), 0u) << run.dump();
  EXPECT_EQ(run["result"]["apply"], true);
  EXPECT_EQ(run["result"]["applied"], applied);

  // The drift report: one sync_apply row per action of that run, `applied` as many times as the
  // CLI said it applied.
  auto rep = body_json(w.get("/v1/reports/drift?pair=payments", kAuditorToken));
  int rows = 0, applied_rows = 0;
  for (const auto& row : rep["rows"]) {
    if (row["run_id"] != run_id) continue;
    EXPECT_EQ(row["event"], "sync_apply");
    ++rows;
    applied_rows += row["status"] == "applied";
  }
  EXPECT_EQ(applied_rows, applied) << rep.dump();
  EXPECT_GE(rows, applied);
  auto html = w.get("/v1/reports/drift?pair=payments&format=html", kAuditorToken);
  ASSERT_TRUE(html);
  EXPECT_NE(html->body.find("<b>" + std::to_string(applied) + "</b>changes applied by sync"), std::string::npos)
      << html->body;

  // The audit trail: the snapshot and the sync (its intent before the first write, its outcome),
  // by the command line's user.
  auto audit = body_json(w.get("/v1/audit", kAuditorToken));
  std::set<std::string> cli_actions;
  for (const auto& e : audit["entries"])
    if (e["actor"].get<std::string>().rfind("cli:", 0) == 0) cli_actions.insert(e["action"].get<std::string>());
  EXPECT_EQ(cli_actions, (std::set<std::string>{"snapshot", "sync.apply.start", "sync.apply"})) << audit.dump();

  // The per-pair metrics come from the same records: the CLI's sync and snapshot count.
  auto metrics = w.get("/metrics", "");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("understudy_sync_last_result{pair=\"payments\",result=\"succeeded\"} 1\n"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("understudy_sync_last_timestamp_seconds{pair=\"payments\"} "), std::string::npos);
  EXPECT_NE(metrics->body.find("understudy_primary_snapshot_age_seconds{pair=\"payments\",instance=\"primary\"} "),
            std::string::npos);
  // A gate answered from the command line is the gate's last answer.
  EXPECT_EQ(w.cli({"gate", "logins", "--pair", "payments"}).exit_code, 0);
  metrics = w.get("/metrics", "");
  EXPECT_NE(metrics->body.find("understudy_gate_last_result{pair=\"payments\",gate=\"logins\",result=\"pass\"} 1\n"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("understudy_open_findings{pair=\"payments\",kind=\"login\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace e2e
