// Hand-written snapshot queries of every kind (logins, roles, permissions, credentials, linked
// servers, Agent objects) run against the payments-primary fixture and report the columns and SQL
// types of the views' documentation pages
// (https://learn.microsoft.com/sql/relational-databases/system-catalog-views/, …/system-tables/ for
// msdb).
#include "engine/exec_test_util.h"

namespace emu::testing {
namespace {

struct SnapshotQuery {
  const char* name;
  const char* sql;
  const char* columns;  // "name:type, …"
  size_t min_rows;
};

const SnapshotQuery kQueries[] = {
    {"logins",
     "SELECT sp.principal_id, sp.name, sp.type, sp.type_desc, sp.is_disabled,\n"
     "       CONVERT(varchar(max), sp.sid, 1)                      AS sid_hex,\n"
     "       sp.default_database_name, sp.default_language_name,\n"
     "       sl.is_policy_checked, sl.is_expiration_checked,\n"
     "       CONVERT(varchar(max),\n"
     "               CAST(LOGINPROPERTY(sp.name, 'PasswordHash') AS varbinary(256)), 1) AS password_hash_hex,\n"
     "       c.name                                                AS credential_name\n"
     "FROM sys.server_principals AS sp\n"
     "LEFT JOIN sys.sql_logins  AS sl ON sl.principal_id = sp.principal_id\n"
     "LEFT JOIN sys.credentials AS c  ON c.credential_id = sp.credential_id\n"
     "WHERE sp.type IN ('S','U','G','C','K','E','X')\n"
     "  AND sp.principal_id <> 1                     -- sa (sid 0x01)\n"
     "  AND sp.name NOT LIKE N'##%##'\n"
     "  AND sp.name NOT LIKE N'NT SERVICE\\%'\n"
     "  AND sp.name NOT LIKE N'NT AUTHORITY\\%';",
     "principal_id:int, name:nvarchar(128), type:char(1), type_desc:nvarchar(60), is_disabled:int, "
     "sid_hex:varchar(max), default_database_name:nvarchar(128), default_language_name:nvarchar(128), "
     "is_policy_checked:bit, is_expiration_checked:bit, password_hash_hex:varchar(max), credential_name:nvarchar(128)",
     5},
    {"roles",
     "SELECT r.name, o.name AS owner_name\n"
     "FROM sys.server_principals r\n"
     "LEFT JOIN sys.server_principals o ON o.principal_id = r.owning_principal_id\n"
     "WHERE r.type = 'R' AND r.is_fixed_role = 0 AND r.name <> N'public';",
     "name:nvarchar(128), owner_name:nvarchar(128)", 1},
    {"role_members",
     "SELECT r.name AS role_name, m.name AS member_name, m.type AS member_type\n"
     "FROM sys.server_role_members rm\n"
     "JOIN sys.server_principals r ON r.principal_id = rm.role_principal_id\n"
     "JOIN sys.server_principals m ON m.principal_id = rm.member_principal_id;",
     "role_name:nvarchar(128), member_name:nvarchar(128), member_type:char(1)", 3},
    {"permissions",
     "SELECT pe.class, pe.class_desc, pe.type, pe.permission_name, pe.state, pe.state_desc,\n"
     "       ge.name AS grantee, gr.name AS grantor,\n"
     "       sec.name AS securable_principal, sec.type AS securable_principal_type,\n"
     "       ep.name  AS securable_endpoint\n"
     "FROM sys.server_permissions pe\n"
     "JOIN      sys.server_principals ge  ON ge.principal_id = pe.grantee_principal_id\n"
     "LEFT JOIN sys.server_principals gr  ON gr.principal_id = pe.grantor_principal_id\n"
     "LEFT JOIN sys.server_principals sec ON pe.class = 101 AND sec.principal_id = pe.major_id\n"
     "LEFT JOIN sys.endpoints         ep  ON pe.class = 105 AND ep.endpoint_id  = pe.major_id;",
     "class:tinyint, class_desc:nvarchar(60), type:char(4), permission_name:nvarchar(128), state:char(1), "
     "state_desc:nvarchar(60), grantee:nvarchar(128), grantor:nvarchar(128), securable_principal:nvarchar(128), "
     "securable_principal_type:char(1), securable_endpoint:nvarchar(128)",
     5},
    {"credentials", "SELECT credential_id, name, credential_identity, target_type, target_id FROM sys.credentials;",
     "credential_id:int, name:nvarchar(128), credential_identity:nvarchar(4000), target_type:nvarchar(100), target_id:int", 1},
    {"linked_servers", "SELECT * FROM sys.servers WHERE server_id <> 0;",
     "server_id:int, name:nvarchar(128), product:nvarchar(128), provider:nvarchar(128), data_source:nvarchar(4000), "
     "location:nvarchar(4000), provider_string:nvarchar(4000), catalog:nvarchar(128), connect_timeout:int, "
     "query_timeout:int, is_linked:bit, is_remote_login_enabled:bit, is_rpc_out_enabled:bit, "
     "is_data_access_enabled:bit, is_collation_compatible:bit, uses_remote_collation:bit, "
     "collation_name:nvarchar(128), lazy_schema_validation:bit, is_system:bit, is_publisher:bit, is_subscriber:bit, "
     "is_distributor:bit, is_nonsql_subscriber:bit, is_remote_proc_transaction_promotion_enabled:bit, "
     "modify_date:datetime, is_rda_server:bit",
     1},
    {"linked_logins",
     "SELECT s.name AS linked_server, ll.local_principal_id, p.name AS local_login,\n"
     "       ll.uses_self_credential, ll.remote_name\n"
     "FROM sys.linked_logins ll\n"
     "JOIN sys.servers s ON s.server_id = ll.server_id\n"
     "LEFT JOIN sys.server_principals p ON p.principal_id = ll.local_principal_id;  -- 0 = all logins",
     "linked_server:nvarchar(128), local_principal_id:int, local_login:nvarchar(128), uses_self_credential:bit, "
     "remote_name:nvarchar(128)",
     1},
    {"jobs",
     "SELECT j.job_id, j.name, j.enabled, j.description, j.start_step_id,\n"
     "       c.name AS category_name, c.category_type,\n"
     "       CONVERT(varchar(max), j.owner_sid, 1) AS owner_sid_hex, o.name AS owner_login_name,\n"
     "       j.notify_level_eventlog, j.notify_level_email, j.notify_level_netsend, j.notify_level_page,\n"
     "       oe.name AS email_op, onet.name AS netsend_op, opg.name AS page_op,\n"
     "       j.delete_level, j.originating_server_id, v.originating_server\n"
     "FROM msdb.dbo.sysjobs j\n"
     "JOIN      msdb.dbo.sysjobs_view  v    ON v.job_id = j.job_id\n"
     "LEFT JOIN msdb.dbo.syscategories c    ON c.category_id = j.category_id\n"
     "LEFT JOIN sys.server_principals  o    ON o.sid = j.owner_sid\n"
     "LEFT JOIN msdb.dbo.sysoperators  oe   ON oe.id   = j.notify_email_operator_id\n"
     "LEFT JOIN msdb.dbo.sysoperators  onet ON onet.id = j.notify_netsend_operator_id\n"
     "LEFT JOIN msdb.dbo.sysoperators  opg  ON opg.id  = j.notify_page_operator_id;",
     "job_id:uniqueidentifier, name:nvarchar(128), enabled:tinyint, description:nvarchar(512), start_step_id:int, "
     "category_name:nvarchar(128), category_type:tinyint, owner_sid_hex:varchar(max), owner_login_name:nvarchar(128), "
     "notify_level_eventlog:int, notify_level_email:int, notify_level_netsend:int, notify_level_page:int, "
     "email_op:nvarchar(128), netsend_op:nvarchar(128), page_op:nvarchar(128), delete_level:int, "
     "originating_server_id:int, originating_server:nvarchar(128)",
     2},
    {"job_steps",
     "SELECT js.job_id, js.step_id, js.step_name, js.subsystem, js.command, js.flags,\n"
     "       js.additional_parameters, js.cmdexec_success_code, js.on_success_action,\n"
     "       js.on_success_step_id, js.on_fail_action, js.on_fail_step_id, js.server,\n"
     "       js.database_name, js.database_user_name, js.retry_attempts, js.retry_interval,\n"
     "       js.os_run_priority, js.output_file_name, p.name AS proxy_name\n"
     "FROM msdb.dbo.sysjobsteps js LEFT JOIN msdb.dbo.sysproxies p ON p.proxy_id = js.proxy_id\n"
     "ORDER BY js.job_id, js.step_id;",
     "job_id:uniqueidentifier, step_id:int, step_name:nvarchar(128), subsystem:nvarchar(40), command:nvarchar(max), "
     "flags:int, additional_parameters:nvarchar(max), cmdexec_success_code:int, on_success_action:tinyint, "
     "on_success_step_id:int, on_fail_action:tinyint, on_fail_step_id:int, server:nvarchar(128), "
     "database_name:nvarchar(128), database_user_name:nvarchar(128), retry_attempts:int, retry_interval:int, "
     "os_run_priority:int, output_file_name:nvarchar(200), proxy_name:nvarchar(128)",
     2},
    {"schedules",
     "SELECT s.*, o.name AS owner_login_name FROM msdb.dbo.sysschedules s\n"
     "LEFT JOIN sys.server_principals o ON o.sid = s.owner_sid;",
     "schedule_id:int, schedule_uid:uniqueidentifier, originating_server_id:int, name:nvarchar(128), "
     "owner_sid:varbinary(85), enabled:int, freq_type:int, freq_interval:int, freq_subday_type:int, "
     "freq_subday_interval:int, freq_relative_interval:int, freq_recurrence_factor:int, active_start_date:int, "
     "active_end_date:int, active_start_time:int, active_end_time:int, date_created:datetime, "
     "date_modified:datetime, version_number:int, owner_login_name:nvarchar(128)",
     1},
    {"job_schedules", "SELECT job_id, schedule_id FROM msdb.dbo.sysjobschedules;",
     "job_id:uniqueidentifier, schedule_id:int", 1},
    {"job_servers", "SELECT job_id, server_id FROM msdb.dbo.sysjobservers;", "job_id:uniqueidentifier, server_id:int", 1},
    {"operators", "SELECT * FROM msdb.dbo.sysoperators;",
     "id:int, name:nvarchar(128), enabled:tinyint, email_address:nvarchar(100), last_email_date:int, "
     "last_email_time:int, pager_address:nvarchar(100), last_pager_date:int, last_pager_time:int, "
     "weekday_pager_start_time:int, weekday_pager_end_time:int, saturday_pager_start_time:int, "
     "saturday_pager_end_time:int, sunday_pager_start_time:int, sunday_pager_end_time:int, pager_days:tinyint, "
     "netsend_address:nvarchar(100), last_netsend_date:int, last_netsend_time:int, category_id:int",
     1},
    {"categories", "SELECT * FROM msdb.dbo.syscategories WHERE category_id >= 100;  -- user-created only",
     "category_id:int, category_class:int, category_type:tinyint, name:nvarchar(128)", 1},
    {"identity",
     "SELECT CAST(SERVERPROPERTY('EngineEdition') AS int)           AS engine_edition,\n"
     "       CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,\n"
     "       CAST(SERVERPROPERTY('ServerName') AS nvarchar(128))     AS server_name,\n"
     "       @@SERVERNAME                                            AS configured_name;",
     "engine_edition:int, product_version:nvarchar(128), server_name:nvarchar(128), configured_name:nvarchar(128)", 1},
};

std::string describe(const std::vector<ColumnInfo>& cols) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + c.name + ":" + to_string(c.type);
  return out;
}

class SnapshotQueryTest : public ::testing::TestWithParam<SnapshotQuery> {};

TEST_P(SnapshotQueryTest, RunsWithDocumentedColumns) {
  auto inst = make_instance(3, EMU_FIXTURE_DIR "/payments-primary.json");
  ASSERT_NE(inst, nullptr);
  auto session = make_session(*inst);
  auto r = run(*session, GetParam().sql);
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets.size(), 1u);
  EXPECT_EQ(describe(r.sets[0].columns), GetParam().columns);
  EXPECT_GE(r.sets[0].rows.size(), GetParam().min_rows);
  for (const auto& row : r.sets[0].rows) EXPECT_EQ(row.size(), r.sets[0].columns.size());
}

INSTANTIATE_TEST_SUITE_P(SnapshotQueries, SnapshotQueryTest, ::testing::ValuesIn(kQueries),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SnapshotValues, LoginRowCarriesHexSidAndPasswordHash) {
  auto inst = make_instance(3, EMU_FIXTURE_DIR "/payments-primary.json");
  ASSERT_NE(inst, nullptr);
  auto session = make_session(*inst);
  auto r = run(*session,
               "SELECT CONVERT(varchar(max), sp.sid, 1) AS sid_hex, "
               "CONVERT(varchar(max), CAST(LOGINPROPERTY(sp.name, 'PasswordHash') AS varbinary(256)), 1) AS h "
               "FROM sys.server_principals sp WHERE sp.name = N'APP_SETTLEMENT_SVC'");
  ASSERT_EQ(r.first_error(), "");
  ASSERT_EQ(r.sets[0].rows.size(), 1u);
  EXPECT_EQ(text(r.sets[0].rows[0][0]), "0x5E117A0E3C2D4B8F9A1B2C3D4E5F6071");
  EXPECT_EQ(text(r.sets[0].rows[0][1]).substr(0, 14), "0x02005E117A01");
  EXPECT_EQ(text(r.sets[0].rows[0][1]).size(), 2u + 140u);
}

}  // namespace
}  // namespace emu::testing
