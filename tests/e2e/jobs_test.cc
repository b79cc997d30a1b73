// Agent jobs run only on the primary (issue 11 item 5), against real processes: the `understudy`
// binary (snapshot, sync, diff, activate, gate, serve) and two emulator processes holding the
// payments primary and an empty secondary (tests/fixtures). The pair's configured direction is
// the live one here; tests/e2e/failover_test.cc covers the roles changing.
#include <gtest/gtest.h>

#include "world.h"

namespace e2e {
namespace {

const char* kJobsSql = "SELECT name, enabled FROM msdb.dbo.sysjobs ORDER BY name";
const std::vector<std::string> kAllEnabled = {"Ledger close|1", "Nightly settlement|1"};
const std::vector<std::string> kAllDisabled = {"Ledger close|0", "Nightly settlement|0"};

const char* kJobsGate = R"({"format_version": 1, "name": "jobs", "description": "Agent jobs only on the primary.", "pairs": ["*"], "checks": [{"type": "jobs_active"}]})";

void prestage(World& w) {
  ASSERT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  auto sync = w.cli({"sync", "--pair", "payments", "--apply"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
}

void set_enabled(World& w, bool on_primary, const std::string& job, int enabled) {
  w.query(on_primary, "EXEC msdb.dbo.sp_update_job @job_name = N'" + job + "', @enabled = " + std::to_string(enabled));
}

TEST(JobsOnSecondary, SyncReplaysJobsDisabledAndTheirEnabledFlagIsComparedAgainstThat) {
  World w;
  prestage(w);
  EXPECT_EQ(w.query(true, kJobsSql), kAllEnabled);
  EXPECT_EQ(w.query(false, kJobsSql), kAllDisabled);  // replayed disabled: they must not fire on the secondary
  auto diff = w.cli({"diff", "--pair", "payments"});
  EXPECT_EQ(diff.exit_code, 0) << diff.out;  // disabled on the secondary is what is expected, not drift
  // A job switched on by hand on the secondary is drift, and the next sync switches it off again.
  set_enabled(w, false, "Ledger close", 1);
  diff = w.cli({"diff", "--pair", "payments", "--format", "json"});
  EXPECT_EQ(diff.exit_code, 1);
  EXPECT_NE(diff.out.find("\"enabled\""), std::string::npos) << diff.out;
  EXPECT_NE(diff.out.find("Ledger close"), std::string::npos);
  ASSERT_EQ(w.cli({"sync", "--pair", "payments", "--apply"}).exit_code, 0);
  EXPECT_EQ(w.query(false, kJobsSql), kAllDisabled);
  // Every other field is compared as before: a changed step on the primary is drift.
  w.exec_on_primary("EXEC msdb.dbo.sp_update_jobstep @job_name = N'Ledger close', @step_id = 1, @command = N'SELECT 2;'");
  ASSERT_EQ(w.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  EXPECT_EQ(w.cli({"diff", "--pair", "payments"}).exit_code, 1);
  ASSERT_EQ(w.cli({"sync", "--pair", "payments", "--apply"}).exit_code, 0);
  EXPECT_EQ(w.query(false, "SELECT s.command FROM msdb.dbo.sysjobsteps AS s JOIN msdb.dbo.sysjobs AS j "
                           "ON j.job_id = s.job_id WHERE j.name = N'Ledger close' AND s.step_id = 1"),
            (std::vector<std::string>{"SELECT 2;"}));
  EXPECT_EQ(w.query(false, kJobsSql), kAllDisabled);
}

TEST(JobsOnSecondary, EnabledReplaysThePrimarysFlag) {
  World w({.pair_settings = "jobs_on_secondary = \"enabled\"\n"});
  prestage(w);
  EXPECT_EQ(w.query(false, kJobsSql), kAllEnabled);
  EXPECT_EQ(w.cli({"diff", "--pair", "payments"}).exit_code, 0);
}

TEST(JobsOnSecondary, AnotherValueIsAConfigErrorNamingTheKey) {
  World w({.pair_settings = "jobs_on_secondary = \"sometimes\"\n"});
  auto r = w.cli({"config", "check"});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_NE(r.err.find("pairs.payments.jobs_on_secondary must be \"disabled\" or \"enabled\""), std::string::npos) << r.err;
}

TEST(Activate, JobsOnThePrimaryOnlyIdempotentAuditedOverCliAndHttp) {
  World w({.extra_gate = kJobsGate, .extra_gate_name = "jobs"});
  prestage(w);
  auto first = w.cli({"gate", "jobs", "--pair", "payments"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // A job switched on by hand on the secondary, one switched off on the primary after the snapshot.
  set_enabled(w, false, "Nightly settlement", 1);
  set_enabled(w, true, "Ledger close", 0);
  auto gate = w.cli({"gate", "jobs", "--pair", "payments", "--format", "json"});
  EXPECT_EQ(gate.exit_code, 1);
  EXPECT_NE(gate.out.find("enabled_on_secondary"), std::string::npos) << gate.out;
  EXPECT_NE(gate.out.find("disabled_on_primary"), std::string::npos) << gate.out;

  auto act = w.cli({"activate", "--pair", "payments"});
  EXPECT_EQ(act.exit_code, 0) << act.out << act.err;
  EXPECT_NE(act.out.find("enable job 'Ledger close' on primary: done"), std::string::npos) << act.out;
  EXPECT_NE(act.out.find("disable job 'Nightly settlement' on secondary: done"), std::string::npos) << act.out;
  EXPECT_EQ(w.query(true, kJobsSql), kAllEnabled);
  EXPECT_EQ(w.query(false, kJobsSql), kAllDisabled);
  EXPECT_EQ(w.cli({"gate", "jobs", "--pair", "payments"}).exit_code, 0);
  auto again = w.cli({"activate", "--pair", "payments", "--format", "json"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(again.out)["changes"], nlohmann::json::array());

  // HTTP: operators only; the same operation; audited.
  w.start_serve();
  set_enabled(w, false, "Ledger close", 1);
  auto denied = w.post("/v1/pairs/payments/activate", "", kRunbookToken);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  auto r = w.post("/v1/pairs/payments/activate", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto body = body_json(r);
  ASSERT_EQ(body["changes"].size(), 1u) << body.dump();
  EXPECT_EQ(body["changes"][0], (nlohmann::json{{"instance", "secondary"}, {"job", "Ledger close"}, {"enabled", false},
                                                {"outcome", "done"}}));
  EXPECT_EQ(w.query(false, kJobsSql), kAllDisabled);
  auto bad = w.post("/v1/pairs/payments/activate", R"({"apply": true})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto audit = body_json(w.get("/v1/audit", kAuditorToken));
  int activations = 0;
  for (const auto& e : audit["entries"])
    if (e["action"] == "activate") ++activations;
  EXPECT_EQ(activations, 3);  // every applied activation: the CLI twice (with and without changes), HTTP once
  w.stop_serve();
  EXPECT_EQ(w.cli({"audit", "verify"}).exit_code, 0);
}

TEST(Activate, UnknownPairAndNoSnapshot) {
  World w;
  EXPECT_EQ(w.cli({"activate", "--pair", "nope"}).exit_code, 66);
  auto none = w.cli({"activate", "--pair", "payments"});
  EXPECT_EQ(none.exit_code, 66) << none.err;
  EXPECT_NE(none.err.find("understudy snapshot --pair payments"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace e2e
