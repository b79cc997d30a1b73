// queries.h — the catalog batch: one plain set-based SELECT per catalog view or msdb table, sent
// as one batch (internal to service/catalog). No joins: ids are resolved to names in C++
// (assemble.cc), which keeps every statement a single scan on SQL Server and on the emulator,
// and makes the cost one round trip whatever the number of objects. Result sets come in
// dependency order — each one's references point at sets already read.
// The order of ResultSetId is the order of the SELECTs in kCatalogBatch.
#pragma once

#include <string_view>

namespace understudy::catalog {

enum class ResultSetId {
  kRights, kInstance, kSubsystems, kCredentials, kEndpoints, kAvailabilityGroups, kAvailabilityReplicas, kSqlLogins,
  kConnectDenies, kPrincipals, kMembers, kPermissions, kServers, kLinkedLogins, kCategories, kOperators,
  kProxySubsystems, kProxyLogins, kProxies, kSchedules, kSteps, kJobSchedules, kTargetServers, kJobServers, kJobs,
  kLanguages, kMessages, kConfigurations,
};

inline constexpr std::string_view kResultSetNames[] = {
    "rights", "instance", "subsystems", "credentials", "endpoints", "availability groups", "availability replicas",
    "sql logins", "connect denies", "principals", "role members", "permissions", "servers", "linked logins",
    "categories", "operators", "proxy subsystems", "proxy logins", "proxies", "schedules", "job steps",
    "job schedules", "target servers", "job servers", "jobs",
    "languages", "messages", "configurations",
};

// The first set asks whether the login can see everything: without CONTROL SERVER,
// sys.sql_logins.password_hash reads NULL (https://learn.microsoft.com/sql/t-sql/functions/loginproperty-transact-sql),
// sys.servers.provider_string NULL without ALTER ANY LINKED SERVER, and metadata visibility hides
// other logins, roles and their permissions; CONTROL SERVER implies all of them. A read without it
// is refused (reader.cc), never taken as the instance's state.
inline constexpr std::string_view kCatalogBatch = R"sql(SET NOCOUNT ON;
SELECT CAST(HAS_PERMS_BY_NAME(NULL, NULL, 'CONTROL SERVER') AS int) AS control_server;
SELECT CAST(SERVERPROPERTY('ServerName') AS nvarchar(128)) AS server_name,
       CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition,
       CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition,
       CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,
       CAST(SERVERPROPERTY('Collation') AS nvarchar(128)) AS collation;
SELECT subsystem_id, subsystem FROM msdb.dbo.syssubsystems;
SELECT credential_id, name, credential_identity, target_type, target_id, create_date, modify_date
FROM sys.credentials;
SELECT endpoint_id, name FROM sys.endpoints;
SELECT group_id, name FROM sys.availability_groups;
SELECT group_id, replica_metadata_id FROM sys.availability_replicas;
SELECT principal_id, is_policy_checked, is_expiration_checked, password_hash FROM sys.sql_logins;
SELECT grantee_principal_id FROM sys.server_permissions WHERE class = 100 AND type = 'COSQ' AND state = 'D';
SELECT principal_id, name, sid, type, type_desc, is_disabled, create_date, modify_date, default_database_name,
       default_language_name, credential_id, owning_principal_id, is_fixed_role
FROM sys.server_principals;
SELECT role_principal_id, member_principal_id FROM sys.server_role_members;
SELECT class, class_desc, major_id, grantee_principal_id, grantor_principal_id, type, permission_name, state,
       state_desc
FROM sys.server_permissions;
SELECT server_id, name, product, provider, data_source, location, provider_string, catalog, connect_timeout,
       query_timeout, is_linked, is_remote_login_enabled, is_rpc_out_enabled, is_data_access_enabled,
       is_collation_compatible, uses_remote_collation, collation_name, lazy_schema_validation, is_system,
       is_publisher, is_subscriber, is_distributor, is_nonsql_subscriber,
       is_remote_proc_transaction_promotion_enabled, modify_date
FROM sys.servers;
SELECT server_id, local_principal_id, uses_self_credential, remote_name, modify_date FROM sys.linked_logins;
SELECT category_id, category_class, category_type, name FROM msdb.dbo.syscategories;
SELECT id, name, enabled, email_address, pager_address, netsend_address, weekday_pager_start_time,
       weekday_pager_end_time, saturday_pager_start_time, saturday_pager_end_time, sunday_pager_start_time,
       sunday_pager_end_time, pager_days, category_id, last_email_date, last_email_time, last_pager_date,
       last_pager_time, last_netsend_date, last_netsend_time
FROM msdb.dbo.sysoperators;
SELECT proxy_id, subsystem_id FROM msdb.dbo.sysproxysubsystem;
SELECT proxy_id, sid, flags FROM msdb.dbo.sysproxylogin;
SELECT proxy_id, name, credential_id, enabled, description, user_sid, credential_date_created
FROM msdb.dbo.sysproxies;
SELECT schedule_id, schedule_uid, originating_server_id, name, owner_sid, enabled, freq_type, freq_interval,
       freq_subday_type, freq_subday_interval, freq_relative_interval, freq_recurrence_factor, active_start_date,
       active_end_date, active_start_time, active_end_time, date_created, date_modified, version_number
FROM msdb.dbo.sysschedules;
SELECT job_id, step_id, step_name, subsystem, command, flags, additional_parameters, cmdexec_success_code,
       on_success_action, on_success_step_id, on_fail_action, on_fail_step_id, server, database_name,
       database_user_name, retry_attempts, retry_interval, os_run_priority, output_file_name, proxy_id, step_uid
FROM msdb.dbo.sysjobsteps;
SELECT job_id, schedule_id FROM msdb.dbo.sysjobschedules;
SELECT server_id, server_name FROM msdb.dbo.systargetservers;
SELECT job_id, server_id FROM msdb.dbo.sysjobservers;
SELECT job_id, name, enabled, description, start_step_id, category_id, owner_sid, notify_level_eventlog,
       notify_level_email, notify_level_netsend, notify_level_page, notify_email_operator_id,
       notify_netsend_operator_id, notify_page_operator_id, delete_level, originating_server_id, date_created,
       date_modified, version_number
FROM msdb.dbo.sysjobs;
SELECT langid, name, alias, msglangid FROM sys.syslanguages;
SELECT message_id, language_id, severity, is_event_logged, text FROM sys.messages WHERE message_id >= 50001;
SELECT configuration_id, name, CAST(value AS int) AS value, CAST(value_in_use AS int) AS value_in_use, is_dynamic,
       is_advanced
FROM sys.configurations;
)sql";

}  // namespace understudy::catalog
