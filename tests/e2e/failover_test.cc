// The drill of issue 11, replayed against the real `understudy` binary and the emulated HA pair
// (tests/emulator/cluster, in-process): pre-stage → pre-cutover → planned failover → activate →
// post-failover → a password rotation, a new login and a changed job step on the new primary →
// the nightly drift-sync (scripts/nightly-drift-sync.sh, unchanged) carries them to the new
// secondary and changes nothing on the new primary → fail back → the same in the home direction;
// and a forced failover with the old primary stopped. For an availability group (SQL Server) and a
// Managed Instance failover group. Every step is asserted; jobs are enabled only on the live
// primary at every step. No sleeps: the cluster's transitions are synchronous.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster/cluster.h"
#include "process.h"
#include "sql_rows.h"

namespace e2e {
namespace {

constexpr const char* kPassword = "Drill-Passw0rd!";
const char* kJobsSql = "SELECT name, enabled FROM msdb.dbo.sysjobs ORDER BY name";
const std::vector<std::string> kJobsOn = {"Ledger close|1", "Nightly settlement|1"};
const std::vector<std::string> kJobsOff = {"Ledger close|0", "Nightly settlement|0"};

struct Drill {
  // `pair_toml`: more keys of [pairs.payments] (e.g. jobs_on_secondary).
  explicit Drill(const std::string& mechanism, int edition, const std::string& pair_toml = "") {
    emu::ClusterOptions o;
    // A managed instance holds no Windows login and no CmdExec step: the failover group's primary
    // is the payments fixture without them.
    o.fixtures[0] = std::string(UNDERSTUDY_SOURCE_DIR) +
                    (edition == 8 ? "/tests/fixtures/payments-mi-primary.json" : "/tests/fixtures/payments-primary.json");
    o.fixtures[1] = std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/fixtures/empty-secondary.json";
    o.names[0] = "PAYMENTS-EAST";
    o.names[1] = "PAYMENTS-WEST";
    o.mechanism = mechanism;
    o.engine_edition = edition;
    o.group = "payments-ag";
    o.sa_password = kPassword;
    cluster = std::make_unique<emu::Cluster>(o);
    dir = make_temp_dir("understudy-failover");
    env = {{"DRILL_SA_PASSWORD", kPassword}, {"DRILL_CREDENTIAL_SECRET", "drill-credential-secret"},
           {"DRILL_LINKED_SECRET", "drill-linked-secret"}, {"UNDERSTUDY_CONFIG", dir + "/understudy.toml"},
           {"UNDERSTUDY", UNDERSTUDY_BIN}};
    auto cs = [&](uint16_t port) { return cluster->connection_string_without_password(port); };
    std::string toml = "store = \"" + dir + "/understudy.db\"\n";
    const char* names[2] = {"east", "west"};
    for (int i = 0; i < 2; ++i)
      toml += std::string("[instances.") + names[i] + "]\nconnection = \"" + cs(cluster->port(i)) +
              "\"\npassword_env = \"DRILL_SA_PASSWORD\"\nlogin_timeout = \"3s\"\n";
    toml += "[pairs.payments]\nprimary = \"east\"\nsecondary = \"west\"\nread_write_listener = \"" + cs(cluster->rw_port()) +
            "\"\nread_only_listener = \"" + cs(cluster->ro_port()) + "\"\n" + pair_toml;
    toml += "[secrets.credentials]\npayments_backup_url = { env = \"DRILL_CREDENTIAL_SECRET\" }\n";
    toml += "[secrets.linked_server_logins]\n\"LEDGER_ARCHIVE|app_ledger_svc\" = { env = \"DRILL_LINKED_SECRET\" }\n";
    write_file(dir + "/understudy.toml", toml);
  }
  ~Drill() { std::filesystem::remove_all(dir); }

  RunResult cli(std::vector<std::string> args) const {
    args.insert(args.begin(), UNDERSTUDY_BIN);
    return run(args, env);
  }
  RunResult nightly() const {
    return run({"/bin/bash", std::string(UNDERSTUDY_SOURCE_DIR) + "/scripts/nightly-drift-sync.sh", "payments"}, env);
  }
  std::vector<std::string> query(int instance, const std::string& sql) const {
    return query_rows(cluster->connection_string_without_password(cluster->port(instance)), kPassword,
                      cluster->name(instance), sql);
  }
  // What the nightly sync must never touch on the live primary, and must carry to the secondary.
  std::vector<std::string> logins(int instance) const {
    return query(instance, "SELECT name, CAST(is_disabled AS int), password_hash FROM sys.sql_logins "
                           "WHERE name LIKE N'app[_]%' ORDER BY name");
  }
  std::vector<std::string> step(int instance) const {
    return query(instance, "SELECT s.command FROM msdb.dbo.sysjobsteps AS s JOIN msdb.dbo.sysjobs AS j "
                           "ON j.job_id = s.job_id WHERE j.name = N'Ledger close' AND s.step_id = 1");
  }
  void expect_jobs_on(int primary, const std::string& when) const {
    EXPECT_EQ(query(primary, kJobsSql), kJobsOn) << when << ": jobs on the primary " << cluster->name(primary);
    EXPECT_EQ(query(1 - primary, kJobsSql), kJobsOff) << when << ": jobs on the secondary " << cluster->name(1 - primary);
  }
  // A rotation, a new login and a changed job step, made on the live primary.
  void change_on(int primary, const std::string& tag) const {
    query(primary, "ALTER LOGIN [app_settlement_svc] WITH PASSWORD = N'Rotated-" + tag + "-Passw0rd!'");
    query(primary, "CREATE LOGIN [app_new_" + tag + "] WITH PASSWORD = N'New-" + tag + "-Passw0rd!'");
    query(primary, "EXEC msdb.dbo.sp_update_jobstep @job_name = N'Ledger close', @step_id = 1, @command = N'SELECT ''" +
                       tag + "'';'");
  }

  std::unique_ptr<emu::Cluster> cluster;
  std::string dir;
  std::map<std::string, std::string> env;
};

void expect_ok(const RunResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 0) << what << "\n" << r.out << r.err;
}

// One direction of the drill: the primary changes things, the nightly job carries them over.
void nightly_carries_changes(Drill& d, int primary, const std::string& tag) {
  d.change_on(primary, tag);
  const auto primary_logins = d.logins(primary);
  const auto primary_step = d.step(primary);
  const uint64_t writes_before = d.cluster->server(primary).stats().writes.load();
  expect_ok(d.nightly(), "nightly drift-sync (" + tag + ")");
  // Nothing written to the live primary: the rotation and the new login stand as made there.
  EXPECT_EQ(d.cluster->server(primary).stats().writes.load(), writes_before) << tag;
  EXPECT_EQ(d.logins(primary), primary_logins) << tag;
  // The secondary has them: the rotated hash, the new login, the changed step.
  EXPECT_EQ(d.logins(1 - primary), primary_logins) << tag;
  EXPECT_EQ(d.step(1 - primary), primary_step) << tag;
  d.expect_jobs_on(primary, "after the nightly sync (" + tag + ")");
}

class FailoverDrill : public ::testing::TestWithParam<std::pair<const char*, int>> {};

TEST_P(FailoverDrill, PlannedFailoverActivateNightlyFailBack) {
  Drill d(GetParam().first, GetParam().second);
  // Pre-stage.
  expect_ok(d.cli({"snapshot", "--pair", "payments"}), "snapshot");
  expect_ok(d.cli({"sync", "--pair", "payments", "--apply"}), "pre-stage sync");
  d.expect_jobs_on(0, "after pre-staging");
  expect_ok(d.cli({"gate", "pre-cutover", "--pair", "payments", "--state", "synchronized"}), "pre-cutover");
  // Planned failover to WEST, then activate.
  ASSERT_EQ(d.cluster->failover("planned"), "");
  expect_ok(d.cli({"activate", "--pair", "payments"}), "activate after the failover");
  d.expect_jobs_on(1, "after activate");
  expect_ok(d.cli({"gate", "post-failover", "--pair", "payments"}), "post-failover");
  nightly_carries_changes(d, 1, "west");
  // Fail back to EAST, activate, the home direction.
  ASSERT_EQ(d.cluster->failover("planned"), "");
  expect_ok(d.cli({"activate", "--pair", "payments"}), "activate after failing back");
  d.expect_jobs_on(0, "after failing back");
  expect_ok(d.cli({"gate", "post-failover", "--pair", "payments", "--expect", "primary"}), "post-failover (home)");
  nightly_carries_changes(d, 0, "east");
}

// The issue's exact scenario: planned failover, then on the new primary a password rotation and a
// new login, then the nightly job as documented (`snapshot` + `sync --apply --prune disable`), no
// `activate` in between. The live primary keeps the rotated hash and the new login (enabled); the
// live secondary gets both; no replayed job is enabled on the live secondary — the sync's step 0
// (the roles changed since the last activation) moved the jobs over, and its plan said so first.
TEST_P(FailoverDrill, TheIssueScenarioLeavesTheLivePrimaryAsTheRotationMadeIt) {
  Drill d(GetParam().first, GetParam().second);
  expect_ok(d.cli({"snapshot", "--pair", "payments"}), "snapshot");
  expect_ok(d.cli({"sync", "--pair", "payments", "--apply"}), "home sync");
  ASSERT_EQ(d.cluster->failover("planned"), "");
  d.query(1, "ALTER LOGIN [app_settlement_svc] WITH PASSWORD = N'Rotated-After-Failover-1!'");
  d.query(1, "CREATE LOGIN [app_new_svc] WITH PASSWORD = N'New-Svc-Passw0rd-2!'");
  const auto after_rotation = d.logins(1);
  ASSERT_NE(after_rotation, d.logins(0));

  // A plan first: step 0 shown, nothing written (the jobs are still where they were).
  auto plan = d.cli({"sync", "--pair", "payments"});
  EXPECT_EQ(plan.exit_code, 1) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("step 0 — the roles changed since the last activation"), std::string::npos) << plan.out;
  d.expect_jobs_on(0, "a plan changes nothing");

  expect_ok(d.cli({"snapshot", "--pair", "payments"}), "nightly snapshot");
  auto nightly = d.cli({"sync", "--pair", "payments", "--apply", "--prune", "disable"});
  expect_ok(nightly, "nightly sync");
  EXPECT_NE(nightly.out.find("reverse direction: from west to east, the reverse of the pair's configuration"),
            std::string::npos)
      << nightly.out;
  EXPECT_EQ(d.logins(1), after_rotation) << "the live primary: hash and login as after the rotation";
  EXPECT_EQ(d.logins(0), after_rotation) << "the live secondary: the rotation and the new login carried";
  EXPECT_EQ(d.query(0, "SELECT name FROM msdb.dbo.sysjobs WHERE enabled = 1"), std::vector<std::string>{})
      << "no replayed job enabled on the live secondary";
  d.expect_jobs_on(1, "after the nightly sync");
}

TEST_P(FailoverDrill, ForcedFailoverWithTheOldPrimaryStopped) {
  Drill d(GetParam().first, GetParam().second);
  expect_ok(d.cli({"snapshot", "--pair", "payments"}), "snapshot");
  expect_ok(d.cli({"sync", "--pair", "payments", "--apply"}), "home sync");
  // Made on EAST after its last snapshot: stranded when EAST goes dark.
  d.query(0, "CREATE LOGIN [stranded_svc] WITH PASSWORD = N'Stranded-Passw0rd!'");
  ASSERT_EQ(d.cluster->stop("PAYMENTS-EAST"), "");
  ASSERT_EQ(d.cluster->failover("forced"), "");
  // The sync's target is the dark old primary: it stops at connecting and writes nothing — not
  // even its step 0 (the jobs) on the new primary.
  const uint64_t writes = d.cluster->server(1).stats().writes.load();
  auto sync = d.cli({"sync", "--pair", "payments", "--apply"});
  EXPECT_EQ(sync.exit_code, 69) << sync.out << sync.err;
  EXPECT_EQ(d.cluster->server(1).stats().writes.load(), writes) << sync.out << sync.err;
  EXPECT_EQ(d.query(1, kJobsSql), kJobsOff);
  // The gates compare the new primary against EAST's last snapshot, and say so.
  auto gate = d.cli({"gate", "logins", "--pair", "payments", "--format", "json"});
  EXPECT_EQ(gate.exit_code, 0) << gate.out << gate.err;
  const auto body = nlohmann::json::parse(gate.out);
  EXPECT_EQ(body["primary_reachable"], false) << gate.out;
  EXPECT_EQ(body["primary_snapshot"]["id"], "1") << gate.out;
  EXPECT_NE(body["direction"].get<std::string>().find(
                "the old primary east is unreachable: comparing the new primary west against east's last snapshot"),
            std::string::npos)
      << gate.out;
  // Activate: jobs on WEST from EAST's last snapshot; the dark secondary is reported (exit 4).
  auto act = d.cli({"activate", "--pair", "payments"});
  EXPECT_EQ(act.exit_code, 4) << act.out << act.err;
  EXPECT_NE(act.out.find("the secondary east could not be read"), std::string::npos) << act.out;
  EXPECT_EQ(d.query(1, kJobsSql), kJobsOn);
  // The old primary returns as the secondary: its stranded login is listed as stranded (exit 4
  // while it is left) and left alone — neither disabled there nor carried to the new primary.
  ASSERT_EQ(d.cluster->start("PAYMENTS-EAST"), "");
  for (const auto& db : d.cluster->databases()) ASSERT_EQ(d.cluster->set_ha(db, "SYNCHRONIZED", "HEALTHY", 0), "");
  auto nightly = d.nightly();
  EXPECT_EQ(nightly.exit_code, 4) << nightly.out << nightly.err;
  EXPECT_NE(nightly.out.find("  stranded login \"stranded_svc\": stranded on east: created or changed there after "
                             "snapshot 1, the last of its state that reached west"),
            std::string::npos)
      << nightly.out;
  EXPECT_EQ(d.query(0, "SELECT name, CAST(is_disabled AS int) FROM sys.sql_logins WHERE name = N'stranded_svc'"),
            (std::vector<std::string>{"stranded_svc|0"}));
  EXPECT_EQ(d.query(1, "SELECT COUNT(*) FROM sys.sql_logins WHERE name = N'stranded_svc'"),
            (std::vector<std::string>{"0"}));
  d.expect_jobs_on(1, "after the old primary returned and the nightly sync ran");
}

// Bad input from the instances themselves: both report PRIMARY (a partition, or an old primary
// back from a forced failover). Every command that would write is refused with exit 5 naming what
// each instance said, the gates answer unknown, and neither instance is written to.
TEST_P(FailoverDrill, SplitBrainIsRefusedAndNothingIsWritten) {
  Drill d(GetParam().first, GetParam().second);
  expect_ok(d.cli({"snapshot", "--pair", "payments"}), "snapshot");
  expect_ok(d.cli({"sync", "--pair", "payments", "--apply"}), "home sync");
  d.query(0, "CREATE LOGIN [app_after_split] WITH PASSWORD = N'After-Split-Passw0rd!'");
  ASSERT_EQ(d.cluster->split_brain(), "");
  const uint64_t writes[2] = {d.cluster->server(0).stats().writes.load(), d.cluster->server(1).stats().writes.load()};
  for (const auto& args : std::vector<std::vector<std::string>>{{"sync", "--pair", "payments", "--apply", "--prune", "drop"},
                                                               {"activate", "--pair", "payments"},
                                                               {"snapshot", "--pair", "payments"}}) {
    auto r = d.cli(args);
    EXPECT_EQ(r.exit_code, 5) << args[0] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("both instances report PRIMARY: split brain"), std::string::npos) << args[0] << ": " << r.err;
  }
  auto gate = d.cli({"gate", "post-failover", "--pair", "payments"});
  EXPECT_EQ(gate.exit_code, 2) << gate.out << gate.err;
  EXPECT_EQ(d.cluster->server(0).stats().writes.load(), writes[0]);
  EXPECT_EQ(d.cluster->server(1).stats().writes.load(), writes[1]);
  EXPECT_EQ(d.query(1, "SELECT COUNT(*) FROM sys.sql_logins WHERE name = N'app_after_split'"),
            (std::vector<std::string>{"0"}));
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, FailoverDrill,
                         ::testing::Values(std::make_pair("availability_group", 3), std::make_pair("failover_group", 8)),
                         [](const auto& info) { return std::string(info.param.first); });

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// jobs_on_secondary = "enabled" (jobs that check their replica's role themselves): the secondary
// gets the primary's enabled flags. A job kept off on the DR side before a failover is enabled on
// the new primary by the sync's step 0 — and that counts in the sync's source, so the same sync
// does not then replay the new primary's snapshot (taken before step 0, the job off) onto the new
// secondary and switch the job off there.
TEST(FailoverJobsEnabledOnSecondary, StepZeroCountsInTheSource) {
  Drill d("availability_group", 3, "jobs_on_secondary = \"enabled\"\n");
  expect_ok(d.cli({"snapshot", "--pair", "payments"}), "snapshot");
  expect_ok(d.cli({"sync", "--pair", "payments", "--apply"}), "home sync");
  EXPECT_EQ(d.query(1, kJobsSql), kJobsOn) << "enabled on the secondary too";
  d.query(1, "EXEC msdb.dbo.sp_update_job @job_name = N'Ledger close', @enabled = 0");
  ASSERT_EQ(d.cluster->failover("planned"), "");
  expect_ok(d.cli({"snapshot", "--pair", "payments"}), "snapshot of the new primary (Ledger close off)");
  auto sync = d.cli({"sync", "--pair", "payments", "--apply"});
  expect_ok(sync, "sync with step 0");
  EXPECT_NE(sync.out.find("step 0 — the roles changed since the last activation"), std::string::npos) << sync.out;
  EXPECT_NE(sync.out.find("enable job 'Ledger close' on west: done"), std::string::npos) << sync.out;
  EXPECT_EQ(d.query(1, kJobsSql), kJobsOn) << "the new primary: step 0 enabled Ledger close";
  EXPECT_EQ(d.query(0, kJobsSql), kJobsOn) << "the new secondary keeps the primary's flags, as after step 0";
  // Converged: the next nightly (a snapshot, then a sync) has nothing to do.
  expect_ok(d.cli({"snapshot", "--pair", "payments"}), "next snapshot");
  auto again = d.cli({"sync", "--pair", "payments"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

}  // namespace
}  // namespace e2e
