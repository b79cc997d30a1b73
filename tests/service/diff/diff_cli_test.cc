// `understudy diff` end to end: each drift category through two emulated instances, the three
// formats from the same rows, exit codes, and no password hash in any output.
#include <gtest/gtest.h>

#include "../catalog/cli_util.h"

namespace understudy::diff {
namespace {

using nlohmann::json;
using testing::TempDir;
using testing::understudy;

std::string hash(const char* byte) {
  std::string h = "0x0200";
  for (int i = 0; i < 68; ++i) h += byte;
  return h;
}

json primary_fixture() {
  return json::parse(R"J({
    "version": 1,
    "logins": [
      {"name": "app", "sid": "0x0102030405060708090A0B0C0D0E0F10", "password_hash": "H1"},
      {"name": "orphan_maker", "sid": "0x2102030405060708090A0B0C0D0E0F10", "password_hash": "H1"},
      {"name": "only_primary", "sid": "0x3102030405060708090A0B0C0D0E0F10", "password_hash": "H1"},
      {"name": "Flags", "sid": "0x4102030405060708090A0B0C0D0E0F10", "password_hash": "H1", "check_policy": false},
      {"name": "=cmd|' /C calc'!A0", "sid": "0x5102030405060708090A0B0C0D0E0F10", "password_hash": "H1"},
      {"name": "CONTOSO\\svc_batch", "type": "U"}
    ],
    "jobs": [
      {"name": "export", "steps": [{"step_name": "run", "subsystem": "CmdExec", "command": "x.exe"}]}
    ]
  })J");
}

json secondary_fixture() {
  return json::parse(R"J({
    "version": 1,
    "logins": [
      {"name": "APP", "sid": "0x0102030405060708090A0B0C0D0E0F10", "password_hash": "H2"},
      {"name": "orphan_maker", "sid": "0x9902030405060708090A0B0C0D0E0F10", "password_hash": "H1"},
      {"name": "flags", "sid": "0x4102030405060708090A0B0C0D0E0F10", "password_hash": "H1", "check_policy": false,
       "is_disabled": true},
      {"name": "only_secondary", "sid": "0x6102030405060708090A0B0C0D0E0F10", "password_hash": "H1"}
    ]
  })J");
}

void set_hashes(json& f) {
  for (auto& l : f["logins"])
    if (l.contains("password_hash")) l["password_hash"] = hash(l["password_hash"] == "H1" ? "A1" : "B2");
}

struct Pair {
  TempDir dir;
  std::unique_ptr<emu::TestServer> primary, secondary;
  Pair(json p, json s, int secondary_edition = 3) {
    set_hashes(p);
    set_hashes(s);
    primary = std::make_unique<emu::TestServer>(emu::TestServerOptions{.fixture = testing::write_fixture(dir, "p", p)});
    secondary = std::make_unique<emu::TestServer>(
        emu::TestServerOptions{.fixture = testing::write_fixture(dir, "s", s), .engine_edition = secondary_edition});
    testing::write_config(dir, {{"primary", primary.get()}, {"secondary", secondary.get()}});
  }
};

TEST(DiffCli, EachCategoryAgainstAManagedInstance) {
  Pair pair(primary_fixture(), secondary_fixture(), 8);
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--pair", "prod"}).exit_code, 0);
  auto r = understudy(pair.dir, {"diff", "--pair", "prod", "--format", "json"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  auto doc = json::parse(r.out);
  std::vector<std::string> rows;
  for (const auto& f : doc["findings"]) {
    if (f["kind"] == "server_permission") continue;  // CONNECT SQL grants follow the logins
    rows.push_back(f["kind"].get<std::string>() + " " + f["key"].get<std::string>() + " " +
                   f["category"].get<std::string>() + " " + f["severity"].get<std::string>());
  }
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "login =cmd|' /C calc'!A0 missing high",
                      "login app different high",
                      "login CONTOSO\\svc_batch incompatible high",
                      "login Flags different high",
                      "login only_primary missing high",
                      "login only_secondary extra low",
                      "login orphan_maker sid_mismatch critical",
                      "agent_job export incompatible high",
                  }));
  auto find = [&](const std::string& key) {
    for (const auto& f : doc["findings"])
      if (f["key"] == key && f["kind"] == "login") return f;
    return json();
  };
  EXPECT_EQ(find("app")["changes"], json::parse(R"([{"field":"password_hash","before":"differs","after":"differs"}])"));
  EXPECT_EQ(find("app")["password_hash_matches"], false);
  EXPECT_EQ(find("app")["sid_matches"], true);
  EXPECT_EQ(find("orphan_maker")["sid_matches"], false);
  EXPECT_EQ(find("orphan_maker")["changes"][0]["before"], "0x2102030405060708090A0B0C0D0E0F10");
  EXPECT_EQ(find("Flags")["changes"], json::parse(R"([{"field":"is_disabled","before":false,"after":true}])"));
  EXPECT_EQ(find("CONTOSO\\svc_batch")["reason"], "windows logins are not supported on a managed instance");
  EXPECT_EQ(doc["target"]["read"], "live");
  EXPECT_EQ(doc["source"]["snapshot_id"], 1);
}

TEST(DiffCli, NoPasswordHashInAnyFormatAndCsvGuardsFormulas) {
  Pair pair(primary_fixture(), secondary_fixture());
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--pair", "prod"}).exit_code, 0);
  for (std::string format : {"table", "json", "csv"}) {
    auto r = understudy(pair.dir, {"diff", "--pair", "prod", "--format", format});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out.find("0x0200"), std::string::npos) << format;
    EXPECT_EQ(r.out.find("A1A1A1"), std::string::npos) << format;
    EXPECT_EQ(r.out.find("B2B2B2"), std::string::npos) << format;
  }
  auto csv = understudy(pair.dir, {"diff", "--pair", "prod", "--format", "csv"}).out;
  EXPECT_EQ(csv.rfind("run_id,generated_at,pair,source_snapshot_id,target_snapshot_id,kind,key,name,category,severity,"
                      "field,before,after,reason\r\n",
                      0),
            0u);
  EXPECT_NE(csv.find(",login,'=cmd|' /C calc'!A0,,missing,high,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",login,app,,different,high,password_hash,differs,differs,"), std::string::npos) << csv;
  auto table = understudy(pair.dir, {"diff", "--pair", "prod"}).out;
  EXPECT_NE(table.find("password_hash: differs"), std::string::npos) << table;
}

// Object names are attacker-controlled text and auditors open these files in spreadsheets: every
// cell that starts with '=', '+', '-', '@', TAB or CR is written as text (a leading '), the same
// way as the drift report (one CSV writer, base/csv.h). TAB and CR were left unguarded here.
TEST(DiffCli, CsvGuardsEveryFormulaStart) {
  json p = json::parse(R"J({"version": 1, "logins": []})J");
  for (std::string name : {"\tTAB_login", "\r=CR_login", "+plus", "-minus", "@at", "=eq"})
    p["logins"].push_back({{"name", name}, {"type", "S"}, {"password", "Csv-Passw0rd!"}, {"check_policy", false}});
  Pair pair(p, json::parse(R"J({"version": 1})J"));
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--pair", "prod"}).exit_code, 0);
  auto r = understudy(pair.dir, {"diff", "--pair", "prod", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  for (const char* cell : {",'\tTAB_login,", ",\"'\r=CR_login\",", ",'+plus,", ",'-minus,", ",'@at,", ",'=eq,"})
    EXPECT_NE(r.out.find(cell), std::string::npos) << "unguarded: " << cell << "\n" << r.out;
  for (const char* bare : {",\tTAB_login", ",\"\r=CR_login", ",+plus", ",=eq"})
    EXPECT_EQ(r.out.find(bare), std::string::npos) << bare;
}

TEST(DiffCli, NoDriftIsExitZero) {
  // The secondary as a sync leaves it: everything the primary has, its Agent jobs disabled
  // (jobs_on_secondary = "disabled", the default: a job runs only where the primary is).
  json secondary = primary_fixture();
  secondary["jobs"][0]["enabled"] = false;
  Pair pair(primary_fixture(), secondary);
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--pair", "prod"}).exit_code, 0);
  auto r = understudy(pair.dir, {"diff", "--pair", "prod"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1), "no drift\n");
}

TEST(DiffCli, AJobEnabledOnTheSecondaryIsDrift) {
  Pair pair(primary_fixture(), primary_fixture());  // the job enabled on both
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--pair", "prod"}).exit_code, 0);
  auto r = understudy(pair.dir, {"diff", "--pair", "prod", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto doc = json::parse(r.out);
  ASSERT_EQ(doc["findings"].size(), 1u) << r.out;
  EXPECT_EQ(doc["findings"][0]["key"], "export");
  EXPECT_EQ(doc["findings"][0]["changes"], json::parse(R"([{"field":"enabled","before":false,"after":true}])"));
}

// An Agent schedule is keyed by its schedule_uid (names repeat in msdb), but a DBA knows it by its
// name: every text shows `name (uid)`, JSON and CSV carry both (catalog/label.h).
TEST(DiffCli, ASchedulesNameIsShownWithItsUid) {
  json p = json::parse(R"J({
    "version": 1,
    "schedules": [{"schedule_uid": "631B3284-8CFF-4234-A40E-00A2A098FAC8", "name": "Nightly 01:30", "owner": "sa",
                   "enabled": true, "freq_type": 4, "freq_interval": 1, "freq_subday_type": 1,
                   "active_start_date": 20240101, "active_start_time": 13000}]
  })J");
  Pair pair(p, json::parse(R"J({"version": 1})J"));
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--pair", "prod"}).exit_code, 0);
  const std::string shown = "Nightly 01:30 (631B3284-8CFF-4234-A40E-00A2A098FAC8)";
  auto table = understudy(pair.dir, {"diff", "--pair", "prod"});
  ASSERT_EQ(table.exit_code, 1) << table.err;
  EXPECT_NE(table.out.find("agent_schedule       " + shown + "\n"), std::string::npos) << table.out;
  auto j = understudy(pair.dir, {"diff", "--pair", "prod", "--format", "json"});
  auto doc = json::parse(j.out);
  ASSERT_EQ(doc["findings"].size(), 1u) << j.out;
  EXPECT_EQ(doc["findings"][0]["key"], "631B3284-8CFF-4234-A40E-00A2A098FAC8");
  EXPECT_EQ(doc["findings"][0]["name"], "Nightly 01:30");
  auto csv = understudy(pair.dir, {"diff", "--pair", "prod", "--format", "csv"}).out;
  EXPECT_NE(csv.find(",agent_schedule,631B3284-8CFF-4234-A40E-00A2A098FAC8,Nightly 01:30,missing,high,"),
            std::string::npos) << csv;
  auto plan = understudy(pair.dir, {"sync", "--pair", "prod"});
  EXPECT_EQ(plan.exit_code, 1) << plan.err;
  EXPECT_NE(plan.out.find("create agent_schedule \"" + shown + "\""), std::string::npos) << plan.out;
  auto plan_json = json::parse(understudy(pair.dir, {"sync", "--pair", "prod", "--format", "json"}).out);
  EXPECT_EQ(plan_json["plan"]["actions"][0]["name"], "Nightly 01:30") << plan_json.dump();
  auto script = understudy(pair.dir, {"script", "--pair", "prod"});
  EXPECT_NE(script.out.find("create agent_schedule " + shown), std::string::npos) << script.out;
  auto applied = understudy(pair.dir, {"sync", "--pair", "prod", "--apply"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  auto after = understudy(pair.dir, {"diff", "--pair", "prod"});
  EXPECT_EQ(after.exit_code, 0) << after.out;
}

TEST(DiffCli, AgainstSnapshotNeedsOneOfTheSecondary) {
  Pair pair(primary_fixture(), secondary_fixture());
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--pair", "prod"}).exit_code, 0);
  auto r = understudy(pair.dir, {"diff", "--pair", "prod", "--against", "snapshot"});
  EXPECT_EQ(r.exit_code, 66);
  EXPECT_EQ(r.err, "error: instance secondary has no snapshot\n"
                   "HINT: run `understudy snapshot --instance secondary` first, or use --against live\n");
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--instance", "secondary"}).exit_code, 0);
  auto s = understudy(pair.dir, {"diff", "--pair", "prod", "--against", "snapshot", "--format", "json"});
  EXPECT_EQ(s.exit_code, 1) << s.err;
  auto doc = json::parse(s.out);
  EXPECT_EQ(doc["target"]["read"], "snapshot");
  EXPECT_EQ(doc["target"]["snapshot_id"], 2);
}

TEST(DiffCli, NoSnapshotOfThePrimaryYet) {
  Pair pair(primary_fixture(), secondary_fixture());
  auto r = understudy(pair.dir, {"diff", "--pair", "prod"});
  EXPECT_EQ(r.exit_code, 66);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "error: store " + pair.dir.file("understudy.db") + " does not exist");
  EXPECT_NE(r.err.find("HINT: run `understudy snapshot --pair prod` first"), std::string::npos) << r.err;
}

TEST(DiffCli, UnreachableSecondaryIsAnErrorNotDrift) {
  Pair pair(primary_fixture(), secondary_fixture());
  ASSERT_EQ(understudy(pair.dir, {"snapshot", "--pair", "prod"}).exit_code, 0);
  pair.secondary->faults().refuse_logins = true;
  auto r = understudy(pair.dir, {"diff", "--pair", "prod"});
  EXPECT_EQ(r.exit_code, 69) << r.err;
  EXPECT_EQ(r.err.rfind("error: secondary: ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace understudy::diff
