// Roles read live, through the real binary (issue "follow the failover"): the emulated cluster
// (understudy-emulator-cluster, an availability group between PAYMENTS-EAST and PAYMENTS-WEST,
// the drill's fixtures) and pairs whose instances cannot agree on who is primary.
//
// The AG views each side reports follow sys.dm_hadr_availability_replica_states (a secondary
// sees only its own row; role PRIMARY / SECONDARY):
// https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-hadr-availability-replica-states-transact-sql
#include <gtest/gtest.h>

#include <httplib.h>

#include <cstdio>
#include <memory>
#include <sstream>

#include "base/sha256.h"
#include "http/auth.h"
#include "odbc/connection.h"
#include "process.h"
#include "world.h"

namespace e2e {
namespace {

std::string conn_string(int port) {
  return "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=" + std::to_string(port) + ";UID=sa;TDS_Version=7.4;ClientCharset=UTF-8";
}

// Runs one batch; returns the first column of every row of the last result set, as text.
std::vector<std::string> query(int port, const std::string& sql) {
  auto c = understudy::odbc::Connection::connect(
      {.connection_string = conn_string(port), .password = understudy::Secret(kSaPassword), .label = "test"});
  if (!c) throw std::runtime_error("connect: " + c.error().message);
  auto sets = c->execute(sql);
  if (!sets) throw std::runtime_error("query: " + sets.error().message);
  std::vector<std::string> out;
  if (sets->empty()) return out;
  for (const auto& r : sets->back().rows) {
    const auto& v = r[0];
    if (const auto* s = understudy::odbc::as_text(v)) out.push_back(*s);
    else if (const auto* i = understudy::odbc::as_int(v)) out.push_back(std::to_string(*i));
    else if (const auto* b = understudy::odbc::as_bytes(v)) out.push_back(understudy::odbc::to_hex(*b));
    else out.push_back("NULL");
  }
  return out;
}

// A temp dir, a config of two instances east/west and pair payments, and the CLI.
class RolesWorld {
 public:
  RolesWorld() : dir_(make_temp_dir("understudy-roles")) { env_ = {{"E2E_SA_PASSWORD", kSaPassword}}; }
  ~RolesWorld() {
    serve_.reset();
    remove_tree(dir_);
  }
  void configure(int east, int west) {
    std::string toml = "store = \"" + dir_ + "/understudy.db\"\n\n";
    toml += "[service]\nlisten = \"127.0.0.1:0\"\nsnapshot_interval = \"0\"\n";
    toml += "[[service.tokens]]\nname = \"dba-on-call\"\nrole = \"operator\"\nsha256 = \"" +
            understudy::sha256_hex(kOperatorToken) + "\"\n\n";
    for (auto [name, port] : {std::pair{"east", east}, std::pair{"west", west}})
      toml += std::string("[instances.") + name + "]\nconnection = \"" + conn_string(port) +
              "\"\npassword_env = \"E2E_SA_PASSWORD\"\nlogin_timeout = \"5s\"\n\n";
    toml += "[pairs.payments]\nprimary = \"east\"\nsecondary = \"west\"\n\n";
    toml += "[secrets.credentials]\npayments_backup_url = { env = \"E2E_SA_PASSWORD\" }\n\n";
    toml += "[secrets.linked_server_logins]\n\"LEDGER_ARCHIVE|app_ledger_svc\" = { env = \"E2E_SA_PASSWORD\" }\n";
    write_file(dir_ + "/understudy.toml", toml);
  }
  RunResult cli(std::vector<std::string> args) const {
    std::vector<std::string> argv = {UNDERSTUDY_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--config");
    argv.push_back(dir_ + "/understudy.toml");
    return run(argv, env_);
  }
  const std::string& dir() const { return dir_; }
  // `understudy serve` on a free port; returns a client for it.
  httplib::Client serve() {
    serve_ = std::make_unique<Child>(std::vector<std::string>{UNDERSTUDY_BIN, "serve", "--config", dir_ + "/understudy.toml"},
                                     env_, dir_ + "/serve.log");
    httplib::Client c("127.0.0.1", serve_->listening_port());
    c.set_read_timeout(120, 0);
    c.set_default_headers({{"Authorization", std::string("Bearer ") + kOperatorToken}});
    return c;
  }

 private:
  std::string dir_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<Child> serve_;  // destroyed (stopped) before the dir is removed
};

struct Cluster {
  std::unique_ptr<Child> child;
  int east = 0, west = 0, control = 0;
  explicit Cluster(const std::string& dir) {
    const std::string fx = std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/fixtures/";
    child = std::make_unique<Child>(
        std::vector<std::string>{UNDERSTUDY_CLUSTER_BIN, "--sa-password", kSaPassword, "--fixture-0",
                                 fx + "payments-primary.json", "--fixture-1", fx + "empty-secondary.json", "--name-0",
                                 "PAYMENTS-EAST", "--name-1", "PAYMENTS-WEST", "--engine-edition", "3", "--mechanism",
                                 "availability_group", "--group", "payments-ag"},
        std::map<std::string, std::string>{}, dir + "/cluster.log");
    std::istringstream line(child->read_line());
    std::string word;
    while (line >> word) {
      auto eq = word.find('=');
      if (eq == std::string::npos) continue;
      int port = std::stoi(word.substr(eq + 1));
      if (word.rfind("instance0=", 0) == 0) east = port;
      if (word.rfind("instance1=", 0) == 0) west = port;
      if (word.rfind("control=", 0) == 0) control = port;
    }
    if (!east || !west || !control) throw std::runtime_error("cluster did not report its ports");
  }
  void control_post(const std::string& path) {
    httplib::Client c("127.0.0.1", control);
    auto r = c.Post(path.c_str(), "", "application/json");
    if (!r || r->status != 200) throw std::runtime_error(path + " refused: " + (r ? r->body : std::string("no answer")));
  }
  void failover(const std::string& mode) { control_post("/failover?mode=" + mode); }
};

// The home direction's first day: the pair configured over the cluster, the primary (east)
// snapshotted and synced onto west.
void snapshot_and_sync_home(RolesWorld& s, const Cluster& cluster) {
  s.configure(cluster.east, cluster.west);
  auto snap = s.cli({"snapshot", "--pair", "payments"});
  ASSERT_EQ(snap.exit_code, 0) << snap.err;
  ASSERT_NE(snap.out.find("of east"), std::string::npos) << snap.out;
  auto sync = s.cli({"sync", "--pair", "payments", "--apply"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
}

std::string hash_of(int port, const std::string& login) {
  auto rows = query(port, "SELECT password_hash FROM sys.sql_logins WHERE name = N'" + login + "'");
  return rows.empty() ? "" : rows[0];
}
std::string disabled_of(int port, const std::string& login) {
  auto rows = query(port, "SELECT CAST(is_disabled AS int) FROM sys.server_principals WHERE name = N'" + login + "'");
  return rows.empty() ? "absent" : rows[0];
}

// The issue's scenario: after a planned failover and changes on the new primary, the nightly job
// as documented leaves the live primary untouched and carries the changes to the live secondary.
TEST(Roles, NightlyAfterPlannedFailoverCarriesTheNewPrimaryToTheOldOne) {
  RolesWorld s;
  Cluster cluster(s.dir());
  ASSERT_NO_FATAL_FAILURE(snapshot_and_sync_home(s, cluster));

  cluster.failover("planned");
  query(cluster.west,
        "ALTER LOGIN [app_settlement_svc] WITH PASSWORD = N'Rotated-After-Failover-1!';"
        "CREATE LOGIN [app_new_svc] WITH PASSWORD = N'New-Svc-Passw0rd-2!'; SELECT 1");
  const std::string rotated = hash_of(cluster.west, "app_settlement_svc");
  ASSERT_FALSE(rotated.empty());
  ASSERT_NE(rotated, hash_of(cluster.east, "app_settlement_svc"));

  auto nightly_snap = s.cli({"snapshot", "--pair", "payments"});
  ASSERT_EQ(nightly_snap.exit_code, 0) << nightly_snap.err;
  EXPECT_NE(nightly_snap.out.find("of west (PAYMENTS-WEST)"), std::string::npos) << nightly_snap.out;
  auto nightly = s.cli({"sync", "--pair", "payments", "--apply", "--prune", "disable"});
  EXPECT_EQ(nightly.exit_code, 0) << nightly.out << nightly.err;
  EXPECT_NE(nightly.out.find("reverse direction: from west to east, the reverse of the pair's configuration"), std::string::npos) << nightly.out;

  // The live primary: exactly as after the rotation.
  EXPECT_EQ(hash_of(cluster.west, "app_settlement_svc"), rotated);
  EXPECT_EQ(disabled_of(cluster.west, "app_new_svc"), "0");
  // The live secondary got the rotation and the new login.
  EXPECT_EQ(hash_of(cluster.east, "app_settlement_svc"), rotated);
  EXPECT_EQ(disabled_of(cluster.east, "app_new_svc"), "0");

  // The journal and the audit trail say which way it went.
  auto plan = s.cli({"sync", "--pair", "payments", "--format", "json"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("\"reversed\": true"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("\"source\": \"west\""), std::string::npos) << plan.out;
}

// The same day through the service: the sync's run, its audit entry and the drift report say
// that it ran the reverse direction, from the live primary west onto east.
TEST(Roles, TheServiceSaysWhichWayASyncRanAfterAFailover) {
  RolesWorld s;
  Cluster cluster(s.dir());
  ASSERT_NO_FATAL_FAILURE(snapshot_and_sync_home(s, cluster));
  cluster.failover("planned");
  query(cluster.west, "CREATE LOGIN [app_new_svc] WITH PASSWORD = N'New-Svc-Passw0rd-2!'; SELECT 1");
  ASSERT_EQ(s.cli({"snapshot", "--pair", "payments"}).exit_code, 0);

  auto http = s.serve();
  auto sync = http.Post("/v1/pairs/payments/sync", R"({"apply": true})", "application/json");
  ASSERT_TRUE(sync);
  ASSERT_EQ(sync->status, 200) << sync->body;
  auto run = nlohmann::json::parse(sync->body);
  EXPECT_EQ(run["result"]["source"], "west") << run.dump();
  EXPECT_EQ(run["result"]["target"], "east");
  EXPECT_EQ(run["result"]["reversed"], true);
  EXPECT_EQ(disabled_of(cluster.east, "app_new_svc"), "0");

  auto audit = http.Get("/v1/audit");
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  bool found = false;
  const auto entries = nlohmann::json::parse(audit->body);
  for (const auto& e : entries["entries"]) {
    if (e["action"] != "sync.apply" || e["run_id"] != run["id"]) continue;
    found = true;
    EXPECT_EQ(e["detail"]["source"], "west") << e.dump();
    EXPECT_EQ(e["detail"]["reversed"], true) << e.dump();
    EXPECT_NE(e["detail"]["direction"].get<std::string>().find("the reverse of the configured direction"),
              std::string::npos)
        << e.dump();
  }
  EXPECT_TRUE(found) << run["id"] << " not in " << audit->body;

  auto report = http.Get("/v1/reports/drift?pair=payments");
  ASSERT_TRUE(report);
  ASSERT_EQ(report->status, 200) << report->body;
  bool row = false;
  const auto rows = nlohmann::json::parse(report->body);
  for (const auto& r : rows["rows"]) {
    if (r["run_id"] != run["id"]) continue;
    row = true;
    EXPECT_NE(r["direction"].get<std::string>().find("primary west, secondary east; the reverse"), std::string::npos)
        << r.dump();
  }
  EXPECT_TRUE(row) << report->body;
}

// A login created on the old primary after the last sync that reached the new one is stranded:
// the nightly sync after the failover neither disables nor drops it (exit 4, listed), and only
// `sync --carry-stranded` carries it to the new primary — plan first, writes only with --apply.
// The home day, then a login only the old primary ever had (made after the last sync), then the
// region goes dark and the secondary is forced to primary.
void strand_late_login(RolesWorld& s, Cluster& cluster) {
  ASSERT_NO_FATAL_FAILURE(snapshot_and_sync_home(s, cluster));
  query(cluster.east, "CREATE LOGIN [late_login] WITH PASSWORD = N'Late-Login-Passw0rd-3!'; SELECT 1");
  cluster.control_post("/stop?instance=PAYMENTS-EAST");
  cluster.failover("forced");
}

TEST(Roles, ForcedFailoverWithTheOldPrimaryDarkThenItsStrandedObjects) {
  RolesWorld s;
  Cluster cluster(s.dir());
  ASSERT_NO_FATAL_FAILURE(strand_late_login(s, cluster));
  // Sync's target is the dark old primary: nothing is written anywhere.
  auto dark = s.cli({"sync", "--pair", "payments", "--apply"});
  EXPECT_EQ(dark.exit_code, 69) << dark.out << dark.err;
  EXPECT_EQ(disabled_of(cluster.west, "late_login"), "absent");
  // The gate compares the new primary, live, against the old primary's last snapshot, and says so.
  auto gate = s.cli({"gate", "logins", "--pair", "payments", "--format", "json"});
  EXPECT_NE(gate.out.find("the old primary east is unreachable: comparing the new primary west against east's last "
                          "snapshot"),
            std::string::npos)
      << gate.out << gate.err;

  // The old primary returns and rejoins as the secondary (availability group).
  cluster.control_post("/start?instance=PAYMENTS-EAST");
  ASSERT_EQ(s.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  auto nightly = s.cli({"sync", "--pair", "payments", "--apply", "--prune", "drop"});
  EXPECT_EQ(nightly.exit_code, 4) << nightly.out << nightly.err;
  EXPECT_NE(nightly.out.find("stranded login \"late_login\": stranded on east: created or changed there after snapshot"),
            std::string::npos)
      << nightly.out;
  EXPECT_EQ(disabled_of(cluster.east, "late_login"), "0");  // neither dropped nor disabled
  EXPECT_EQ(disabled_of(cluster.west, "late_login"), "absent");

  auto plan = s.cli({"sync", "--pair", "payments", "--carry-stranded"});
  EXPECT_EQ(plan.exit_code, 1) << plan.out << plan.err;  // a plan to run, nothing written
  // The login and the permission that came with it; nothing else.
  EXPECT_NE(plan.out.find("create login \"late_login\""), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("create server_permission \"late_login|SERVER||CONNECT SQL\""), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("2 create, 0 alter, 0 drop, 0 disable"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("carrying 2 stranded object(s) from east to the live primary west"), std::string::npos)
      << plan.out;
  EXPECT_EQ(disabled_of(cluster.west, "late_login"), "absent");

  auto carry = s.cli({"sync", "--pair", "payments", "--carry-stranded", "--apply"});
  EXPECT_EQ(carry.exit_code, 0) << carry.out << carry.err;
  EXPECT_EQ(disabled_of(cluster.west, "late_login"), "0");
  EXPECT_EQ(hash_of(cluster.west, "late_login"), hash_of(cluster.east, "late_login"));
}

// The service's sync takes the operator's two words the CLI takes: `carry_stranded` (plan first,
// then with `apply` the stranded login onto the live primary) and `configured_direction` (the
// group vanished: the configured direction, once). Unknown members and non-booleans are a 400.
TEST(Roles, TheServiceCarriesStrandedObjectsAndConfirmsTheDirectionOnlyWhenAsked) {
  RolesWorld s;
  Cluster cluster(s.dir());
  ASSERT_NO_FATAL_FAILURE(strand_late_login(s, cluster));
  cluster.control_post("/start?instance=PAYMENTS-EAST");
  ASSERT_EQ(s.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  auto http = s.serve();

  for (const char* bad : {R"({"carry": true})", R"({"carry_stranded": "yes"})"}) {
    auto r = http.Post("/v1/pairs/payments/sync", bad, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
  }
  auto nightly = http.Post("/v1/pairs/payments/sync", R"({"apply": true})", "application/json");
  ASSERT_TRUE(nightly);
  ASSERT_EQ(nightly->status, 200) << nightly->body;
  EXPECT_EQ(nlohmann::json::parse(nightly->body)["result"]["exit_code"], 4) << nightly->body;  // stranded, left
  EXPECT_EQ(disabled_of(cluster.west, "late_login"), "absent");

  auto plan = http.Post("/v1/pairs/payments/sync", R"({"carry_stranded": true})", "application/json");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->status, 200) << plan->body;
  EXPECT_NE(plan->body.find("late_login"), std::string::npos) << plan->body;
  EXPECT_EQ(disabled_of(cluster.west, "late_login"), "absent");  // a plan writes nothing
  auto carry = http.Post("/v1/pairs/payments/sync", R"({"carry_stranded": true, "apply": true})", "application/json");
  ASSERT_TRUE(carry);
  ASSERT_EQ(carry->status, 200) << carry->body;
  EXPECT_EQ(nlohmann::json::parse(carry->body)["result"]["exit_code"], 0) << carry->body;
  EXPECT_EQ(disabled_of(cluster.west, "late_login"), "0");
  EXPECT_EQ(hash_of(cluster.west, "late_login"), hash_of(cluster.east, "late_login"));

  // The group goes away: refused (409) until the operator confirms the configured direction.
  cluster.control_post("/remove");
  auto refused = http.Post("/v1/pairs/payments/sync", R"({"apply": true})", "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409) << refused->body;
  auto confirmed = http.Post("/v1/pairs/payments/sync", R"({"apply": true, "configured_direction": true})",
                             "application/json");
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(confirmed->status, 200) << confirmed->body;
}

// Split brain on the emulated link: the old primary of a forced failover comes back still PRIMARY.
TEST(Roles, SplitBrainOnTheClusterIsRefused) {
  RolesWorld s;
  Cluster cluster(s.dir());
  s.configure(cluster.east, cluster.west);
  ASSERT_EQ(s.cli({"snapshot", "--pair", "payments"}).exit_code, 0);
  cluster.control_post("/split-brain");
  auto sync = s.cli({"sync", "--pair", "payments", "--apply"});
  EXPECT_EQ(sync.exit_code, 5) << sync.out << sync.err;
  EXPECT_NE(sync.err.find("both instances report PRIMARY: split brain"), std::string::npos) << sync.err;
  EXPECT_EQ(disabled_of(cluster.west, "app_settlement_svc"), "absent");  // nothing was replayed

  // The HTTP face: the sync is a 409 problem of type roles-unknown, the gate a 503 "unknown".
  auto http = s.serve();
  auto post = http.Post("/v1/pairs/payments/sync", R"({"apply": true})", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 409) << post->body;
  auto problem = nlohmann::json::parse(post->body);
  EXPECT_NE(problem["type"].get<std::string>().find("roles-unknown"), std::string::npos) << post->body;
  // activate, the other operation that writes: the same 409, and no audit entry of an activation.
  auto activate = http.Post("/v1/pairs/payments/activate", "", "application/json");
  ASSERT_TRUE(activate);
  EXPECT_EQ(activate->status, 409) << activate->body;
  auto act_problem = nlohmann::json::parse(activate->body);
  EXPECT_NE(act_problem["type"].get<std::string>().find("roles-unknown"), std::string::npos) << activate->body;
  EXPECT_NE(act_problem["detail"].get<std::string>().find("both instances report PRIMARY: split brain"),
            std::string::npos)
      << activate->body;
  auto audit = http.Get("/v1/audit");
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  const auto audit_json = nlohmann::json::parse(audit->body);  // kept: the loop reads into it
  for (const auto& e : audit_json["entries"]) EXPECT_NE(e["action"], "activate") << e.dump();
  auto gate = http.Get("/v1/gates/logins?pair=payments");
  ASSERT_TRUE(gate);
  EXPECT_EQ(gate->status, 503) << gate->body;
  auto body = nlohmann::json::parse(gate->body);
  EXPECT_EQ(body["status"], "unknown");
  EXPECT_NE(body["reason"].get<std::string>().find("both instances report PRIMARY: split brain"), std::string::npos)
      << gate->body;
  EXPECT_EQ(disabled_of(cluster.west, "app_settlement_svc"), "absent");
}

// The group disappears (a one-way Managed Instance link cutover, a deleted failover group): both
// instances are independent and read-write, so the configured direction is no longer a fact —
// refused until the operator confirms it once with --configured-direction.
TEST(Roles, AGroupThatVanishedNeedsTheOperatorsWordBeforeTheConfiguredDirection) {
  RolesWorld s;
  Cluster cluster(s.dir());
  ASSERT_NO_FATAL_FAILURE(snapshot_and_sync_home(s, cluster));
  cluster.control_post("/remove");
  query(cluster.east, "CREATE LOGIN [after_cutover] WITH PASSWORD = N'After-Cutover-Pw-4!'; SELECT 1");
  ASSERT_EQ(s.cli({"snapshot", "--pair", "payments"}).exit_code, 0);

  auto refused = s.cli({"sync", "--pair", "payments", "--apply"});
  EXPECT_EQ(refused.exit_code, 5) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("neither instance shows an HA group any more, but the last applied sync followed one"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(disabled_of(cluster.west, "after_cutover"), "absent");

  auto confirmed = s.cli({"sync", "--pair", "payments", "--apply", "--configured-direction"});
  EXPECT_EQ(confirmed.exit_code, 0) << confirmed.out << confirmed.err;
  EXPECT_EQ(disabled_of(cluster.west, "after_cutover"), "0");
  // Once confirmed, the nightly runs the configured direction again without the flag.
  auto nightly = s.cli({"sync", "--pair", "payments", "--apply"});
  EXPECT_EQ(nightly.exit_code, 0) << nightly.out << nightly.err;
}

// A fixture of one side of an availability group: its server name, the group's replicas and the
// local replica's role (sys.availability_groups / sys.availability_replicas /
// sys.dm_hadr_availability_replica_states), and a login only this side has. An empty `role`: the
// group and its replicas are listed, but no local replica-state row.
std::string side_fixture(const std::string& server, const std::string& role, const std::vector<std::string>& replicas,
                         const std::string& login) {
  nlohmann::json reps = nlohmann::json::array();
  int n = 2;
  std::string local_id;
  for (const auto& r : replicas) {
    char id[64];
    std::snprintf(id, sizeof id, "6A0C3D20-0000-4000-8000-0000000000%02d", n++);
    reps.push_back({{"replica_id", id}, {"group_id", "6A0C3D20-0000-4000-8000-000000000001"}, {"replica_server_name", r}});
    if (r == server) local_id = id;
  }
  nlohmann::json states = nlohmann::json::array();
  if (!role.empty())
    states.push_back({{"replica_id", local_id}, {"group_id", "6A0C3D20-0000-4000-8000-000000000001"}, {"is_local", true},
                      {"role", role == "PRIMARY" ? 1 : 2}, {"role_desc", role}});
  nlohmann::json f = {
      {"version", 1},
      {"description", "one side of availability group ag_payments, for the roles tests"},
      {"logins",
       {{{"name", login}, {"type", "S"}, {"sid", "0x0102030405060708090A0B0C0D0E0F10"}, {"password", "Side-Login-Pw-1!"}}}},
      {"ha",
       {{"availability_groups", {{{"group_id", "6A0C3D20-0000-4000-8000-000000000001"}, {"name", "ag_payments"}}}},
        {"availability_replicas", reps},
        {"availability_replica_states", states}}}};
  return f.dump(2);
}

struct Refusal {
  const char* name;
  std::string east_role, west_role;
  std::vector<std::string> east_replicas, west_replicas;  // what sys.availability_replicas lists on each side
  std::string message;
};

// Two standalone emulators with the given fixtures (their own login each), the pair over them:
// sync, snapshot and gate are refused with `message` (exit 5; the gate unknown, exit 2), and
// nothing is written to either instance.
void expect_refused_and_nothing_written(const std::string& name, const std::string& east_fixture,
                                        const std::string& west_fixture, const std::string& message) {
  RolesWorld s;
  write_file(s.dir() + "/east.json", east_fixture);
  write_file(s.dir() + "/west.json", west_fixture);
  auto start = [&](const std::string& side) {
    return std::make_unique<Child>(
        std::vector<std::string>{UNDERSTUDY_EMULATOR_BIN, "--listen", "127.0.0.1:0", "--sa-password", kSaPassword,
                                 "--fixture", s.dir() + "/" + side + ".json", "--server-name",
                                 side == "east" ? "PAYMENTS-EAST" : "PAYMENTS-WEST"},
        std::map<std::string, std::string>{}, s.dir() + "/" + side + ".log");
  };
  auto east = start("east");
  auto west = start("west");
  const int east_port = east->listening_port(), west_port = west->listening_port();
  s.configure(east_port, west_port);

  auto sync = s.cli({"sync", "--pair", "payments", "--apply", "--prune", "drop"});
  EXPECT_EQ(sync.exit_code, 5) << name << ": " << sync.out << sync.err;
  EXPECT_EQ(sync.err.substr(0, sync.err.find("HINT:")), message) << name;
  auto snap = s.cli({"snapshot", "--pair", "payments"});
  EXPECT_EQ(snap.exit_code, 5) << name << ": " << snap.err;
  auto gate = s.cli({"gate", "logins", "--pair", "payments"});
  EXPECT_EQ(gate.exit_code, 2) << name << ": " << gate.out << gate.err;
  EXPECT_NE(gate.out.find("the roles cannot be established"), std::string::npos) << name << ": " << gate.out;
  // Nothing written: each side still has its own login only.
  EXPECT_EQ(disabled_of(east_port, "only_on_west"), "absent") << name;
  EXPECT_EQ(disabled_of(west_port, "only_on_east"), "absent") << name;
  EXPECT_EQ(disabled_of(west_port, "only_on_west"), "0") << name;
}

// Bad input: instances that both report primary, a group naming a third instance, or a group one
// side lists without its local replica's state (that side shows no group) — refused
// with exit 5 (roles-unknown) naming what each said, and nothing written to either instance.
TEST(Roles, PairsWhoseRolesCannotBeEstablishedAreRefusedAndNothingIsWritten) {
  const Refusal cases[] = {
      {"split brain", "PRIMARY", "PRIMARY", {"PAYMENTS-EAST", "PAYMENTS-WEST"}, {"PAYMENTS-EAST", "PAYMENTS-WEST"},
       "error: pair payments: the roles cannot be established (both instances report PRIMARY: split brain): east "
       "(PAYMENTS-EAST) reports PRIMARY of availability group ag_payments; west (PAYMENTS-WEST) reports PRIMARY of "
       "availability group ag_payments\n"},
      {"third instance", "PRIMARY", "SECONDARY", {"PAYMENTS-EAST", "PAYMENTS-NORTH"}, {"PAYMENTS-WEST"},
       "error: pair payments: the roles cannot be established (the HA group of east names PAYMENTS-EAST, "
       "PAYMENTS-NORTH, not PAYMENTS-WEST): east (PAYMENTS-EAST) reports PRIMARY of availability group ag_payments; "
       "west (PAYMENTS-WEST) reports SECONDARY of availability group ag_payments\n"},
      // Listed in sys.availability_groups without the local replica's row in
      // sys.dm_hadr_availability_replica_states: a group that side reports no role in is no group
      // of that side (docs/configuration.md, "How the roles are read") — and a group only one
      // side shows is refused, so the missing row cannot turn the direction around.
      {"no local replica state", "PRIMARY", "", {"PAYMENTS-EAST", "PAYMENTS-WEST"}, {"PAYMENTS-EAST", "PAYMENTS-WEST"},
       "error: pair payments: the roles cannot be established (only one instance shows the HA group): east "
       "(PAYMENTS-EAST) reports PRIMARY of availability group ag_payments; west (PAYMENTS-WEST) shows no HA group\n"},
  };
  for (const auto& c : cases)
    expect_refused_and_nothing_written(c.name, side_fixture("PAYMENTS-EAST", c.east_role, c.east_replicas, "only_on_east"),
                                       side_fixture("PAYMENTS-WEST", c.west_role, c.west_replicas, "only_on_west"),
                                       c.message);
}

// One Managed Instance of a failover group (engine edition 8): the payments database's
// geo-replication link as sys.dm_geo_replication_link_status shows it in that database (role 0
// PRIMARY, 1 SECONDARY; partner_server the other side), and a login only this side has.
// https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-geo-replication-link-status-azure-sql-database
std::string mi_side_fixture(const std::string& role, const std::string& partner, const std::string& login) {
  nlohmann::json f = {
      {"version", 1},
      {"description", "one Managed Instance of failover group fog-payments, for the roles tests"},
      {"instance", {{"engine_edition", 8}}},
      {"databases", {{{"name", "payments"}, {"updateability", role == "PRIMARY" ? "READ_WRITE" : "READ_ONLY"}}}},
      {"logins",
       {{{"name", login}, {"type", "S"}, {"sid", "0x0102030405060708090A0B0C0D0E0F10"}, {"password", "Side-Login-Pw-1!"}}}},
      {"ha",
       {{"geo_replication_links",
         {{{"database", "payments"}, {"link_guid", "6A0C3D20-0000-4000-8000-0000000000F1"}, {"partner_server", partner},
           {"partner_database", "payments"}, {"role", role == "PRIMARY" ? 0 : 1}, {"role_desc", role}}}}}}};
  return f.dump(2);
}

// The same bad input from a Managed Instance failover group: both instances' links say PRIMARY,
// or a link's partner is a third instance.
TEST(Roles, FailoverGroupPairsWhoseRolesCannotBeEstablishedAreRefusedAndNothingIsWritten) {
  struct MiRefusal {
    const char* name;
    std::string east_role, east_partner, west_role, west_partner, message;
  };
  const MiRefusal cases[] = {
      {"split brain", "PRIMARY", "PAYMENTS-WEST", "PRIMARY", "PAYMENTS-EAST",
       "error: pair payments: the roles cannot be established (both instances report PRIMARY: split brain): east "
       "(PAYMENTS-EAST) reports PRIMARY of failover group geo-replication links of 1 database; west (PAYMENTS-WEST) "
       "reports PRIMARY of failover group geo-replication links of 1 database\n"},
      {"third instance", "PRIMARY", "PAYMENTS-NORTH", "SECONDARY", "PAYMENTS-EAST",
       "error: pair payments: the roles cannot be established (the HA group of east names PAYMENTS-NORTH, not "
       "PAYMENTS-WEST): east (PAYMENTS-EAST) reports PRIMARY of failover group geo-replication links of 1 database; "
       "west (PAYMENTS-WEST) reports SECONDARY of failover group geo-replication links of 1 database\n"},
  };
  for (const auto& c : cases)
    expect_refused_and_nothing_written(c.name, mi_side_fixture(c.east_role, c.east_partner, "only_on_east"),
                                       mi_side_fixture(c.west_role, c.west_partner, "only_on_west"), c.message);
}

}  // namespace
}  // namespace e2e
