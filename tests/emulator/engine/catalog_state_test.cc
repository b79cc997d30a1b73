// Seeding, name resolution, login checks and built-in functions of the state layer.
#include <gtest/gtest.h>

#include "engine/hashing.h"
#include "engine/state_test_util.h"
#include "engine/views.h"

namespace emu {
namespace {

using test::make_state;
using test::rows;
using test::str;

TEST(Seed, ServerPrincipalsMatchSqlServer) {
  auto s = make_state();
  auto r = rows(*s, "SELECT principal_id, name, hex(sid), type, is_fixed_role, owning_principal_id FROM sys_server_principals ORDER BY principal_id");
  const std::vector<std::vector<std::string>> want = {
      {"1", "sa", "01", "S", "0", "NULL"},          {"2", "public", "02", "R", "0", "1"},
      {"3", "sysadmin", "03", "R", "1", "1"},       {"4", "securityadmin", "04", "R", "1", "1"},
      {"5", "serveradmin", "05", "R", "1", "1"},    {"6", "setupadmin", "06", "R", "1", "1"},
      {"7", "processadmin", "07", "R", "1", "1"},   {"8", "diskadmin", "08", "R", "1", "1"},
      {"9", "dbcreator", "09", "R", "1", "1"},      {"10", "bulkadmin", "0A", "R", "1", "1"}};
  ASSERT_EQ(r.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    for (size_t c = 0; c < want[i].size(); ++c) EXPECT_EQ(str(r[i][c]), want[i][c]) << "row " << i << " col " << c;
  }
  EXPECT_EQ(rows(*s, "SELECT 1 FROM sys_server_role_members WHERE role_principal_id = 3 AND member_principal_id = 1").size(), 1u);
}

TEST(Seed, DatabasesServersCategoriesSubsystems) {
  auto s = make_state();
  auto dbs = rows(*s, "SELECT name, database_id, state_desc FROM sys_databases ORDER BY database_id");
  ASSERT_EQ(dbs.size(), 4u);
  EXPECT_EQ(str(dbs[0][0]), "master");
  EXPECT_EQ(str(dbs[3][0]), "msdb");
  EXPECT_EQ(str(dbs[3][2]), "ONLINE");
  auto srv = rows(*s, "SELECT server_id, name, is_linked FROM sys_servers");
  ASSERT_EQ(srv.size(), 1u);
  EXPECT_EQ(str(srv[0][1]), "UNDERSTUDY-EMU");
  EXPECT_EQ(str(rows(*s, "SELECT name FROM msdb_syscategories WHERE category_id = 0")[0][0]), "[Uncategorized (Local)]");
  EXPECT_EQ(rows(*s, "SELECT 1 FROM msdb_syssubsystems WHERE subsystem = 'CmdExec'").size(), 1u);
  auto mi = make_state(8);
  EXPECT_EQ(rows(*mi, "SELECT 1 FROM msdb_syssubsystems WHERE subsystem IN ('CmdExec', 'PowerShell')").size(), 0u);
  EXPECT_EQ(rows(*mi, "SELECT 1 FROM msdb_syssubsystems WHERE subsystem = 'SSIS'").size(), 1u);
}

TEST(Seed, TypeColumnOfPermissionsIsBlankPadded) {
  auto s = make_state();
  auto r = rows(*s, "SELECT type, length(type), permission_name FROM sys_server_permissions WHERE grantee_principal_id = 1");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(str(r[0][0]), "COSQ");
  auto pub = rows(*s, "SELECT '[' || type || ']' FROM sys_server_permissions WHERE grantee_principal_id = 2 AND class = 105");
  ASSERT_FALSE(pub.empty());
  EXPECT_EQ(str(pub[0][0]), "[CO  ]");
}

struct ResolveCase {
  std::string current_db;
  std::vector<std::string> parts;
  std::string want_source;  // "" = not found
};

TEST(ResolveView, SqlServerNameRules) {
  auto s = test::make_payments();
  const std::vector<ResolveCase> cases = {
      {"master", {"sys", "server_principals"}, "sys_server_principals"},
      {"payments", {"SYS", "Server_Principals"}, "sys_server_principals"},
      {"msdb", {"master", "sys", "server_principals"}, "sys_server_principals"},
      {"master", {"server_principals"}, ""},
      {"master", {"msdb", "dbo", "sysjobs"}, "msdb_sysjobs"},
      {"master", {"msdb", "", "sysjobs"}, "msdb_sysjobs"},
      {"msdb", {"dbo", "sysjobs"}, "msdb_sysjobs"},
      {"msdb", {"sysjobs"}, "msdb_sysjobs"},
      {"msdb", {"sysjobs_view"}, "msdb_sysjobs_view"},
      {"master", {"dbo", "sysjobs"}, ""},
      {"master", {"sysjobs"}, ""},
      {"master", {"master", "dbo", "sysjobs"}, ""},
      {"master", {"nosuchdb", "sys", "server_principals"}, ""},
      {"payments", {"sys", "database_principals"}, "db5_database_principals"},
      {"master", {"payments", "sys", "database_principals"}, "db5_database_principals"},
      {"master", {"sys", "database_principals"}, "db1_database_principals"},
      {"payments", {"sys", "dm_geo_replication_link_status"}, "db5_geo_replication_link_status"},
      {"master", {"sys", "availability_groups"}, "ha_availability_groups"},
      {"master", {"sys", "no_such_view"}, ""},
      {"master", {"srv", "msdb", "dbo", "sysjobs"}, ""},
  };
  for (const auto& c : cases) {
    auto v = s->resolve_view(c.current_db, c.parts);
    std::string joined;
    for (const auto& p : c.parts) joined += p + ".";
    if (c.want_source.empty()) {
      EXPECT_FALSE(v.has_value()) << joined << " from " << c.current_db;
    } else {
      ASSERT_TRUE(v.has_value()) << joined << " from " << c.current_db;
      EXPECT_EQ(v->sqlite_source, c.want_source) << joined;
    }
  }
}

// Every view's SQLite source exposes exactly the documented column names in order.
TEST(ResolveView, SqliteSourcesExposeTheDocumentedColumns) {
  auto s = make_state();
  for (const auto& v : all_views()) {
    std::string source = v.sqlite_source;
    if (source == "database_principals" || source == "geo_replication_link_status") source = "db1_" + source;
    sqlite3_stmt* stmt = nullptr;
    const std::string sql = "SELECT * FROM " + source;
    ASSERT_EQ(sqlite3_prepare_v2(s->db(), sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    const int n = sqlite3_column_count(stmt);
    std::vector<std::string> got;
    for (int i = 0; i < n; ++i) got.emplace_back(sqlite3_column_name(stmt, i));
    sqlite3_finalize(stmt);
    std::vector<std::string> want;
    for (const auto& c : v.columns) want.push_back(c.name);
    EXPECT_EQ(got, want) << v.canonical_name;
  }
}

TEST(Login, ChecksPasswordDisabledDenyAndDefaultDatabase) {
  auto s = test::make_payments();
  std::string sid;
  auto ok = s->check_login("sa", "Sa-Passw0rd!", &sid);
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(sid, std::string(1, '\x01'));
  EXPECT_EQ(ok.database, "master");
  struct Case {
    std::string user, password;
    int32_t number;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"sa", "wrong", 18456, "Login failed for user 'sa'."},
      {"nobody", "x", 18456, "Login failed for user 'nobody'."},
      {"legacy_etl", "Legacy-Passw0rd!", 18470, "Login failed for user 'legacy_etl'. Reason: The account is disabled."},
      {"legacy_etl", "wrong", 18456, "Login failed for user 'legacy_etl'."},
      {"CONTOSO\\svc_batch", "", 18456, "Login failed for user 'CONTOSO\\svc_batch'."},
  };
  for (const auto& c : cases) {
    auto r = s->check_login(c.user, c.password, nullptr);
    EXPECT_FALSE(r.ok) << c.user;
    EXPECT_EQ(r.error.number, c.number) << c.user;
    EXPECT_EQ(r.error.text, c.text);
  }
  auto svc = s->check_login("app_settlement_svc", "Settle-Passw0rd!", &sid);
  EXPECT_TRUE(svc.ok);
  EXPECT_EQ(svc.database, "payments");
  EXPECT_EQ(st::hex0x(sid), "0x5E117A0E3C2D4B8F9A1B2C3D4E5F6071");
  EXPECT_TRUE(s->check_login("app_ledger_svc", "Ledger-Passw0rd!", nullptr).ok);
  // A default database that does not exist: 4064.
  st::exec(s->db(), "UPDATE t_principals SET default_database_name = 'gone' WHERE name = 'report_reader'");
  auto gone = s->check_login("report_reader", "Report-Passw0rd!", nullptr);
  EXPECT_EQ(gone.error.number, 4064);
  EXPECT_EQ(gone.error.text, "Cannot open user default database. Login failed.");
}

TEST(Hashing, MatchesSqlServerLayout) {
  const std::string salt("\x5e\x11\x7a\x01", 4);
  const std::string h = st::sql_password_hash("Settle-Passw0rd!", salt);
  EXPECT_EQ(h.size(), 70u);
  EXPECT_EQ(st::hex0x(h),
            "0x02005E117A01FABE5C6E62601FDBEB8D97872733B3EA275C909E715AD73E795A989C57668A8FBF10F84AB19624E7977A8A3CDFC"
            "017C6C22A7C11A2E477595850402C5ED2BDA4");
  EXPECT_TRUE(st::verify_sql_password(h, "Settle-Passw0rd!"));
  EXPECT_FALSE(st::verify_sql_password(h, "settle-passw0rd!"));
  const std::string unicode = st::sql_password_hash("Pässwörd-密码-😀");
  EXPECT_TRUE(st::verify_sql_password(unicode, "Pässwörd-密码-😀"));
  EXPECT_EQ(st::windows_sid("CONTOSO\\svc_batch"), st::windows_sid("contoso\\SVC_BATCH"));
  EXPECT_EQ(st::windows_sid("CONTOSO\\svc_batch").size(), 28u);
}

TEST(Functions, LoginPropertySuserDatabasePropertyServerProperty) {
  auto s = test::make_payments();
  EXPECT_EQ(st::hex0x(std::get<Blob>(s->login_property("app_ledger_svc", "PasswordHash")).bytes).substr(0, 14),
            "0x02001ED60C02");
  EXPECT_EQ(s->login_property("app_ledger_svc", "PasswordHashAlgorithm"), Value{int64_t{2}});
  EXPECT_EQ(s->login_property("CONTOSO\\svc_batch", "PasswordHash"), Value{Null{}});
  EXPECT_EQ(s->login_property("app_ledger_svc", "DefaultDatabase"), Value{std::string("payments")});
  EXPECT_EQ(s->suser_sname(Value{Blob{std::string(1, '\x01')}}), Value{std::string("sa")});
  EXPECT_EQ(s->suser_sname(Value{Blob{"nope"}}), Value{Null{}});
  EXPECT_EQ(std::get<Blob>(s->suser_sid("APP_SETTLEMENT_SVC")).bytes.size(), 16u);
  EXPECT_EQ(s->database_property_ex("payments", "Updateability"), Value{std::string("READ_WRITE")});
  EXPECT_EQ(s->database_property_ex("payments", "Status"), Value{std::string("ONLINE")});
  EXPECT_EQ(s->database_property_ex("nosuch", "Status"), Value{Null{}});
  EXPECT_EQ(s->server_property("EngineEdition"), Value{int64_t{3}});
  EXPECT_EQ(s->server_property("ServerName"), Value{std::string("UNDERSTUDY-EMU")});
  EXPECT_EQ(s->server_property("InstanceName"), Value{Null{}});
  EXPECT_TRUE(s->database_exists("PAYMENTS"));
}

}  // namespace
}  // namespace emu
