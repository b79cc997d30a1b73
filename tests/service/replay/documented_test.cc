// documented_test.cc — replay against behaviour Microsoft documents for the msdb procedures, each
// test naming the page it follows; drift must converge in one sync and stay converged.
#include <gtest/gtest.h>

#include <map>

#include "sync_util.h"
#include "tsql/sqlcmd.h"

namespace understudy::replay {
namespace {

using testing::SyncPair;

std::string scalar_text(emu::TestServer& server, const std::string& sql) {
  auto conn = understudy::testing::connect_sa(server, "check");
  auto rs = conn.query(sql);
  if (!rs) {
    ADD_FAILURE() << sql << ": " << rs.error().to_string();
    return "?";
  }
  if (rs->rows.empty()) return "<no row>";
  const std::string* v = odbc::as_text(rs->rows[0][0]);
  return v ? *v : "NULL";
}

int64_t count_on(emu::TestServer& server, const std::string& sql) {
  auto conn = understudy::testing::connect_sa(server, "check");
  auto rs = conn.query(sql);
  const int64_t* v = rs && !rs->rows.empty() ? odbc::as_int(rs->rows[0][0]) : nullptr;
  EXPECT_TRUE(v) << sql << (rs ? "" : ": " + rs.error().to_string());
  return v ? *v : -1;
}

void exec_on(emu::TestServer& server, const std::string& sql) {
  auto conn = understudy::testing::connect_sa(server);
  auto r = conn.execute(sql);
  ASSERT_TRUE(r) << sql << ": " << r.error().to_string();
}

// Converges, then a second sync finds nothing to do.
void expect_converges(const SyncPair& pair) {
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->converged) << r->to_text();
  EXPECT_EQ(r->exit_code(), 0) << r->to_text();
  auto again = pair.sync(false);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->plan.summary().runnable(), 0) << again->plan.to_text();
}

// sp_update_jobstep: "To set output_file_name back to NULL, you must set output_file_name to an
// empty string (' ')"; NULL arguments leave a step's values unchanged.
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-update-jobstep-transact-sql
TEST(DocumentedReplay, AStepOutputFileClearedOnThePrimaryIsClearedOnTheTarget) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  exec_on(*pair.primary,
          "EXEC msdb.dbo.sp_update_jobstep @job_name = N'Ledger close', @step_id = 1, "
          "@output_file_name = N'D:\\logs\\reconcile.txt'");
  expect_converges(pair);
  const std::string q =
      "SELECT s.output_file_name FROM msdb.dbo.sysjobsteps s JOIN msdb.dbo.sysjobs j ON j.job_id = s.job_id "
      "WHERE j.name = N'Ledger close' AND s.step_id = 1";
  ASSERT_EQ(scalar_text(*pair.secondary, q), "D:\\logs\\reconcile.txt");

  exec_on(*pair.primary, "EXEC msdb.dbo.sp_update_jobstep @job_name = N'Ledger close', @step_id = 1, @output_file_name = N' '");
  ASSERT_EQ(scalar_text(*pair.primary, q), "NULL") << "the page's way to clear the file";
  expect_converges(pair);
  EXPECT_EQ(scalar_text(*pair.secondary, q), "NULL");
}

// sp_update_jobstep: a NULL argument keeps the stored value (every argument defaults to NULL).
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-update-jobstep-transact-sql
TEST(DocumentedReplay, UpdateJobstepWithNullKeepsTheOutputFile) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  exec_on(*pair.primary,
          "EXEC msdb.dbo.sp_update_jobstep @job_name = N'Ledger close', @step_id = 1, @output_file_name = N'D:\\a.txt'");
  exec_on(*pair.primary,
          "EXEC msdb.dbo.sp_update_jobstep @job_name = N'Ledger close', @step_id = 1, @output_file_name = NULL, "
          "@retry_attempts = 3");
  EXPECT_EQ(scalar_text(*pair.primary,
                        "SELECT s.output_file_name FROM msdb.dbo.sysjobsteps s JOIN msdb.dbo.sysjobs j ON j.job_id = "
                        "s.job_id WHERE j.name = N'Ledger close' AND s.step_id = 1"),
            "D:\\a.txt");
}

// sp_update_operator: arguments default to NULL (unchanged); a blank address clears it.
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-update-operator-transact-sql
TEST(DocumentedReplay, AnOperatorAddressRemovedOnThePrimaryIsRemovedOnTheTarget) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  exec_on(*pair.primary, "EXEC msdb.dbo.sp_update_operator @name = N'Payments DBA', @pager_address = N'dba-pager@contoso.example'");
  expect_converges(pair);
  const std::string q = "SELECT pager_address FROM msdb.dbo.sysoperators WHERE name = N'Payments DBA'";
  ASSERT_EQ(scalar_text(*pair.secondary, q), "dba-pager@contoso.example");

  exec_on(*pair.primary, "EXEC msdb.dbo.sp_update_operator @name = N'Payments DBA', @pager_address = N' '");
  ASSERT_EQ(scalar_text(*pair.primary, q), "NULL");
  expect_converges(pair);
  EXPECT_EQ(scalar_text(*pair.secondary, q), "NULL");
  EXPECT_EQ(scalar_text(*pair.secondary, "SELECT email_address FROM msdb.dbo.sysoperators WHERE name = N'Payments DBA'"),
            "payments-dba@contoso.example")
      << "what did not change stays";
}

// sp_add_schedule: "For weekly or monthly schedules, the Agent ignores if active_start_date is in
// the past, and instead uses the current date." The fixture's monthly schedule starts 2024-01-01:
// its copy starts today and the pair still converges; a future start is replayed as it is.
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-schedule-transact-sql
TEST(DocumentedReplay, AMonthlyScheduleWithAPastStartConvergesAndAFutureStartIsKept) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  exec_on(*pair.primary,
          "EXEC msdb.dbo.sp_add_schedule @schedule_name = N'Weekly from 2099', @freq_type = 8, @freq_interval = 2, "
          "@freq_recurrence_factor = 1, @freq_subday_type = 1, @active_start_date = 20990105, "
          "@schedule_uid = '11111111-2222-3333-4444-000000000099'");
  expect_converges(pair);
  const std::string month_end = "SELECT CAST(active_start_date AS nvarchar(8)) FROM msdb.dbo.sysschedules WHERE name = N'Month end 23:00'";
  EXPECT_EQ(scalar_text(*pair.primary, month_end), "20240101");
  EXPECT_NE(scalar_text(*pair.secondary, month_end), "20240101") << "the Agent's current date, not the past one";
  EXPECT_EQ(scalar_text(*pair.secondary,
                        "SELECT CAST(active_start_date AS nvarchar(8)) FROM msdb.dbo.sysschedules WHERE name = N'Weekly from 2099'"),
            "20990105");
}

// sp_addlinkedserver: "@srvproduct = 'SQL Server'" names the server by its network name and takes
// no provider or data source (error 15428); a different network name is set with sp_setnetname.
// Old-style remote servers (sp_addserver, is_linked = 0) are not linked servers.
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addlinkedserver-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-setnetname-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-addserver-transact-sql
TEST(DocumentedReplay, ASqlServerProductLinkedServerWithANetworkNameIsReplayedWithSetnetname) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  {
    auto p = understudy::testing::connect_sa(*pair.primary);
    auto refused = p.execute("EXEC master.dbo.sp_addlinkedserver @server = N'LEDGER_SQL', @srvproduct = N'SQL Server', "
                             "@provider = N'MSOLEDBSQL', @datasrc = N'ledger-sql.contoso.local'");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().native, 15428);
  }
  exec_on(*pair.primary,
          "EXEC master.dbo.sp_addlinkedserver @server = N'LEDGER_SQL', @srvproduct = N'SQL Server'; "
          "EXEC master.dbo.sp_setnetname @server = N'LEDGER_SQL', @netname = N'ledger-sql.contoso.local'; "
          "EXEC master.dbo.sp_addserver @server = N'RPC_ONLY';");
  auto dry = pair.sync(false);
  ASSERT_TRUE(dry) << dry.error().to_string();
  EXPECT_EQ(dry->plan.to_text().find("RPC_ONLY"), std::string::npos) << dry->plan.to_text();
  expect_converges(pair);
  EXPECT_EQ(scalar_text(*pair.secondary, "SELECT data_source FROM sys.servers WHERE name = N'LEDGER_SQL'"),
            "ledger-sql.contoso.local");
  EXPECT_EQ(scalar_text(*pair.secondary, "SELECT product FROM sys.servers WHERE name = N'LEDGER_SQL'"), "SQL Server");
  EXPECT_EQ(scalar_text(*pair.secondary, "SELECT name FROM sys.servers WHERE name = N'RPC_ONLY'"), "<no row>")
      << "a remote server is not replayed as a linked server";

  // A new network name on the primary is set in place, without --allow-recreate.
  exec_on(*pair.primary, "EXEC master.dbo.sp_setnetname @server = N'LEDGER_SQL', @netname = N'ledger-sql-2.contoso.local'");
  expect_converges(pair);
  EXPECT_EQ(scalar_text(*pair.secondary, "SELECT data_source FROM sys.servers WHERE name = N'LEDGER_SQL'"),
            "ledger-sql-2.contoso.local");
}

// sqlcmd substitutes $(var) as text before SQL Server parses the batch; a secret with a quote is
// supplied doubled once. In a batch sent as dynamic SQL the secret must come out the same: the
// outer expression is evaluated (as EXEC (@us_sql) would) and the inner statement run.
// https://learn.microsoft.com/sql/tools/sqlcmd/sqlcmd-use-scripting-variables
TEST(DocumentedReplay, ASecretWithAQuoteIsDoubledOnceInPlainAndDynamicScriptBatches) {
  emu::TestServer server;
  auto conn = understudy::testing::connect_sa(server);
  const tsql::SecretRef ref{"credential", "c"};
  const std::string supplied = "it''s $ecret";  // the environment value: ' doubled once
  auto substitute = [&](std::string text) {     // what sqlcmd does with -v / the environment
    for (size_t at = text.find("$(US_SECRET_1)"); at != std::string::npos; at = text.find("$(US_SECRET_1)")) {
      text.replace(at, 14, supplied);
    }
    return text;
  };
  auto first_text = [&](const std::string& sql) {
    auto rs = conn.query(sql);
    EXPECT_TRUE(rs && !rs->rows.empty()) << sql << (rs ? "" : rs.error().to_string());
    const std::string* v = rs && !rs->rows.empty() ? odbc::as_text(rs->rows[0].back()) : nullptr;
    return v ? *v : std::string("?");
  };
  // Plain: no data sqlcmd would act on.
  tsql::Sql plain("SELECT ");
  plain.secret(ref, tsql::SecretForm::kString).raw(" AS s;");
  const std::string plain_batch = tsql::sqlcmd_batch(plain, {{ref, "US_SECRET_1"}});
  ASSERT_EQ(plain_batch.find("@us_sql"), std::string::npos);
  EXPECT_EQ(first_text(substitute(plain_batch)), "it's $ecret");
  // Dynamic: the batch's own text holds "$(" and a GO line.
  tsql::Sql dynamic("SELECT N'$(PATH)\nGO' AS d, ");
  dynamic.secret(ref, tsql::SecretForm::kString).raw(" AS s;");
  const std::string batch = substitute(tsql::sqlcmd_batch(dynamic, {{ref, "US_SECRET_1"}}));
  const size_t from = batch.find(" = ") + 3, to = batch.find(";\nEXEC (@us_sql);");
  ASSERT_NE(to, std::string::npos) << batch;
  const std::string inner = first_text("SELECT " + batch.substr(from, to - from) + " AS q");
  EXPECT_EQ(first_text(inner), "it's $ecret") << inner;
}

// What a managed instance does not support is flagged with what to do and never attempted:
// pager / net send (operators, job notifications), multi-server categories, credentials other than
// SHARED ACCESS SIGNATURE or Managed Identity.
// https://learn.microsoft.com/azure/azure-sql/managed-instance/job-automation-managed-instance
// https://learn.microsoft.com/azure/azure-sql/managed-instance/transact-sql-tsql-differences-sql-server
TEST(DocumentedReplay, ManagedInstanceRefusalsAreFlaggedWithWhatToDoAndNeverAttempted) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary(8));
  exec_on(*pair.primary,
          "EXEC msdb.dbo.sp_add_operator @name = N'Night pager', @pager_address = N'night@pager.contoso.example'; "
          "EXEC msdb.dbo.sp_add_category @class = 'JOB', @type = 'MULTI-SERVER', @name = N'Fleet'; "
          "CREATE CREDENTIAL [share_cred] WITH IDENTITY = N'CONTOSO\\svc_share', SECRET = N'Share-Secret-1'; "
          "EXEC msdb.dbo.sp_update_job @job_name = N'Ledger close', @notify_level_page = 2, "
          "@notify_page_operator_name = N'Night pager';");
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  std::map<std::string, std::string> incompatible;
  for (const auto& a : r->leftover) {
    if (a.block == Block::kIncompatible) incompatible[std::string(catalog::kind_name(a.kind)) + " " + a.key] = a.blocked;
  }
  EXPECT_NE(incompatible["agent_operator Night pager"].find("remove the operator's pager and net send addresses"),
            std::string::npos) << r->to_text();
  EXPECT_NE(incompatible["agent_category Fleet"].find("multi-server"), std::string::npos) << r->to_text();
  EXPECT_NE(incompatible["credential share_cred"].find("only SHARED ACCESS SIGNATURE or Managed Identity"),
            std::string::npos) << r->to_text();
  EXPECT_NE(incompatible["agent_job Ledger close"].find("net send or pager"), std::string::npos) << r->to_text();
  EXPECT_EQ(scalar_text(*pair.secondary, "SELECT name FROM msdb.dbo.sysoperators WHERE name = N'Night pager'"), "<no row>");
  EXPECT_EQ(scalar_text(*pair.secondary, "SELECT name FROM sys.credentials WHERE name = N'share_cred'"), "<no row>");
  EXPECT_EQ(r->execution.failed, 0) << r->to_text() << "nothing incompatible was attempted";
}

// A SQL login onto a managed instance: MI's CREATE LOGIN takes no hashed password, CHECK_POLICY,
// CHECK_EXPIRATION or CREDENTIAL, its ALTER LOGIN does; the login is created with a throwaway
// password made on the server and given the source's hash, SID, policy and credential in the same
// transaction. No password text of Understudy's own is in the plan.
// https://learn.microsoft.com/sql/t-sql/statements/create-login-transact-sql?view=azuresqldb-mi-current
// https://learn.microsoft.com/sql/t-sql/statements/alter-login-transact-sql?view=azuresqldb-mi-current
TEST(DocumentedReplay, ManagedInstanceLoginsAreCreatedWithItsOptionsThenGivenTheSourcesHashAndPolicy) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary(8));
  exec_on(*pair.primary,
          "CREATE LOGIN [mi_policy_svc] WITH PASSWORD = N'Mi-Policy-Passw0rd!', CHECK_POLICY = ON, "
          "CHECK_EXPIRATION = ON, SID = 0x5E117A0E3C2D4B8F9A1B2C3D4E5F6099");
  auto dry = pair.sync(false);
  ASSERT_TRUE(dry) << dry.error().to_string();
  const std::string plan = dry->plan.to_text();
  EXPECT_NE(plan.find("EXEC (N'CREATE LOGIN [mi_policy_svc] WITH PASSWORD = N''' + @us_pw + N''', SID = "
                      "0x5E117A0E3C2D4B8F9A1B2C3D4E5F6099, DEFAULT_DATABASE = [master]"),
            std::string::npos) << plan;
  EXPECT_EQ(plan.find("HASHED, SID"), std::string::npos) << plan << "no hashed password in an MI CREATE LOGIN";
  // The fixture's Windows login and CmdExec job stay incompatible (so not converged); every login
  // that MI can hold is created, and a second sync has nothing to send.
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->execution.failed, 0) << r->to_text();
  auto again = pair.sync(false);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->plan.summary().runnable(), 0) << again->plan.to_text();
  const std::string q = "SELECT CONCAT(CONVERT(nvarchar(max), password_hash, 1), '|', CONVERT(nvarchar(max), sid, 1), '|', "
                        "is_policy_checked, '|', is_expiration_checked) FROM sys.sql_logins WHERE name = N'mi_policy_svc'";
  const std::string on_primary = scalar_text(*pair.primary, q);
  EXPECT_NE(on_primary, "<no row>");
  EXPECT_EQ(scalar_text(*pair.secondary, q), on_primary) << "the same hash, SID and policy on the managed instance";
  const std::string settle = "SELECT CONVERT(nvarchar(max), password_hash, 1) FROM sys.sql_logins WHERE name = N'app_settlement_svc'";
  EXPECT_EQ(scalar_text(*pair.secondary, settle), scalar_text(*pair.primary, settle));
}

// A proxy is usable by a job step only with its subsystem grant (sp_grant_proxy_to_subsystem) and,
// for a non-sysadmin owner, its login grant (sp_grant_login_to_proxy): both are read and replayed.
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-grant-proxy-to-subsystem-transact-sql
// https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-grant-login-to-proxy-transact-sql
TEST(DocumentedReplay, ProxyGrantsToSubsystemsAndLoginsAreReplayedAndRevoked) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary(),
                "[secrets.credentials]\npayments_backup_url = { file = '@DIR@/credential.secret' }\n"
                "cmd_cred = { file = '@DIR@/cmd.secret' }\n"
                "[secrets.linked_server_logins]\n'LEDGER_ARCHIVE|app_ledger_svc' = { file = '@DIR@/ledger.secret' }\n");
  pair.write_secret("cmd.secret", "Cmd-Secret-1");
  exec_on(*pair.primary,
          "CREATE CREDENTIAL [cmd_cred] WITH IDENTITY = N'CONTOSO\\svc_cmd', SECRET = N'Cmd-Secret-1'; "
          "EXEC msdb.dbo.sp_add_proxy @proxy_name = N'Export proxy', @credential_name = N'cmd_cred'; "
          "EXEC msdb.dbo.sp_grant_proxy_to_subsystem @proxy_name = N'Export proxy', @subsystem_name = N'CmdExec'; "
          "EXEC msdb.dbo.sp_grant_login_to_proxy @login_name = N'app_settlement_svc', @proxy_name = N'Export proxy'; "
          "EXEC msdb.dbo.sp_grant_login_to_proxy @fixed_server_role = N'sysadmin', @proxy_name = N'Export proxy';");
  expect_converges(pair);
  auto count = [&](const std::string& sql) { return count_on(*pair.secondary, sql); };
  const std::string subsystems =
      "SELECT COUNT(*) FROM msdb.dbo.sysproxysubsystem ps JOIN msdb.dbo.sysproxies p ON p.proxy_id = ps.proxy_id "
      "JOIN msdb.dbo.syssubsystems s ON s.subsystem_id = ps.subsystem_id WHERE p.name = N'Export proxy' AND "
      "s.subsystem = N'CmdExec'";
  const std::string logins =
      "SELECT COUNT(*) FROM msdb.dbo.sysproxylogin pl JOIN msdb.dbo.sysproxies p ON p.proxy_id = pl.proxy_id "
      "WHERE p.name = N'Export proxy'";
  EXPECT_EQ(count(subsystems), 1);
  EXPECT_EQ(count(logins), 2);
  exec_on(*pair.primary,
          "EXEC msdb.dbo.sp_revoke_proxy_from_subsystem @proxy_name = N'Export proxy', @subsystem_name = N'CmdExec'; "
          "EXEC msdb.dbo.sp_revoke_login_from_proxy @name = N'app_settlement_svc', @proxy_name = N'Export proxy';");
  expect_converges(pair);
  EXPECT_EQ(count(subsystems), 0);
  EXPECT_EQ(count(logins), 1);
}

// Two availability groups that both instances take part in (as in an AG between them).
nlohmann::json two_availability_groups() {
  using nlohmann::json;
  json ha;
  ha["availability_groups"] = json::array();
  ha["availability_replicas"] = json::array();
  int n = 0;
  for (const char* name : {"payments-ag", "ledger-ag"}) {
    const std::string group = "6A0C3D20-0000-4000-8000-00000000010" + std::to_string(++n);
    ha["availability_groups"].push_back({{"group_id", group}, {"name", name}, {"cluster_type", 0}, {"cluster_type_desc", "WSFC"}});
    int m = 0;
    for (const char* server : {"UNDERSTUDY-EMU-PRIMARY", "UNDERSTUDY-EMU"}) {
      const std::string replica = "6A0C3D20-0000-4000-8000-0000000002" + std::to_string(n) + std::to_string(++m);
      ha["availability_replicas"].push_back({{"replica_id", replica}, {"group_id", group}, {"replica_server_name", server}});
    }
  }
  return {{"version", 1}, {"ha", ha}};
}

// Server permissions on an availability group (class 108) name the group: GRANT … ON AVAILABILITY
// GROUP::name, and each group is a securable of its own.
// https://learn.microsoft.com/sql/t-sql/statements/grant-availability-group-permissions-transact-sql
TEST(DocumentedReplay, PermissionsOnTwoAvailabilityGroupsAreTwoObjectsReplayedByName) {
  understudy::testing::TempDir fixtures;
  const std::string path = understudy::testing::write_fixture(fixtures, "ags", two_availability_groups());
  SyncPair pair({.fixture = path, .server_name = "UNDERSTUDY-EMU-PRIMARY"}, {.fixture = path});
  exec_on(*pair.primary,
          "CREATE LOGIN [ag_operator] WITH PASSWORD = N'Ag-Operat0r!', CHECK_POLICY = OFF; "
          "GRANT VIEW DEFINITION ON AVAILABILITY GROUP::[payments-ag] TO [ag_operator]; "
          "GRANT VIEW DEFINITION ON AVAILABILITY GROUP::[ledger-ag] TO [ag_operator]; "
          "DENY CONTROL ON AVAILABILITY GROUP::[ledger-ag] TO [ag_operator];");
  auto dry = pair.sync(false);
  ASSERT_TRUE(dry) << dry.error().to_string();
  EXPECT_EQ(dry->plan.summary().create, 5) << dry->plan.to_text() << "the login, its CONNECT SQL, three on the groups";
  EXPECT_NE(dry->plan.to_text().find("DENY CONTROL ON AVAILABILITY GROUP::[ledger-ag] TO [ag_operator];"), std::string::npos);
  expect_converges(pair);
  const std::string q =
      "SELECT COUNT(*) FROM sys.server_permissions p JOIN sys.availability_replicas r ON r.replica_metadata_id = "
      "p.major_id JOIN sys.availability_groups g ON g.group_id = r.group_id WHERE p.class = 108 AND "
      "p.state = '@S' AND g.name = N'@G'";
  auto count = [&](const char* state, const char* group) {
    std::string sql = q;
    sql.replace(sql.find("@S"), 2, state);
    sql.replace(sql.find("@G"), 2, group);
    return count_on(*pair.secondary, sql);
  };
  EXPECT_EQ(count("G", "payments-ag"), 1);
  EXPECT_EQ(count("G", "ledger-ag"), 1);
  EXPECT_EQ(count("D", "ledger-ag"), 1);
}

}  // namespace
}  // namespace understudy::replay
