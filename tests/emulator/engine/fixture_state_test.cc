// Fixture loading: the shipped fixtures load and produce the documented rows; bad input fails
// all-or-nothing with the JSON pointer of the culprit.
#include <cctype>

#include <gtest/gtest.h>

#include "engine/state_test_util.h"

namespace emu {
namespace {

using nlohmann::json;
using test::make_state;
using test::rows;
using test::str;

TEST(Fixture, PaymentsPrimaryLoads) {
  auto s = test::make_payments();
  auto logins = rows(*s, "SELECT name, type_desc, is_disabled FROM sys_server_principals WHERE principal_id >= 256 AND type <> 'R' ORDER BY name");
  ASSERT_EQ(logins.size(), 5u);
  EXPECT_EQ(str(logins[0][0]), "app_ledger_svc");
  EXPECT_EQ(str(logins[2][0]), "CONTOSO\\svc_batch");
  EXPECT_EQ(str(logins[2][1]), "WINDOWS_LOGIN");
  EXPECT_EQ(str(logins[3][0]), "legacy_etl");
  EXPECT_EQ(str(logins[3][2]), "1");
  auto jobs = rows(*s, "SELECT j.name, c.name, p.name, (SELECT count(*) FROM msdb_sysjobsteps t WHERE t.job_id = j.job_id) "
                       "FROM msdb_sysjobs j JOIN msdb_syscategories c ON c.category_id = j.category_id "
                       "JOIN sys_server_principals p ON p.sid = j.owner_sid ORDER BY j.name");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(str(jobs[0][0]), "Ledger close");
  EXPECT_EQ(str(jobs[0][3]), "2");
  EXPECT_EQ(str(jobs[1][0]), "Nightly settlement");
  EXPECT_EQ(str(jobs[1][1]), "Payments Settlement");
  EXPECT_EQ(str(jobs[1][2]), "app_settlement_svc");
  EXPECT_EQ(str(jobs[1][3]), "4");
  // The monthly schedule is shared by both jobs' daily schedule; the daily one by both.
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysjobschedules js JOIN msdb_sysschedules sc ON sc.schedule_id = js.schedule_id "
                         "WHERE sc.schedule_uid = '631b3284-8cff-4234-a40e-00a2a098fac8'")[0][0]), "2");
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysjobservers")[0][0]), "2");
  // Secrets are kept but not exposed by any view.
  EXPECT_EQ(str(rows(*s, "SELECT secret FROM t_credentials WHERE name = 'payments_backup_url'")[0][0]).substr(0, 3), "sv=");
  EXPECT_EQ(str(rows(*s, "SELECT remote_password FROM t_linked_logins WHERE remote_name = 'archive_reader'")[0][0]),
            "Archive-Passw0rd!");
  auto ll = rows(*s, "SELECT s.name, ll.local_principal_id, ll.uses_self_credential FROM sys_linked_logins ll "
                     "JOIN sys_servers s ON s.server_id = ll.server_id ORDER BY ll.local_principal_id");
  ASSERT_EQ(ll.size(), 2u);
  EXPECT_EQ(str(ll[0][1]), "0");  // default self-mapping
  EXPECT_EQ(str(ll[0][2]), "1");
  auto srv = rows(*s, "SELECT is_rpc_out_enabled, connect_timeout, query_timeout, is_remote_proc_transaction_promotion_enabled "
                      "FROM sys_servers WHERE name = 'ledger_archive'");
  ASSERT_EQ(srv.size(), 1u);
  EXPECT_EQ(str(srv[0][0]) + str(srv[0][1]) + "/" + str(srv[0][2]) + str(srv[0][3]), "130/6000");
  auto deny = rows(*s, "SELECT p.state_desc FROM sys_server_permissions p JOIN sys_server_principals g ON "
                       "g.principal_id = p.grantee_principal_id WHERE g.name = 'report_reader' AND p.type = 'VWSS'");
  ASSERT_EQ(deny.size(), 1u);
  EXPECT_EQ(str(deny[0][0]), "DENY");
  auto users = rows(*s, "SELECT dp.name FROM db5_database_principals dp JOIN sys_server_principals sp ON sp.sid = dp.sid "
                        "WHERE dp.principal_id > 4 AND dp.authentication_type_desc IN ('INSTANCE', 'WINDOWS') ORDER BY dp.name");
  ASSERT_EQ(users.size(), 4u);
}

TEST(Fixture, EmptySecondaryHasOrphanedUsers) {
  auto s = make_state(8);
  std::string err;
  ASSERT_TRUE(s->load_fixture(test::read_json(test::fixture_file("empty-secondary.json")), &err)) << err;
  auto orphans = rows(*s, "SELECT dp.name FROM db5_database_principals dp LEFT JOIN sys_server_principals sp ON "
                          "dp.sid = sp.sid WHERE sp.sid IS NULL AND dp.authentication_type_desc = 'INSTANCE' ORDER BY 1");
  ASSERT_EQ(orphans.size(), 3u);
  EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM msdb_sysjobs")[0][0]), "0");
}

struct BadCase {
  std::string fixture;
  std::string error;
};

TEST(Fixture, BadInputNamesThePointerAndLoadsNothing) {
  const std::vector<BadCase> cases = {
      {R"({"version": 2})", "fixture /version: expected version 1"},
      {R"({"version": 1, "logins": [{"name": "a", "password": "x", "colour": 1}]})", "fixture /logins/0/colour: unknown member"},
      {R"({"version": 1, "logins": [{"name": "a", "password": "x"}, {"name": "A", "password": "y"}]})",
       "fixture /logins/1: The server principal 'A' already exists."},
      {R"({"version": 1, "logins": [{"name": "a", "password": "x", "sid": "0x01"}]})",
       "fixture /logins/0: Supplied parameter sid is in use."},
      {R"({"version": 1, "logins": [{"name": "a", "password_hash": "0x0200AB"}]})",
       "fixture /logins/0/password_hash: expected a 0x0200 (70-byte) or 0x0100 (26-byte) hash"},
      {R"({"version": 1, "logins": [{"name": "a", "password": "x"}], "jobs": [{"name": "j", "owner": "b"}]})",
       "fixture /jobs/0/owner: no server principal named 'b'"},
      {R"({"version": 1, "jobs": [{"name": "j", "schedules": ["631B3284-8CFF-4234-A40E-00A2A098FAC8"]}]})",
       "fixture /jobs/0/schedules/0: no schedule with schedule_uid 631B3284-8CFF-4234-A40E-00A2A098FAC8"},
      {R"({"version": 1, "linked_servers": [{"name": "L", "options": {"rpc out": "maybe"}}]})",
       "fixture /linked_servers/0/options/rpc out: invalid option or value"},
      {R"({"version": 1, "ha": {"geo_replication_links": [{"database": "master", "role": 0}]}})",
       "fixture /ha/geo_replication_links/0/database: master has no geo-replication links"},
      {R"({"version": 1, "ha": {"availability_groups": [{"group_id": "nope"}]}})",
       "fixture /ha/availability_groups/0/group_id: invalid uniqueidentifier"},
      {R"([1])", "fixture /: expected an object"},
  };
  for (const auto& c : cases) {
    auto s = make_state();
    std::string err;
    EXPECT_FALSE(s->load_fixture(json::parse(c.fixture), &err)) << c.fixture;
    EXPECT_EQ(err, c.error);
    EXPECT_EQ(str(rows(*s, "SELECT count(*) FROM t_principals WHERE principal_id >= 256")[0][0]), "0") << c.fixture;
  }
}

TEST(Fixture, HaRowsAndInstanceSection) {
  auto s = make_state();
  std::string err;
  const json f = json::parse(R"({"version": 1, "instance": {"server_name": "PAY-MI.contoso.database.windows.net", "engine_edition": 8},
    "databases": [{"name": "payments", "updateability": "READ_ONLY"}],
    "ha": {"availability_groups": [{"group_id": "a1b2c3d4-0000-0000-0000-000000000001", "name": "ag1", "is_distributed": true}],
           "geo_replication_links": [{"database": "payments", "link_guid": "a1b2c3d4-0000-0000-0000-000000000002",
             "partner_server": "pay-mi-2", "partner_database": "payments", "role": 1, "role_desc": "SECONDARY"}]}})");
  ASSERT_TRUE(s->load_fixture(f, &err)) << err;
  EXPECT_EQ(s->config().engine_edition, 8);
  EXPECT_EQ(s->server_property("ServerName"), Value{std::string("PAY-MI.contoso.database.windows.net")});
  EXPECT_EQ(s->database_property_ex("payments", "Updateability"), Value{std::string("READ_ONLY")});
  EXPECT_EQ(str(rows(*s, "SELECT role_desc FROM db5_geo_replication_link_status")[0][0]), "SECONDARY");
  EXPECT_EQ(rows(*s, "SELECT * FROM db1_geo_replication_link_status").size(), 0u);
  EXPECT_EQ(str(rows(*s, "SELECT group_id FROM ha_availability_groups")[0][0]), "A1B2C3D4-0000-0000-0000-000000000001");
  EXPECT_EQ(rows(*s, "SELECT 1 FROM msdb_syssubsystems WHERE subsystem = 'CmdExec'").size(), 0u);
}

}  // namespace
}  // namespace emu

namespace emu {
namespace {

using test::rows;
using test::str;

// Every value the payments fixture states reads back unchanged through the catalog views.
TEST(Fixture, PaymentsRoundTripThroughTheViews) {
  auto s = test::make_payments();
  const auto f = test::read_json(test::fixture_file("payments-primary.json"));
  auto hex_upper = [](std::string h) {
    for (auto& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return "0X" + h.substr(2);
  };
  for (const auto& l : f["logins"]) {
    const std::string name = l["name"];
    auto r = rows(*s, "SELECT '0X' || hex(sid), type, default_database_name, is_disabled FROM sys_server_principals WHERE name = ?1",
                  {Value{name}});
    ASSERT_EQ(r.size(), 1u) << name;
    if (l.contains("sid")) {
      EXPECT_EQ(str(r[0][0]), hex_upper(l["sid"])) << name;
    }
    EXPECT_EQ(str(r[0][1]), l.value("type", "S")) << name;
    EXPECT_EQ(str(r[0][2]), l.value("default_database", "master")) << name;
    EXPECT_EQ(str(r[0][3]), l.value("is_disabled", false) ? "1" : "0") << name;
    if (l.contains("password_hash")) {
      auto h = rows(*s, "SELECT '0X' || hex(password_hash), is_policy_checked, is_expiration_checked FROM sys_sql_logins WHERE name = ?1",
                    {Value{name}});
      EXPECT_EQ(str(h[0][0]), hex_upper(l["password_hash"])) << name;
      EXPECT_EQ(str(h[0][1]), l.value("check_policy", true) ? "1" : "0") << name;
      EXPECT_EQ(str(h[0][2]), l.value("check_expiration", false) ? "1" : "0") << name;
    }
  }
  for (const auto& sc : f["schedules"]) {
    auto r = rows(*s, "SELECT name, freq_type, freq_interval, freq_subday_type, freq_relative_interval, freq_recurrence_factor, "
                      "active_start_date, active_start_time, active_end_time FROM msdb_sysschedules WHERE schedule_uid = ?1",
                  {Value{std::string(sc["schedule_uid"])}});
    ASSERT_EQ(r.size(), 1u);
    const char* keys[] = {"freq_type", "freq_interval", "freq_subday_type", "freq_relative_interval", "freq_recurrence_factor",
                          "active_start_date", "active_start_time", "active_end_time"};
    EXPECT_EQ(str(r[0][0]), std::string(sc["name"]));
    for (size_t i = 0; i < std::size(keys); ++i) EXPECT_EQ(str(r[0][i + 1]), std::to_string(sc[keys[i]].get<int64_t>())) << keys[i];
  }
  for (const auto& j : f["jobs"]) {
    const std::string job_id = j["job_id"];
    auto r = rows(*s, "SELECT name, description, notify_level_email, start_step_id FROM msdb_sysjobs WHERE job_id = ?1", {Value{job_id}});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(str(r[0][0]), std::string(j["name"]));
    EXPECT_EQ(str(r[0][1]), std::string(j["description"]));
    int step_id = 1;
    for (const auto& st : j["steps"]) {
      auto t = rows(*s, "SELECT step_name, subsystem, command, on_success_action, on_fail_action, on_fail_step_id, ifnull(database_name, '') "
                        "FROM msdb_sysjobsteps WHERE job_id = ?1 AND step_id = ?2", {Value{job_id}, Value{int64_t{step_id}}});
      ASSERT_EQ(t.size(), 1u);
      EXPECT_EQ(str(t[0][0]), std::string(st["step_name"]));
      EXPECT_EQ(str(t[0][1]), std::string(st["subsystem"]));
      EXPECT_EQ(str(t[0][2]), std::string(st["command"]));
      EXPECT_EQ(str(t[0][3]), std::to_string(st.value("on_success_action", 1)));
      EXPECT_EQ(str(t[0][4]), std::to_string(st.value("on_fail_action", 2)));
      EXPECT_EQ(str(t[0][5]), std::to_string(st.value("on_fail_step_id", 0)));
      EXPECT_EQ(str(t[0][6]), st.value("database_name", std::string()));
      ++step_id;
    }
    auto uids = rows(*s, "SELECT s.schedule_uid FROM msdb_sysjobschedules js JOIN msdb_sysschedules s ON s.schedule_id = js.schedule_id "
                         "WHERE js.job_id = ?1 ORDER BY s.schedule_uid", {Value{job_id}});
    ASSERT_EQ(uids.size(), j["schedules"].size());
  }
  auto cred = rows(*s, "SELECT credential_identity FROM sys_credentials WHERE name = 'payments_backup_url'");
  ASSERT_EQ(cred.size(), 1u);
  EXPECT_EQ(str(cred[0][0]), "SHARED ACCESS SIGNATURE");
}

}  // namespace
}  // namespace emu
