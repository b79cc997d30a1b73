// queries.h — the catalog batch: one set-based SELECT per result set, sent as one batch
// (internal to service/catalog; reader.cc assembles the objects). Every id is resolved to a
// name server-side; binary values (SIDs, hashes) come back as varbinary and are hex-encoded here.
// The order of kResultSets is the order of the SELECTs in kCatalogBatch.
#pragma once

#include <string_view>

namespace understudy::catalog {

enum class ResultSetId {
  kInstance, kSubsystems, kPrincipals, kMembers, kPermissions, kCredentials, kServers, kLinkedLogins,
  kCategories, kOperators, kProxies, kSchedules, kJobs, kSteps, kJobSchedules, kJobServers,
};

inline constexpr std::string_view kResultSetNames[] = {
    "instance", "subsystems", "principals", "role members", "permissions", "credentials", "linked servers",
    "linked server logins", "categories", "operators", "proxies", "schedules", "jobs", "job steps",
    "job schedules", "job servers",
};

inline constexpr std::string_view kCatalogBatch = R"sql(SET NOCOUNT ON;
SELECT CAST(SERVERPROPERTY('ServerName') AS nvarchar(128)) AS server_name,
       CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition,
       CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition,
       CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,
       CAST(SERVERPROPERTY('Collation') AS nvarchar(128)) AS collation;
SELECT subsystem FROM msdb.dbo.syssubsystems;
SELECT sp.principal_id, sp.name, sp.sid, sp.type, sp.type_desc, sp.is_disabled, sp.create_date, sp.modify_date,
       sp.default_database_name, sp.default_language_name, sp.is_fixed_role,
       sl.is_policy_checked, sl.is_expiration_checked, sl.password_hash,
       c.name AS credential_name, o.name AS owner_name
FROM sys.server_principals AS sp
LEFT JOIN sys.sql_logins AS sl ON sl.principal_id = sp.principal_id
LEFT JOIN sys.credentials AS c ON c.credential_id = sp.credential_id
LEFT JOIN sys.server_principals AS o ON o.principal_id = sp.owning_principal_id;
SELECT r.name AS role_name, m.name AS member_name, m.type AS member_type
FROM sys.server_role_members AS rm
JOIN sys.server_principals AS r ON r.principal_id = rm.role_principal_id
JOIN sys.server_principals AS m ON m.principal_id = rm.member_principal_id;
SELECT pe.class_desc, pe.type, pe.permission_name, pe.state, pe.state_desc,
       ge.name AS grantee, ge.type AS grantee_type, gr.name AS grantor,
       sec.name AS securable_principal, sec.type AS securable_principal_type, ep.name AS securable_endpoint
FROM sys.server_permissions AS pe
JOIN sys.server_principals AS ge ON ge.principal_id = pe.grantee_principal_id
LEFT JOIN sys.server_principals AS gr ON gr.principal_id = pe.grantor_principal_id
LEFT JOIN sys.server_principals AS sec ON pe.class = 101 AND sec.principal_id = pe.major_id
LEFT JOIN sys.endpoints AS ep ON pe.class = 105 AND ep.endpoint_id = pe.major_id;
SELECT credential_id, name, credential_identity, target_type, target_id, create_date, modify_date
FROM sys.credentials;
SELECT server_id, name, product, provider, data_source, location, provider_string, catalog, connect_timeout,
       query_timeout, is_linked, is_remote_login_enabled, is_rpc_out_enabled, is_data_access_enabled,
       is_collation_compatible, uses_remote_collation, collation_name, lazy_schema_validation, is_system,
       is_publisher, is_subscriber, is_distributor, is_nonsql_subscriber,
       is_remote_proc_transaction_promotion_enabled, modify_date
FROM sys.servers WHERE server_id <> 0;
SELECT s.name AS linked_server, ll.local_principal_id, p.name AS local_login, ll.uses_self_credential,
       ll.remote_name, ll.modify_date
FROM sys.linked_logins AS ll
JOIN sys.servers AS s ON s.server_id = ll.server_id
LEFT JOIN sys.server_principals AS p ON p.principal_id = ll.local_principal_id
WHERE ll.server_id <> 0;
SELECT category_id, category_class, category_type, name
FROM msdb.dbo.syscategories WHERE category_id >= 100 AND category_class = 1;
SELECT o.id, o.name, o.enabled, o.email_address, o.pager_address, o.netsend_address,
       o.weekday_pager_start_time, o.weekday_pager_end_time, o.saturday_pager_start_time,
       o.saturday_pager_end_time, o.sunday_pager_start_time, o.sunday_pager_end_time, o.pager_days,
       c.name AS category_name, o.last_email_date, o.last_email_time, o.last_pager_date, o.last_pager_time,
       o.last_netsend_date, o.last_netsend_time
FROM msdb.dbo.sysoperators AS o
LEFT JOIN msdb.dbo.syscategories AS c ON c.category_id = o.category_id;
SELECT p.proxy_id, p.name, c.name AS credential_name, p.enabled, p.description, p.user_sid, p.credential_date_created
FROM msdb.dbo.sysproxies AS p
LEFT JOIN sys.credentials AS c ON c.credential_id = p.credential_id;
SELECT s.schedule_id, s.schedule_uid, s.originating_server_id, s.name, s.owner_sid, s.enabled, s.freq_type,
       s.freq_interval, s.freq_subday_type, s.freq_subday_interval, s.freq_relative_interval,
       s.freq_recurrence_factor, s.active_start_date, s.active_end_date, s.active_start_time, s.active_end_time,
       s.date_created, s.date_modified, s.version_number, o.name AS owner_login_name
FROM msdb.dbo.sysschedules AS s
LEFT JOIN sys.server_principals AS o ON o.sid = s.owner_sid;
SELECT j.job_id, j.name, j.enabled, j.description, j.start_step_id, c.name AS category_name,
       j.owner_sid, o.name AS owner_login_name,
       j.notify_level_eventlog, j.notify_level_email, j.notify_level_netsend, j.notify_level_page,
       oe.name AS notify_email_operator_name, onet.name AS notify_netsend_operator_name,
       opg.name AS notify_page_operator_name, j.delete_level, j.originating_server_id,
       j.date_created, j.date_modified, j.version_number
FROM msdb.dbo.sysjobs AS j
LEFT JOIN msdb.dbo.syscategories AS c ON c.category_id = j.category_id
LEFT JOIN sys.server_principals AS o ON o.sid = j.owner_sid
LEFT JOIN msdb.dbo.sysoperators AS oe ON oe.id = j.notify_email_operator_id
LEFT JOIN msdb.dbo.sysoperators AS onet ON onet.id = j.notify_netsend_operator_id
LEFT JOIN msdb.dbo.sysoperators AS opg ON opg.id = j.notify_page_operator_id;
SELECT js.job_id, js.step_id, js.step_name, js.subsystem, js.command, js.flags, js.additional_parameters,
       js.cmdexec_success_code, js.on_success_action, js.on_success_step_id, js.on_fail_action,
       js.on_fail_step_id, js.server, js.database_name, js.database_user_name, js.retry_attempts,
       js.retry_interval, js.os_run_priority, js.output_file_name, p.name AS proxy_name, js.step_uid
FROM msdb.dbo.sysjobsteps AS js
LEFT JOIN msdb.dbo.sysproxies AS p ON p.proxy_id = js.proxy_id
ORDER BY js.job_id, js.step_id;
SELECT jsc.job_id, s.schedule_uid
FROM msdb.dbo.sysjobschedules AS jsc
JOIN msdb.dbo.sysschedules AS s ON s.schedule_id = jsc.schedule_id;
SELECT jsv.job_id, jsv.server_id, sv.name AS server_name
FROM msdb.dbo.sysjobservers AS jsv
LEFT JOIN sys.servers AS sv ON sv.server_id = jsv.server_id;
)sql";

}  // namespace understudy::catalog
