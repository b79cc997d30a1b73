// `understudy snapshot` / `snapshots` end to end: the real binary against emulated instances.
// Nothing is written on any error; a killed snapshot leaves the previous one intact.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <regex>
#include <thread>

#include "../catalog/all_kinds_fixture.h"
#include "../catalog/cli_util.h"
#include "store/sql.h"
#include "store/store.h"

namespace understudy::store {
namespace {

using testing::TempDir;
using testing::understudy;

int64_t snapshot_count(const std::string& db) {
  auto s = Store::open(db, {.create = false});
  if (!s) return -1;
  return static_cast<int64_t>((*s)->list_snapshots()->size());
}

std::string integrity(const std::string& db) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr);
  std::string out = sqlite3_step(st) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0)) : "no row";
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

// `snapshots show --format csv` writes hostile names through the one CSV writer: a key starting
// with TAB or CR is guarded like '=', '+', '-' and '@' (it was not).
TEST(SnapshotCli, ShowCsvGuardsEveryFormulaStart) {
  TempDir dir;
  nlohmann::json f = {{"version", 1}, {"logins", nlohmann::json::array()}};
  for (std::string name : {"\tTAB_login", "\r=CR_login", "@at"})
    f["logins"].push_back({{"name", name}, {"type", "S"}, {"password", "Csv-Passw0rd!"}, {"check_policy", false}});
  emu::TestServer primary({.fixture = testing::write_fixture(dir, "p", f)});
  testing::write_config(dir, {{"primary", &primary}});
  ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
  auto show = understudy(dir, {"snapshots", "show", "1", "--kind", "login", "--format", "csv"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  for (const char* cell : {"\nlogin,'\tTAB_login,", "\nlogin,\"'\r=CR_login\",", "\nlogin,'@at,"})
    EXPECT_NE(show.out.find(cell), std::string::npos) << "unguarded: " << cell << "\n" << show.out;
}

TEST(SnapshotCli, SnapshotListShowWithoutEverAHash) {
  TempDir dir;
  emu::TestServer primary({.fixture = emu::fixture_path("payments-primary.json")});
  testing::write_config(dir, {{"primary", &primary}});
  auto r = understudy(dir, {"snapshot", "--instance", "primary"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("snapshot 1 of primary \\(UNDERSTUDY-EMU\\): \\d+ objects at "
                                                 "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\n")))
      << r.out;

  auto list = understudy(dir, {"snapshots", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("primary"), std::string::npos) << list.out;
  auto none = understudy(dir, {"snapshots", "list", "--instance", "nobody", "--format", "csv"});
  EXPECT_EQ(none.out, "id,instance,taken_at,run_id,server_name,object_count\r\n");
  auto json_list = nlohmann::json::parse(understudy(dir, {"snapshots", "list", "--format", "json"}).out);
  ASSERT_EQ(json_list.size(), 1u);
  EXPECT_EQ(json_list[0]["instance"], "primary");
  EXPECT_EQ(json_list[0]["counts"]["login"], 5);

  for (std::string format : {"table", "json", "csv"}) {
    auto show = understudy(dir, {"snapshots", "show", "1", "--format", format});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_NE(show.out.find("app_settlement_svc"), std::string::npos);
    EXPECT_EQ(show.out.find("0x0200"), std::string::npos) << "a password hash in " << format << " output";
    EXPECT_EQ(show.out.find("02005E117A01"), std::string::npos);
  }
  auto logins = understudy(dir, {"snapshots", "show", "1", "--kind", "login", "--format", "json"});
  ASSERT_EQ(logins.exit_code, 0) << logins.err;
  auto doc = nlohmann::json::parse(logins.out);
  ASSERT_EQ(doc["objects"].size(), 5u);
  for (const auto& o : doc["objects"]) EXPECT_EQ(o["kind"], "login");

  auto missing = understudy(dir, {"snapshots", "show", "99"});
  EXPECT_EQ(missing.exit_code, 66);
  EXPECT_EQ(missing.err, "error: snapshot 99 does not exist\nHINT: `understudy snapshots list` shows the snapshots\n");
}

TEST(SnapshotCli, SecondUnchangedSnapshotStoresNoObjectAgain) {
  TempDir dir;
  emu::TestServer primary({.fixture = emu::fixture_path("payments-primary.json")});
  testing::write_config(dir, {{"primary", &primary}});
  ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
  auto s = Store::open(dir.file("understudy.db")).value();
  auto count = [&](const char* table) {
    auto st = Stmt::prepare(s->db(), std::string("SELECT count(*) FROM ") + table).value();
    (void)st.step();
    return st.int64(0);
  };
  int64_t versions = count("object_version");
  ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
  EXPECT_EQ(count("object_version"), versions);
  EXPECT_EQ(count("object_version WHERE to_snapshot = 2"), 0);  // no interval closed either
  EXPECT_EQ(count("snapshot"), 2);
}

TEST(SnapshotCli, UnreachableInstanceWritesNothing) {
  TempDir dir;
  testing::write_config(dir, {{"primary", nullptr}});
  auto r = understudy(dir, {"snapshot", "--instance", "primary"});
  EXPECT_EQ(r.exit_code, 69) << r.err;
  EXPECT_EQ(r.err.rfind("error: primary: ", 0), 0u) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("understudy.db")) && snapshot_count(dir.file("understudy.db")) > 0);
}

TEST(SnapshotCli, FailedLoginWritesNothing) {
  TempDir dir;
  emu::TestServer primary({.fixture = emu::fixture_path("payments-primary.json")});
  testing::write_config(dir, {{"primary", &primary}});
  ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
  primary.faults().refuse_logins = true;
  auto r = understudy(dir, {"snapshot", "--instance", "primary"});
  EXPECT_EQ(r.exit_code, 69) << r.err;
  EXPECT_NE(r.err.find("Login failed for user 'sa'."), std::string::npos) << r.err;
  EXPECT_EQ(snapshot_count(dir.file("understudy.db")), 1);
}

TEST(SnapshotCli, AQueryFailingMidSnapshotLeavesNoPartialSnapshot) {
  TempDir dir;
  emu::TestServer primary({.fixture = emu::fixture_path("payments-primary.json")});
  testing::write_config(dir, {{"primary", &primary}});
  ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
  {
    std::lock_guard lock(primary.faults().mu);
    primary.faults().fail_pattern = std::regex("sysjobschedules", std::regex::ECMAScript | std::regex::icase);
    primary.faults().fail_pattern_text = "sysjobschedules";
    primary.faults().fail_error = {.number = 701, .state = 1, .severity = 17,
                                   .text = "There is insufficient system memory in resource pool 'default' to run this query."};
  }
  auto r = understudy(dir, {"snapshot", "--instance", "primary"});
  EXPECT_EQ(r.exit_code, 70) << r.err;
  EXPECT_NE(r.err.find("insufficient system memory"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot_count(dir.file("understudy.db")), 1);
}

TEST(SnapshotCli, StoreFromANewerUnderstudyIsRefused) {
  TempDir dir;
  emu::TestServer primary({.fixture = emu::fixture_path("payments-primary.json")});
  testing::write_config(dir, {{"primary", &primary}});
  ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
  {
    auto s = Store::open(dir.file("understudy.db")).value();
    ASSERT_TRUE(exec(s->db(), "INSERT INTO schema_migrations VALUES ('snapshot', 7, 'future', 'x')").has_value());
  }
  for (std::vector<std::string> args : {std::vector<std::string>{"snapshot", "--instance", "primary"},
                                        std::vector<std::string>{"snapshots", "list"}}) {
    auto r = understudy(dir, args);
    EXPECT_EQ(r.exit_code, 65);
    EXPECT_EQ(r.err, "error: store " + dir.file("understudy.db") +
                         " was written by a newer understudy (schema snapshot version 7, this build knows 3)\n"
                         "HINT: upgrade understudy, or point the store setting at another file\n");
  }
}

TEST(SnapshotCli, KilledMidSnapshotLeavesThePreviousIntact) {
  TempDir dir;
  nlohmann::json f = {{"version", 1}, {"logins", nlohmann::json::array()}};
  for (int i = 0; i < 5000; ++i)
    f["logins"].push_back({{"name", "kill_" + std::to_string(i)}, {"password_hash", testing::app_hash()}});
  emu::TestServer primary({.fixture = testing::write_fixture(dir, "big", f)});
  testing::write_config(dir, {{"primary", &primary}});
  ASSERT_EQ(understudy(dir, {"snapshot", "--instance", "primary"}).exit_code, 0);
  std::string db = dir.file("understudy.db");
  int64_t first_count = Store::open(db).value()->latest_snapshot("primary").value()->object_count;

  // Killed while reading (the emulator answers slowly), then at spread-out moments that land in
  // the read, the store write and the commit: each time the store is whole and the latest
  // snapshot complete.
  primary.faults().reply_delay_ms = 1500;
  for (int delay_ms : {300, 0, 40, 80, 120, 160, 200, 260, 330}) {
    if (delay_ms == 0) primary.faults().reply_delay_ms = 0;
    auto pid = testing::spawn_understudy(
        dir, {"snapshot", "--instance", "primary", "--config", dir.file("understudy.toml"), "--log-level", "warn"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    testing::wait_understudy(dir, pid);
    ASSERT_EQ(integrity(db), "ok") << "after a kill at " << delay_ms << " ms";
    auto s = Store::open(db).value();
    auto latest = s->latest_snapshot("primary").value();
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->object_count, first_count);
    EXPECT_EQ(static_cast<int64_t>(s->load_objects(latest->id)->size()), latest->object_count);
  }
}

}  // namespace
}  // namespace understudy::store
