// The cutover checks (issue 6) through the emulator over TDS: an emulated cluster (two instances,
// HA views, listeners following the roles) read by the live reads of gates/cutover.h, evaluated
// by gates::evaluate — each check passing and failing for each reason it can fail.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <ctime>

#include "cluster/cluster.h"
#include "config/config.h"
#include "gates/check_cutover.h"
#include "gates/cutover.h"
#include "gates/evaluate.h"
#include "gates/loader.h"
#include "odbc/connection.h"

namespace understudy::gates {
namespace {

constexpr const char* kPasswordEnv = "UNDERSTUDY_CUTOVER_TEST_PW";
const std::string kFixtures = std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/emulator/cluster/fixtures/";

// "<kind> <key> <problem>" per failure, one per line, in body order.
std::string failures_of(const GateResult& r) {
  std::string out;
  for (const auto& f : r.failures) out += std::string(failure_kind(f)) + " " + f.key + " " + f.problem + "\n";
  return out;
}

class CutoverGates : public ::testing::Test {
 protected:
  void start(const std::string& mechanism = "link", int edition = 8,
             const std::string& secondary_fixture = "ha-secondary.json") {
    emu::ClusterOptions o;
    o.fixtures[0] = kFixtures + "ha-primary.json";
    o.fixtures[1] = kFixtures + secondary_fixture;
    o.mechanism = mechanism;
    o.engine_edition = edition;
    cluster = std::make_unique<emu::Cluster>(o);
    setenv(kPasswordEnv, cluster->sa_password().c_str(), 1);
    primary_cs = cluster->connection_string_without_password(cluster->port(0));
    secondary_cs = cluster->connection_string_without_password(cluster->port(1));
    rw_cs = cluster->connection_string_without_password(cluster->rw_port());
    ro_cs = cluster->connection_string_without_password(cluster->ro_port());
  }

  config::Config config() const {
    std::string toml = "store = \"unused.db\"\n";
    auto instance = [&](const char* name, const std::string& cs) {
      toml += std::string("[instances.") + name + "]\nconnection = \"" + cs + "\"\npassword_env = \"" + kPasswordEnv +
              "\"\nlogin_timeout = 3\n";
    };
    instance("primary", primary_cs);
    instance("secondary", secondary_cs);
    toml += "[pairs.dr]\nprimary = \"primary\"\nsecondary = \"secondary\"\n";
    if (!rw_cs.empty()) toml += "read_write_listener = \"" + rw_cs + "\"\n";
    if (!ro_cs.empty()) toml += "read_only_listener = \"" + ro_cs + "\"\n";
    auto cfg = config::load_from_string(toml, "cutover_test.toml");
    EXPECT_TRUE(cfg) << cfg.error().message;
    return *cfg;
  }

  // Evaluates a gate made of `checks` (JSON array text) the way the service does: the inputs the
  // checks declared, read live; `snapshot_age` is the age of the primary snapshot (nullopt: none).
  GateResult eval(const std::string& checks, std::map<std::string, std::string> params = {},
                  std::optional<int64_t> snapshot_age = 60) {
    auto gate = parse_gate(R"({"format_version": 1, "name": "t", "description": "d", "pairs": ["*"], "checks": )" +
                               checks + "}",
                           "t.json");
    EXPECT_TRUE(gate) << gate.error().message;
    auto cfg = config();
    const config::Pair& pair = **cfg.pair("dr");
    EvalInput in;
    in.pair = "dr";
    in.now = std::time(nullptr);
    in.pair_max_age_seconds = 3600;
    in.primary_reachable = true;
    in.primary_instance = "primary";
    in.params = std::move(params);
    unsigned needs = gate_needs(*gate);
    if (needs & (kNeedPrimarySnapshot | kNeedPrimaryAnyAge)) {
      if (snapshot_age)
        in.primary = PrimarySnapshot{"7", "MI-PROD-EASTUS2", in.now - *snapshot_age, {}};
      else
        in.primary = fail(ErrorCode::kNotFound, "no snapshot of primary instance 'primary' in the store");
    }
    gather_cutover(cfg, pair, needs, in);
    if (needs & kNeedTsql) gather_tsql(cfg, pair, *gate, in);
    return evaluate(*gate, in);
  }

  std::unique_ptr<emu::Cluster> cluster;
  std::string primary_cs, secondary_cs, rw_cs, ro_cs;
};

const char* kReplication = R"([{"type": "replication"}])";
const char* kLanding = R"([{"type": "landing"}])";
const char* kOrphans = R"([{"type": "orphaned_users"}])";
const char* kFreshness = R"([{"type": "freshness"}])";

// ---- replication ----

TEST_F(CutoverGates, ReplicationPassesWhenEveryDatabaseIsHealthyAndSynchronized) {
  start();
  auto r = eval(kReplication, {{"state", "synchronized"}, {"max_lag_seconds", "0"}});
  EXPECT_EQ(r.verdict, Verdict::kPass) << failures_of(r);
  EXPECT_EQ(r.checks.at(0).reason, "all 2 user database(s) healthy and synchronized, lag within 0 s");
  EXPECT_EQ(r.target_instance, "MI-PROD-WESTUS2");
  const auto& dbs = r.checks.at(0).details["databases"];
  ASSERT_EQ(dbs.size(), 2u);
  EXPECT_EQ(dbs[0], (nlohmann::json{{"database", "orders"}, {"mechanism", "distributed_availability_group"},
                                    {"group", "fog-prod-sqlmi"}, {"role", "SECONDARY"}, {"state", "SYNCHRONIZED"},
                                    {"health", "HEALTHY"}, {"lag_seconds", 0}, {"lag_reported_by", "target"}}));
  EXPECT_EQ(r.checks.at(0).details["primary"],
            (nlohmann::json{{"instance", "MI-PROD-EASTUS2"}, {"databases", {"orders", "payments"}}}));
}

TEST_F(CutoverGates, ReplicationFailsWhenTheLinksDistributedAgIsNotSynchronizing) {
  start();
  ASSERT_EQ(cluster->set_ha("payments", "NOT_SYNCHRONIZING", "NOT_HEALTHY", std::nullopt), "");
  auto r = eval(kReplication);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r),
            "database payments|fog-prod-sqlmi not_synchronizing\n"
            "database payments|fog-prod-sqlmi unhealthy\n");
  EXPECT_EQ(r.failures.at(0).fields["state"], "NOT SYNCHRONIZING");
  EXPECT_EQ(r.failures.at(0).fields["mechanism"], "distributed_availability_group");
  EXPECT_EQ(r.reason, "2 failures: 1 database not_synchronizing, 1 database unhealthy");
}

TEST_F(CutoverGates, ReplicationLagAndRequiredState) {
  start();
  ASSERT_EQ(cluster->set_ha("orders", "SYNCHRONIZING", std::nullopt, 45), "");
  struct Row {
    std::map<std::string, std::string> params;
    Verdict verdict;
    std::string failures;
  };
  const Row rows[] = {
      {{}, Verdict::kPass, ""},
      {{{"max_lag_seconds", "60"}}, Verdict::kPass, ""},
      {{{"max_lag_seconds", "30"}}, Verdict::kFail, "database orders|fog-prod-sqlmi lag_above_bound\n"},
      {{{"state", "synchronized"}}, Verdict::kFail, "database orders|fog-prod-sqlmi not_synchronized\n"},
  };
  for (const auto& row : rows) {
    auto r = eval(kReplication, row.params);
    EXPECT_EQ(r.verdict, row.verdict) << failures_of(r);
    EXPECT_EQ(failures_of(r), row.failures);
  }
  auto r = eval(kReplication, {{"max_lag_seconds", "30"}});
  EXPECT_EQ(r.failures.at(0).fields["lag_seconds"], 45);
  EXPECT_EQ(r.failures.at(0).fields["max_lag_seconds"], 30);
}

TEST_F(CutoverGates, ReplicationReadsFailoverGroupLinksPerDatabase) {
  start("failover_group");
  auto r = eval(kReplication);
  EXPECT_EQ(r.verdict, Verdict::kPass) << failures_of(r);
  EXPECT_EQ(r.checks.at(0).details["databases"][1]["mechanism"], "failover_group");
  EXPECT_EQ(r.checks.at(0).details["databases"][1]["state"], "CATCH_UP");
  EXPECT_EQ(r.checks.at(0).details["databases"][1]["group"], "MI-PROD-EASTUS2.payments");
  // replication_lag_sec is "available on the primary database only": it is read there, so a lag
  // bound and the synchronized state (a geo link at lag 0) can be proven from the secondary's gate.
  // https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-geo-replication-link-status-azure-sql-database
  r = eval(kReplication, {{"max_lag_seconds", "5"}, {"state", "synchronized"}});
  EXPECT_EQ(r.verdict, Verdict::kPass) << failures_of(r);
  EXPECT_EQ(r.checks.at(0).details["databases"][1]["lag_reported_by"], "primary");
  ASSERT_EQ(cluster->set_ha("payments", std::nullopt, std::nullopt, 45), "");
  r = eval(kReplication, {{"max_lag_seconds", "30"}});
  EXPECT_EQ(failures_of(r), "database payments|MI-PROD-EASTUS2.payments lag_above_bound\n");
  EXPECT_EQ(r.failures.at(0).fields["lag_seconds"], 45);
  ASSERT_EQ(cluster->set_ha("orders", "NOT_SYNCHRONIZING", std::nullopt, std::nullopt), "");
  r = eval(kReplication);
  EXPECT_EQ(failures_of(r), "database orders|MI-PROD-EASTUS2.orders not_synchronizing\n"
                            "database orders|MI-PROD-EASTUS2.orders unhealthy\n");
}

TEST_F(CutoverGates, ReplicationSaysWhatIsUnknownWhenThePrimaryCannotBeRead) {
  start("failover_group");
  primary_cs = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=sa;TDS_Version=7.4";
  // The failover-group lag exists on the primary only: a bound cannot be proven without it.
  auto r = eval(kReplication, {{"max_lag_seconds", "5"}});
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r),
            "database orders|MI-PROD-EASTUS2.orders lag_unknown\n"
            "database payments|MI-PROD-EASTUS2.payments lag_unknown\n");
  EXPECT_EQ(r.checks.at(0).details["primary"]["instance"], nullptr);
  EXPECT_EQ(r.checks.at(0).details["primary"]["error"].get<std::string>().rfind("primary: ", 0), 0u);
  // Without a bound nothing the target shows fails, but the primary's database list is unknown.
  r = eval(kReplication);
  EXPECT_EQ(r.verdict, Verdict::kUnknown) << failures_of(r);
  EXPECT_EQ(r.checks.at(0).reason.rfind("the primary could not be read (primary: ", 0), 0u) << r.checks.at(0).reason;
}

// A database the primary has that is still seeding is not ONLINE on the target (geo-replication:
// "Until seeding completes, you cannot connect to the secondary database"): only the primary's list
// shows it.
TEST_F(CutoverGates, ReplicationFailsForAPrimaryDatabaseNotYetOnTheTarget) {
  start("link", 8, "ha-secondary-seeding.json");
  auto r = eval(kReplication);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r), "database orders missing_on_target\n");
  EXPECT_EQ(r.failures.at(0).fields["primary"], "MI-PROD-EASTUS2");
}

TEST_F(CutoverGates, ReplicationFailsForADatabaseThatDoesNotReplicate) {
  start("link", 3, "ha-secondary-scratch.json");  // scratch exists on the secondary alone
  auto r = eval(kReplication);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r), "database scratch not_replicated\n");
  EXPECT_EQ(r.checks.at(0).details["databases"].size(), 3u);
}

TEST_F(CutoverGates, ReplicationIsUnknownWhenTheTargetIsUnreachable) {
  start();
  secondary_cs = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=sa;TDS_Version=7.4";
  auto r = eval(kReplication);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.reason.rfind("replication state unreadable: secondary: ", 0), 0u) << r.reason;
}

// ---- landing ----

TEST_F(CutoverGates, LandingPassesAndSaysWhichInstanceEachListenerReached) {
  start();
  auto r = eval(kLanding);
  EXPECT_EQ(r.verdict, Verdict::kPass) << failures_of(r);
  EXPECT_EQ(r.checks.at(0).reason,
            "read-write listener reached MI-PROD-EASTUS2 (the pair's primary); read-only listener reached "
            "MI-PROD-WESTUS2 (the pair's secondary), as expected");
  EXPECT_EQ(r.checks.at(0).details["read_only"]["updateability"],
            (nlohmann::json{{"orders", "READ_ONLY"}, {"payments", "READ_ONLY"}}));
  EXPECT_EQ(r.checks.at(0).details["read_write"]["server_property_name"], "MI-PROD-EASTUS2");
}

TEST_F(CutoverGates, LandingFailsWhenTheReadOnlyListenerLandsOnThePrimary) {
  start();
  ro_cs = rw_cs;  // a read-only connection string that reaches the writable primary
  auto r = eval(kLanding);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r),
            "listener read_only wrong_instance\n"
            "listener read_only|orders not_read_only\n"
            "listener read_only|payments not_read_only\n");
  EXPECT_EQ(r.failures.at(0).fields,
            (nlohmann::json{{"reached", "MI-PROD-EASTUS2"}, {"reached_instance", "the pair's primary"},
                            {"expected", "MI-PROD-WESTUS2"}, {"expected_instance", "the pair's secondary"}}));
  EXPECT_EQ(r.failures.at(1).fields["updateability"], "READ_WRITE");
}

TEST_F(CutoverGates, LandingFollowsTheRolesAcrossAFailover) {
  start();
  ASSERT_EQ(cluster->failover("planned"), "");
  auto before = eval(kLanding);
  EXPECT_EQ(before.verdict, Verdict::kFail);
  // The listeners followed the roles (databases READ_WRITE behind read-write), but the instances
  // are not the ones the un-swapped expectation names.
  EXPECT_EQ(failures_of(before), "listener read_only wrong_instance\nlistener read_write wrong_instance\n");
  auto after = eval(kLanding, {{"expect", "swapped"}});
  EXPECT_EQ(after.verdict, Verdict::kPass) << failures_of(after);
  EXPECT_EQ(after.checks.at(0).reason,
            "read-write listener reached MI-PROD-WESTUS2 (the pair's secondary); read-only listener reached "
            "MI-PROD-EASTUS2 (the pair's primary), roles swapped as expected");
}

TEST_F(CutoverGates, LandingIsUnknownWithoutAListenerOrWhenOneIsUnreachable) {
  start();
  ro_cs.clear();
  auto r = eval(kLanding);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.reason, "pair 'dr' has no read_only_listener configured");
  ro_cs = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=sa;TDS_Version=7.4";
  r = eval(kLanding);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.reason.rfind("read-only listener unreachable: read-only listener: ", 0), 0u) << r.reason;
}

// ---- orphaned users ----

TEST_F(CutoverGates, OrphanedUsersListsALoginRecreatedWithANewSidInBothDatabases) {
  start();
  auto r = eval(kOrphans);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(failures_of(r),
            "database_user orders|app_svc orphaned_sid_mismatch\n"
            "database_user payments|app_svc orphaned_sid_mismatch\n");
  EXPECT_EQ(r.failures.at(0).fields,
            (nlohmann::json{{"database", "orders"}, {"user", "app_svc"}, {"type", "SQL_USER"},
                            {"sid", "0xA1A1A1A1000000000000000000000001"}, {"login", "app_svc"},
                            {"login_sid", "0xC3C3C3C3000000000000000000000003"}}));
  EXPECT_EQ(r.checks.at(0).details["databases"], (nlohmann::json{"orders", "payments"}));

  // The fix: the login again, with the primary's SID.
  auto conn = odbc::Connection::connect({.connection_string = secondary_cs, .password = Secret(cluster->sa_password()),
                                         .label = "secondary"});
  ASSERT_TRUE(conn) << conn.error().message;
  auto fixed = conn->execute("DROP LOGIN [app_svc]; CREATE LOGIN [app_svc] WITH PASSWORD = N'App-Passw0rd!', "
                             "SID = 0xA1A1A1A1000000000000000000000001");
  ASSERT_TRUE(fixed) << fixed.error().message;
  r = eval(kOrphans);
  EXPECT_EQ(r.verdict, Verdict::kPass) << failures_of(r);
  EXPECT_EQ(r.checks.at(0).reason, "no orphaned users in 2 user database(s)");
}

TEST_F(CutoverGates, OrphanedUsersWithoutAnyLoginOfThatName) {
  start();
  auto conn = odbc::Connection::connect({.connection_string = secondary_cs, .password = Secret(cluster->sa_password()),
                                         .label = "secondary"});
  ASSERT_TRUE(conn) << conn.error().message;
  ASSERT_TRUE(conn->execute("DROP LOGIN [app_svc]; DROP LOGIN [rpt_svc]"));
  auto r = eval(kOrphans);
  EXPECT_EQ(failures_of(r),
            "database_user orders|app_svc orphaned\n"
            "database_user orders|rpt_svc orphaned\n"
            "database_user payments|app_svc orphaned\n"
            "database_user payments|rpt_svc orphaned\n");
  EXPECT_EQ(r.failures.at(1).fields["login"], nullptr);
}

// One UNION ALL over every database fails whole (error 976) when one of them is an availability
// group secondary without read access; such databases are left out, listed, and the check is
// unknown when the readable ones are clean.
// https://learn.microsoft.com/sql/database-engine/availability-groups/windows/active-secondaries-readable-secondary-replicas-always-on-availability-groups
TEST_F(CutoverGates, OrphanedUsersSkipsAndNamesANonReadableSecondaryDatabase) {
  const std::string path = ::testing::TempDir() + "orphans-nonreadable.json";
  {
    nlohmann::json f = nlohmann::json::parse(std::ifstream(kFixtures + "ha-secondary.json"));
    const std::string group = "6A0C3D20-0000-4000-8000-000000000301";
    f["ha"] = {{"availability_groups", {{{"group_id", group}, {"name", "orders-ag"}}}},
               {"availability_replicas",
                {{{"replica_id", "6A0C3D20-0000-4000-8000-000000000302"}, {"group_id", group},
                  {"replica_server_name", "UNDERSTUDY-EMU"}, {"secondary_role_allow_connections", 0},
                  {"secondary_role_allow_connections_desc", "NO"}}}},
               {"database_replica_states",
                {{{"database", "orders"}, {"group_id", group}, {"replica_id", "6A0C3D20-0000-4000-8000-000000000302"},
                  {"is_local", true}, {"is_primary_replica", false}, {"synchronization_state", 2},
                  {"synchronization_state_desc", "SYNCHRONIZED"}, {"synchronization_health", 2},
                  {"synchronization_health_desc", "HEALTHY"}}}}};
    std::ofstream(path) << f.dump();
  }
  emu::TestServer server({.fixture = path});
  setenv(kPasswordEnv, server.sa_password().c_str(), 1);
  primary_cs = secondary_cs = server.connection_string_without_password();
  {
    auto conn = odbc::Connection::connect({.connection_string = secondary_cs, .password = Secret(server.sa_password()),
                                           .label = "secondary"});
    ASSERT_TRUE(conn) << conn.error().message;
    auto refused = conn->query("SELECT name FROM [orders].sys.database_principals");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().native, 976);
    ASSERT_TRUE(conn->execute("DROP LOGIN [app_svc]; CREATE LOGIN [app_svc] WITH PASSWORD = N'App-Passw0rd!', "
                              "SID = 0xA1A1A1A1000000000000000000000001"));
  }
  auto r = eval(kOrphans);
  EXPECT_EQ(r.verdict, Verdict::kUnknown) << failures_of(r);
  EXPECT_EQ(r.checks.at(0).reason,
            "no orphaned users in 1 readable user database(s); not readable on the target (availability group "
            "secondary without read access): orders");
  EXPECT_EQ(r.checks.at(0).details["unreadable_databases"], (nlohmann::json{"orders"}));
  EXPECT_EQ(r.checks.at(0).details["databases"], (nlohmann::json{"payments"}));
}

// ---- freshness ----

TEST_F(CutoverGates, FreshnessTable) {
  start();
  struct Row {
    const char* what;
    bool primary_up;
    std::optional<int64_t> age;
    Verdict verdict;
    std::string failures;
    bool reachable;
  };
  const Row rows[] = {
      {"recent snapshot, primary up", true, 60, Verdict::kPass, "", true},
      {"old snapshot, primary up", true, 7200, Verdict::kFail, "snapshot MI-PROD-EASTUS2 stale\n", true},
      {"no snapshot", true, std::nullopt, Verdict::kFail, "snapshot primary missing\n", true},
      {"recent snapshot, primary dark", false, 60, Verdict::kPass, "", false},
      {"old snapshot, primary dark", false, 7200, Verdict::kFail, "snapshot MI-PROD-EASTUS2 stale\n", false},
  };
  const std::string up = primary_cs;
  for (const auto& row : rows) {
    primary_cs = row.primary_up ? up : "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=sa;TDS_Version=7.4";
    auto r = eval(kFreshness, {}, row.age);
    EXPECT_EQ(r.verdict, row.verdict) << row.what;
    EXPECT_EQ(failures_of(r), row.failures) << row.what;
    EXPECT_EQ(r.primary_reachable, row.reachable) << row.what;
  }
  primary_cs = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=sa;TDS_Version=7.4";
  auto dark = eval(kFreshness, {}, 60);
  EXPECT_EQ(dark.checks.at(0).reason,
            "primary snapshot 7 is 60 s old, within 3600 s (primary unreachable; gates compare against this snapshot)");
  EXPECT_EQ(gates::to_json(dark)["primary_reachable"], false);
  EXPECT_EQ(gates::to_json(dark)["primary_snapshot"]["age_seconds"], 60);
  auto stale = eval(kFreshness, {}, 7200);
  EXPECT_EQ(stale.checks.at(0).reason,
            "1 freshness finding(s): primary snapshot 7 is 7200 s old, more than the allowed 3600 s (primary unreachable)");
  EXPECT_EQ(stale.failures.at(0).fields["age_seconds"], 7200);
}

TEST_F(CutoverGates, PreCutoverCombinesObjectsOrphansReplicationAndFreshness) {
  start();
  auto g = load_gate_file(std::string(UNDERSTUDY_SOURCE_DIR) + "/gates/pre-cutover.json");
  ASSERT_TRUE(g) << g.error().message;
  std::vector<std::string> types;
  for (const auto& c : g->checks) types.emplace_back(c->type());
  EXPECT_EQ(types, (std::vector<std::string>{"no_drift", "orphaned_users", "replication", "freshness"}));
  auto post = load_gate_file(std::string(UNDERSTUDY_SOURCE_DIR) + "/gates/post-failover.json");
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->checks.at(0)->to_json(), (nlohmann::json{{"type", "landing"}, {"expect", "swapped"}}));
}

// ---- the emulated cluster's failover ----

TEST_F(CutoverGates, PlannedFailoverNeedsEveryDatabaseSynchronizedForcedLosesTransactions) {
  start();
  ASSERT_EQ(cluster->set_ha("orders", "SYNCHRONIZING", std::nullopt, 12), "");
  EXPECT_EQ(cluster->failover("planned"),
            "planned failover refused: database orders is SYNCHRONIZING and HEALTHY (a planned failover needs every "
            "database SYNCHRONIZED; a forced one may lose data)");
  EXPECT_EQ(cluster->primary(), 0);
  EXPECT_EQ(cluster->failover("forced"), "");
  EXPECT_EQ(cluster->primary(), 1);
  auto st = cluster->state();
  EXPECT_EQ(st["databases"][0]["lost_transactions"], true);
  EXPECT_EQ(st["databases"][1]["lost_transactions"], false);
  auto r = eval(kReplication);  // the new primary's databases are suspended after a forced failover
  EXPECT_EQ(failures_of(r),
            "database orders|fog-prod-sqlmi not_synchronizing\n"
            "database orders|fog-prod-sqlmi unhealthy\n"
            "database payments|fog-prod-sqlmi not_synchronizing\n"
            "database payments|fog-prod-sqlmi unhealthy\n");
}

// ---- parameters and gate files ----

// ---- tsql (docs/gates.md "T-SQL checks") ----

std::string tsql_checks(const std::string& batch, const std::string& on = "target") {
  return R"([{"type": "tsql", "on": ")" + on + R"(", "batch": )" + nlohmann::json(batch).dump() + "}]";
}

TEST_F(CutoverGates, TsqlPassesWhenTheBatchCompletesAndFailsWithItsError) {
  start();
  const std::string gate_batch =
      "DECLARE @required TABLE (name sysname);\n"
      "INSERT INTO @required VALUES (N'sa'), (N'no_such_login');\n"
      "IF EXISTS (SELECT 1 FROM @required r WHERE NOT EXISTS (SELECT 1 FROM sys.server_principals p WHERE p.name = r.name))\n"
      "    THROW 50001, 'Required login(s) missing on MI -- do not cut over.', 1;";
  auto r = eval(tsql_checks(gate_batch));
  ASSERT_EQ(r.verdict, Verdict::kFail) << r.reason;
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(std::string(failure_kind(r.failures[0])), "tsql");
  EXPECT_EQ(r.failures[0].fields["error_number"], 50001);
  EXPECT_EQ(r.failures[0].fields["error_message"], "Required login(s) missing on MI -- do not cut over.");
  std::string passing = gate_batch;
  passing.replace(passing.find("(N'no_such_login')"), std::string("(N'no_such_login')").size(), "(N'sa')");
  r = eval(tsql_checks(passing));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  // A syntax error of the batch is its failure too (caught one scope up).
  r = eval(tsql_checks("SELECT FROM"));
  ASSERT_EQ(r.verdict, Verdict::kFail) << r.reason;
  EXPECT_EQ(r.failures.at(0).fields["error_number"], 156);
}

TEST_F(CutoverGates, TsqlChangesAreRolledBack) {
  start();
  auto r = eval(tsql_checks("CREATE LOGIN [tsql_gate_probe] WITH PASSWORD = N'Pw-12345!probe';"));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  r = eval(tsql_checks("IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'tsql_gate_probe') "
                       "THROW 50002, 'the probe login persisted', 1;"));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  // On the primary too.
  r = eval(tsql_checks("CREATE LOGIN [tsql_gate_probe] WITH PASSWORD = N'Pw-12345!probe'; "
                       "CREATE LOGIN [tsql_gate_probe] WITH PASSWORD = N'Pw-12345!probe';", "primary"));
  ASSERT_EQ(r.verdict, Verdict::kFail) << r.reason;
  EXPECT_EQ(r.failures.at(0).fields["error_number"], 15025);
  r = eval(tsql_checks("IF EXISTS (SELECT 1 FROM sys.server_principals WHERE name = N'tsql_gate_probe') "
                       "THROW 50002, 'the probe login persisted', 1;", "primary"));
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
}

TEST_F(CutoverGates, TsqlIsUnknownWhenTheTargetIsUnreachable) {
  start();
  secondary_cs = "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=sa;TDS_Version=7.4";
  auto r = eval(tsql_checks("SELECT 1"));
  EXPECT_EQ(r.verdict, Verdict::kUnknown) << r.reason;
}

TEST(TsqlChecks, BatchesThatWouldEscapeTheRollbackAreRefused) {
  auto gate = [](const std::string& batch) {
    return parse_gate(R"({"format_version": 1, "name": "t", "description": "d", "pairs": ["*"], "checks": )" +
                          tsql_checks(batch) + "}",
                      "t.json");
  };
  EXPECT_TRUE(gate("SELECT 1 -- COMMIT in a comment is fine\nPRINT 'ROLLBACK in a string is fine'"));
  for (const char* bad : {"BEGIN TRAN; SELECT 1", "SELECT 1; COMMIT", "ROLLBACK TRANSACTION", "SAVE TRAN x",
                          "SELECT 1\nGO\nSELECT 2", "   "}) {
    auto g = gate(bad);
    ASSERT_FALSE(g) << bad;
    EXPECT_NE(g.error().message.find("/checks/0/batch"), std::string::npos) << g.error().message;
  }
  auto example = load_gate_file(std::string(UNDERSTUDY_SOURCE_DIR) + "/gates/examples/required-logins.json");
  ASSERT_TRUE(example) << example.error().message;
  EXPECT_EQ(example->checks.at(0)->to_json()["on"], "target");
}

TEST(CutoverParams, BadValuesNameTheParameter) {
  struct Row {
    std::map<std::string, std::string> params;
    std::string message;
  };
  const Row rows[] = {
      {{{"state", "synced"}}, "parameter state: expected synchronizing or synchronized, found \"synced\""},
      {{{"expect", "secondary"}}, "parameter expect: expected primary or swapped, found \"secondary\""},
      {{{"max_lag_seconds", "-1"}}, "parameter max_lag_seconds: expected a number of seconds, found \"-1\""},
      {{{"max_lag_seconds", ""}}, "parameter max_lag_seconds: expected a number of seconds, found \"\""},
  };
  for (const auto& row : rows) {
    auto st = validate_cutover_params(row.params);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, ErrorCode::kUsage);
    EXPECT_EQ(st.error().message, row.message);
  }
  EXPECT_TRUE(validate_cutover_params({{"state", "synchronized"}, {"expect", "swapped"}, {"max_lag_seconds", "30"}}));
}

TEST(CutoverParams, GateFilesAreValidated) {
  struct Row {
    const char* check;
    std::string message;
  };
  const Row rows[] = {
      {R"({"type": "replication", "state": "maybe"})", "t.json: /checks/0/state: unknown state \"maybe\""},
      {R"({"type": "replication", "max_lag_seconds": -5})", "t.json: /checks/0/max_lag_seconds: "},
      {R"({"type": "landing", "expect": "both"})", "t.json: /checks/0/expect: unknown expectation \"both\""},
      {R"({"type": "orphaned_users", "databases": ["x"]})", "t.json: /checks/0/databases: "},
      {R"({"type": "freshness", "max_age": 5})", "t.json: /checks/0/max_age: "},
  };
  for (const auto& row : rows) {
    auto g = parse_gate(std::string(R"({"format_version": 1, "name": "t", "description": "d", "pairs": ["*"], "checks": [)") +
                            row.check + "]}",
                        "t.json");
    ASSERT_FALSE(g) << row.check;
    EXPECT_EQ(g.error().message.rfind(row.message, 0), 0u) << g.error().message;
  }
}

}  // namespace
}  // namespace understudy::gates
