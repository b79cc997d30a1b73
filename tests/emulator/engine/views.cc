// views.cc — the catalog views an emulated instance exposes (names, column order, SQL types and
// NULL-ability from each view's documentation page under
// https://learn.microsoft.com/sql/relational-databases/) and SQL Server's rules for resolving 1-,
// 2- and 3-part names.
//
// Resolution: sys.* server-scoped views from any database (also db.sys.x for an existing db);
// per-database views (sys.database_principals, sys.dm_geo_replication_link_status) in the current
// or named database; msdb's dbo tables only when the current database is msdb (dbo.x or x) or by a
// 3-part name msdb.dbo.x / msdb..x.
#include "engine/views.h"

#include "engine/lexer.h"
#include "engine/state.h"
#include "engine/state_util.h"
#include "engine/ddl_internal.h"
#include "engine/state_model.h"

namespace emu {

namespace {

using T = SqlType;
ViewColumn N(const char* name, SqlType t) { return ViewColumn{name, t, true}; }
ViewColumn NN(const char* name, SqlType t) { return ViewColumn{name, t, false}; }
SqlType Sys() { return T::Sysname(); }
SqlType Desc() { return T::NVarChar(60); }
SqlType Dt() { return T::DateTime(); }
SqlType Lsn() { return SqlType{SqlTypeId::kNumeric, 0, 25, 0}; }

std::vector<ViewColumn> principal_columns() {
  return {NN("name", Sys()), NN("principal_id", T::Int()), N("sid", T::VarBinary(85)), NN("type", T::Char(1)),
          N("type_desc", Desc()), N("is_disabled", T::Int()), NN("create_date", Dt()), NN("modify_date", Dt()),
          N("default_database_name", Sys()), N("default_language_name", Sys()), N("credential_id", T::Int()),
          N("owning_principal_id", T::Int()), NN("is_fixed_role", T::Bit())};
}

std::vector<ViewDef> build_views() {
  std::vector<ViewDef> v;
  v.push_back({"sys.server_principals", "sys_server_principals", principal_columns()});
  {
    auto cols = principal_columns();
    cols.push_back(N("is_policy_checked", T::Bit()));
    cols.push_back(N("is_expiration_checked", T::Bit()));
    cols.push_back(N("password_hash", T::VarBinary(256)));
    v.push_back({"sys.sql_logins", "sys_sql_logins", cols});
  }
  v.push_back({"sys.server_role_members", "sys_server_role_members",
               {NN("role_principal_id", T::Int()), NN("member_principal_id", T::Int())}});
  v.push_back({"sys.server_permissions", "sys_server_permissions",
               {NN("class", T::TinyInt()), N("class_desc", Desc()), NN("major_id", T::Int()), NN("minor_id", T::Int()),
                NN("grantee_principal_id", T::Int()), NN("grantor_principal_id", T::Int()), NN("type", T::Char(4)),
                N("permission_name", T::NVarChar(128)), NN("state", T::Char(1)), N("state_desc", Desc())}});
  v.push_back({"sys.credentials", "sys_credentials",
               {NN("credential_id", T::Int()), NN("name", Sys()), N("credential_identity", T::NVarChar(4000)),
                NN("create_date", Dt()), NN("modify_date", Dt()), N("target_type", T::NVarChar(100)),
                N("target_id", T::Int())}});
  v.push_back({"sys.servers", "sys_servers",
               {NN("server_id", T::Int()), NN("name", Sys()), NN("product", Sys()), NN("provider", Sys()),
                N("data_source", T::NVarChar(4000)), N("location", T::NVarChar(4000)),
                N("provider_string", T::NVarChar(4000)), N("catalog", Sys()), N("connect_timeout", T::Int()),
                N("query_timeout", T::Int()), NN("is_linked", T::Bit()), NN("is_remote_login_enabled", T::Bit()),
                NN("is_rpc_out_enabled", T::Bit()), NN("is_data_access_enabled", T::Bit()),
                NN("is_collation_compatible", T::Bit()), NN("uses_remote_collation", T::Bit()),
                N("collation_name", Sys()), NN("lazy_schema_validation", T::Bit()), NN("is_system", T::Bit()),
                NN("is_publisher", T::Bit()), N("is_subscriber", T::Bit()), N("is_distributor", T::Bit()),
                N("is_nonsql_subscriber", T::Bit()), N("is_remote_proc_transaction_promotion_enabled", T::Bit()),
                NN("modify_date", Dt()), N("is_rda_server", T::Bit())}});
  v.push_back({"sys.linked_logins", "sys_linked_logins",
               {NN("server_id", T::Int()), N("local_principal_id", T::Int()), NN("uses_self_credential", T::Bit()),
                N("remote_name", Sys()), NN("modify_date", Dt())}});
  v.push_back({"sys.endpoints", "sys_endpoints",
               {NN("name", Sys()), NN("endpoint_id", T::Int()), N("principal_id", T::Int()),
                NN("protocol", T::TinyInt()), N("protocol_desc", Desc()), NN("type", T::TinyInt()),
                N("type_desc", Desc()), N("state", T::TinyInt()), N("state_desc", Desc()),
                NN("is_admin_endpoint", T::Bit())}});
  v.push_back({"sys.databases", "sys_databases",
               {NN("name", Sys()), NN("database_id", T::Int()), N("source_database_id", T::Int()),
                N("owner_sid", T::VarBinary(85)), NN("create_date", Dt()), NN("compatibility_level", T::TinyInt()),
                N("collation_name", Sys()), N("user_access", T::TinyInt()), N("user_access_desc", Desc()),
                N("is_read_only", T::Bit()), NN("is_auto_close_on", T::Bit()), N("is_auto_shrink_on", T::Bit()),
                N("state", T::TinyInt()), N("state_desc", Desc()), N("is_in_standby", T::Bit()),
                N("is_cleanly_shutdown", T::Bit()), N("is_supplemental_logging_enabled", T::Bit()),
                N("snapshot_isolation_state", T::TinyInt()), N("snapshot_isolation_state_desc", Desc()),
                N("is_read_committed_snapshot_on", T::Bit()), N("recovery_model", T::TinyInt()),
                N("recovery_model_desc", Desc()), N("page_verify_option", T::TinyInt()),
                N("page_verify_option_desc", Desc()), N("is_encrypted", T::Bit()), N("replica_id", T::Guid()),
                N("group_database_id", T::Guid())}});
  // Per-database: sqlite_source gets the database id substituted (db<id>_…).
  v.push_back({"sys.database_principals", "database_principals",
               {NN("name", Sys()), NN("principal_id", T::Int()), NN("type", T::Char(1)), N("type_desc", Desc()),
                N("default_schema_name", Sys()), NN("create_date", Dt()), NN("modify_date", Dt()),
                N("owning_principal_id", T::Int()), N("sid", T::VarBinary(85)), NN("is_fixed_role", T::Bit()),
                NN("authentication_type", T::Int()), N("authentication_type_desc", Desc()),
                N("default_language_name", Sys()), N("default_language_lcid", T::Int()),
                NN("allow_encrypted_value_modifications", T::Bit())}});
  v.push_back({"sys.dm_geo_replication_link_status", "geo_replication_link_status",
               {N("link_guid", T::Guid()), N("partner_server", Sys()), N("partner_database", Sys()),
                N("last_replication", SqlType{SqlTypeId::kDateTimeOffset, 0, 0, 7}),
                N("replication_lag_sec", T::Int()), N("replication_state", T::TinyInt()),
                N("replication_state_desc", T::NVarChar(256)), N("role", T::TinyInt()),
                N("role_desc", T::NVarChar(256)), N("secondary_allow_connections", T::TinyInt()),
                N("secondary_allow_connections_desc", T::NVarChar(256)),
                N("last_commit", SqlType{SqlTypeId::kDateTimeOffset, 0, 0, 7})}});
  v.push_back({"sys.availability_groups", "ha_availability_groups",
               {NN("group_id", T::Guid()), N("name", Sys()), N("resource_id", T::NVarChar(40)),
                N("resource_group_id", T::NVarChar(40)), N("failure_condition_level", T::Int()),
                N("health_check_timeout", T::Int()), N("automated_backup_preference", T::TinyInt()),
                N("automated_backup_preference_desc", Desc()), N("version", T::SmallInt()),
                N("basic_features", T::Bit()), N("dtc_support", T::Bit()), N("db_failover", T::Bit()),
                N("is_distributed", T::Bit()), N("cluster_type", T::TinyInt()), N("cluster_type_desc", Desc()),
                N("required_synchronized_secondaries_to_commit", T::Int()), N("sequence_number", T::BigInt()),
                N("is_contained", T::Bit())}});
  v.push_back({"sys.availability_replicas", "ha_availability_replicas",
               {N("replica_id", T::Guid()), N("group_id", T::Guid()), N("replica_metadata_id", T::Int()),
                N("replica_server_name", T::NVarChar(256)), N("owner_sid", T::VarBinary(85)),
                N("endpoint_url", T::NVarChar(128)), N("availability_mode", T::TinyInt()),
                N("availability_mode_desc", Desc()), N("failover_mode", T::TinyInt()), N("failover_mode_desc", Desc()),
                N("session_timeout", T::Int()), N("primary_role_allow_connections", T::TinyInt()),
                N("primary_role_allow_connections_desc", Desc()), N("secondary_role_allow_connections", T::TinyInt()),
                N("secondary_role_allow_connections_desc", Desc()), N("create_date", Dt()), N("modify_date", Dt()),
                N("backup_priority", T::Int()), N("read_only_routing_url", T::NVarChar(256)),
                N("read_write_routing_url", T::NVarChar(256)), N("seeding_mode", T::TinyInt()),
                N("seeding_mode_desc", Desc())}});
  v.push_back({"sys.dm_hadr_database_replica_states", "ha_database_replica_states",
               {N("database_id", T::Int()), N("group_id", T::Guid()), N("replica_id", T::Guid()),
                N("group_database_id", T::Guid()), N("is_local", T::Bit()), N("is_primary_replica", T::Bit()),
                N("synchronization_state", T::TinyInt()), N("synchronization_state_desc", Desc()),
                N("is_commit_participant", T::Bit()), N("synchronization_health", T::TinyInt()),
                N("synchronization_health_desc", Desc()), N("database_state", T::TinyInt()),
                N("database_state_desc", Desc()), N("is_suspended", T::Bit()), N("suspend_reason", T::TinyInt()),
                N("suspend_reason_desc", Desc()), N("recovery_lsn", Lsn()), N("truncation_lsn", Lsn()),
                N("last_sent_lsn", Lsn()), N("last_sent_time", Dt()), N("last_received_lsn", Lsn()),
                N("last_received_time", Dt()), N("last_hardened_lsn", Lsn()), N("last_hardened_time", Dt()),
                N("last_redone_lsn", Lsn()), N("last_redone_time", Dt()), N("log_send_queue_size", T::BigInt()),
                N("log_send_rate", T::BigInt()), N("redo_queue_size", T::BigInt()), N("redo_rate", T::BigInt()),
                N("filestream_send_rate", T::BigInt()), N("end_of_log_lsn", Lsn()), N("last_commit_lsn", Lsn()),
                N("last_commit_time", Dt()), N("low_water_mark_for_ghosts", T::BigInt()),
                N("secondary_lag_seconds", T::BigInt()), N("quorum_commit_lsn", Lsn()),
                N("quorum_commit_time", Dt())}});
  v.push_back({"sys.dm_hadr_availability_replica_states", "ha_availability_replica_states",
               {NN("replica_id", T::Guid()), NN("group_id", T::Guid()), NN("is_local", T::Bit()),
                N("role", T::TinyInt()), N("role_desc", Desc()), N("operational_state", T::TinyInt()),
                N("operational_state_desc", Desc()), N("connected_state", T::TinyInt()),
                N("connected_state_desc", Desc()), N("recovery_health", T::TinyInt()),
                N("recovery_health_desc", Desc()), N("synchronization_health", T::TinyInt()),
                N("synchronization_health_desc", Desc()), N("last_connect_error_number", T::Int()),
                N("last_connect_error_description", T::NVarChar(1024)), N("last_connect_error_timestamp", Dt()),
                N("write_lease_remaining_ticks", T::BigInt()),
                N("current_configuration_commit_start_time_utc", Dt()), N("is_internal", T::Bit())}});

  // master: languages and custom messages (schema_master.cc cites the pages).
  v.push_back({"sys.syslanguages", "sys_syslanguages",
               {NN("langid", T::SmallInt()), NN("dateformat", T::NChar(3)), NN("datefirst", T::TinyInt()),
                N("upgrade", T::Int()), NN("name", Sys()), NN("alias", Sys()), N("months", T::NVarChar(372)),
                N("shortmonths", T::NVarChar(132)), N("days", T::NVarChar(217)), NN("lcid", T::Int()),
                NN("msglangid", T::SmallInt())}});
  v.push_back({"sys.configurations", "sys_configurations",
               {NN("configuration_id", T::Int()), NN("name", T::NVarChar(35)), N("value", T::Variant()),
                N("minimum", T::Variant()), N("maximum", T::Variant()), N("value_in_use", T::Variant()),
                NN("description", T::NVarChar(255)), NN("is_dynamic", T::Bit()), NN("is_advanced", T::Bit())}});
  v.push_back({"sys.messages", "sys_messages",
               {NN("message_id", T::Int()), NN("language_id", T::SmallInt()), N("severity", T::TinyInt()),
                N("is_event_logged", T::Bit()), N("text", T::NVarChar(2048))}});

  // msdb.dbo tables
  v.push_back({"msdb.dbo.sysjobs", "msdb_sysjobs",
               {NN("job_id", T::Guid()), NN("originating_server_id", T::Int()), NN("name", Sys()),
                NN("enabled", T::TinyInt()), N("description", T::NVarChar(512)), NN("start_step_id", T::Int()),
                NN("category_id", T::Int()), NN("owner_sid", T::VarBinary(85)), NN("notify_level_eventlog", T::Int()),
                NN("notify_level_email", T::Int()), NN("notify_level_netsend", T::Int()),
                NN("notify_level_page", T::Int()), NN("notify_email_operator_id", T::Int()),
                NN("notify_netsend_operator_id", T::Int()), NN("notify_page_operator_id", T::Int()),
                NN("delete_level", T::Int()), NN("date_created", Dt()), NN("date_modified", Dt()),
                NN("version_number", T::Int())}});
  v.push_back({"msdb.dbo.sysjobs_view", "msdb_sysjobs_view",
               {NN("job_id", T::Guid()), NN("originating_server", Sys()), NN("name", Sys()),
                NN("enabled", T::TinyInt()), N("description", T::NVarChar(512)), NN("start_step_id", T::Int()),
                NN("category_id", T::Int()), NN("owner_sid", T::VarBinary(85)), NN("notify_level_eventlog", T::Int()),
                NN("notify_level_email", T::Int()), NN("notify_level_netsend", T::Int()),
                NN("notify_level_page", T::Int()), NN("notify_email_operator_id", T::Int()),
                NN("notify_netsend_operator_id", T::Int()), NN("notify_page_operator_id", T::Int()),
                NN("delete_level", T::Int()), NN("date_created", Dt()), NN("date_modified", Dt()),
                NN("version_number", T::Int()), N("originating_server_id", T::Int()), N("master_server", T::Bit())}});
  v.push_back({"msdb.dbo.sysjobsteps", "msdb_sysjobsteps",
               {NN("job_id", T::Guid()), NN("step_id", T::Int()), NN("step_name", Sys()),
                NN("subsystem", T::NVarChar(40)), N("command", T::NVarChar(-1)), NN("flags", T::Int()),
                N("additional_parameters", T::NVarChar(-1)), NN("cmdexec_success_code", T::Int()),
                NN("on_success_action", T::TinyInt()), NN("on_success_step_id", T::Int()),
                NN("on_fail_action", T::TinyInt()), NN("on_fail_step_id", T::Int()), N("server", Sys()),
                N("database_name", Sys()), N("database_user_name", Sys()), NN("retry_attempts", T::Int()),
                NN("retry_interval", T::Int()), NN("os_run_priority", T::Int()),
                N("output_file_name", T::NVarChar(200)), NN("last_run_outcome", T::Int()),
                NN("last_run_duration", T::Int()), NN("last_run_retries", T::Int()), NN("last_run_date", T::Int()),
                NN("last_run_time", T::Int()), N("proxy_id", T::Int()), N("step_uid", T::Guid())}});
  v.push_back({"msdb.dbo.sysschedules", "msdb_sysschedules",
               {NN("schedule_id", T::Int()), NN("schedule_uid", T::Guid()), NN("originating_server_id", T::Int()),
                NN("name", Sys()), NN("owner_sid", T::VarBinary(85)), NN("enabled", T::Int()),
                NN("freq_type", T::Int()), NN("freq_interval", T::Int()), NN("freq_subday_type", T::Int()),
                NN("freq_subday_interval", T::Int()), NN("freq_relative_interval", T::Int()),
                NN("freq_recurrence_factor", T::Int()), NN("active_start_date", T::Int()),
                NN("active_end_date", T::Int()), NN("active_start_time", T::Int()), NN("active_end_time", T::Int()),
                NN("date_created", Dt()), NN("date_modified", Dt()), NN("version_number", T::Int())}});
  v.push_back({"msdb.dbo.sysjobschedules", "msdb_sysjobschedules",
               {N("schedule_id", T::Int()), N("job_id", T::Guid()), NN("next_run_date", T::Int()),
                NN("next_run_time", T::Int())}});
  // The target servers enlisted at this master server (sysjobservers.server_id names them; 0 is
  // the local server). https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-systargetservers-transact-sql
  v.push_back({"msdb.dbo.systargetservers", "msdb_systargetservers",
               {NN("server_id", T::Int()), NN("server_name", Sys()), N("location", T::NVarChar(200)),
                NN("time_zone_adjustment", T::Int()), NN("enlist_date", Dt()), NN("last_poll_date", Dt()),
                NN("status", T::Int()), NN("local_time_at_last_poll", Dt()), NN("enlisted_by_nt_user", T::NVarChar(100)),
                NN("poll_interval", T::Int())}});
  v.push_back({"msdb.dbo.sysjobservers", "msdb_sysjobservers",
               {NN("job_id", T::Guid()), NN("server_id", T::Int()), NN("last_run_outcome", T::TinyInt()),
                N("last_outcome_message", T::NVarChar(4000)), NN("last_run_date", T::Int()),
                NN("last_run_time", T::Int()), NN("last_run_duration", T::Int())}});
  v.push_back({"msdb.dbo.syscategories", "msdb_syscategories",
               {NN("category_id", T::Int()), NN("category_class", T::Int()), NN("category_type", T::TinyInt()),
                NN("name", Sys())}});
  v.push_back({"msdb.dbo.sysoperators", "msdb_sysoperators",
               {NN("id", T::Int()), NN("name", Sys()), NN("enabled", T::TinyInt()),
                N("email_address", T::NVarChar(100)), NN("last_email_date", T::Int()),
                NN("last_email_time", T::Int()), N("pager_address", T::NVarChar(100)),
                NN("last_pager_date", T::Int()), NN("last_pager_time", T::Int()),
                NN("weekday_pager_start_time", T::Int()), NN("weekday_pager_end_time", T::Int()),
                NN("saturday_pager_start_time", T::Int()), NN("saturday_pager_end_time", T::Int()),
                NN("sunday_pager_start_time", T::Int()), NN("sunday_pager_end_time", T::Int()),
                NN("pager_days", T::TinyInt()), N("netsend_address", T::NVarChar(100)),
                NN("last_netsend_date", T::Int()), NN("last_netsend_time", T::Int()), NN("category_id", T::Int())}});
  v.push_back({"msdb.dbo.sysproxies", "msdb_sysproxies",
               {NN("proxy_id", T::Int()), NN("name", Sys()), NN("credential_id", T::Int()),
                NN("enabled", T::TinyInt()), N("description", T::NVarChar(512)), NN("user_sid", T::VarBinary(85)),
                NN("credential_date_created", Dt())}});
  // Who may use a proxy: https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-sysproxysubsystem-transact-sql
  // and https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-sysproxylogin-transact-sql
  v.push_back({"msdb.dbo.sysproxysubsystem", "msdb_sysproxysubsystem", {NN("subsystem_id", T::Int()), NN("proxy_id", T::Int())}});
  v.push_back({"msdb.dbo.sysproxylogin", "msdb_sysproxylogin",
               {NN("proxy_id", T::Int()), N("sid", T::VarBinary(85)), N("principal_id", T::Int()), NN("flags", T::Int())}});
  v.push_back({"msdb.dbo.syssubsystems", "msdb_syssubsystems",
               {NN("subsystem_id", T::Int()), NN("subsystem", T::NVarChar(40)), N("description_id", T::Int()),
                N("subsystem_dll", T::NVarChar(255)), N("agent_exe", T::NVarChar(255)),
                N("start_entry_point", T::NVarChar(30)), N("event_entry_point", T::NVarChar(30)),
                N("stop_entry_point", T::NVarChar(30)), N("max_worker_threads", T::Int())}});
  return v;
}

bool is_per_database(const ViewDef& v) {
  return v.canonical_name == "sys.database_principals" || v.canonical_name == "sys.dm_geo_replication_link_status";
}

}  // namespace

const std::vector<ViewDef>& all_views() {
  static const std::vector<ViewDef> views = build_views();
  return views;
}

namespace {

// A view whose column `column` reads NULL: the view's columns in order, that one replaced.
void null_column(ViewDef& v, const std::string& column) {
  std::string select;
  for (const auto& c : v.columns) {
    if (!select.empty()) select += ", ";
    select += iequals(c.name, column) ? "NULL AS \"" + c.name + "\"" : "\"" + c.name + "\"";
  }
  v.sqlite_source = "(SELECT " + select + " FROM " + v.sqlite_source + ")";
}

}  // namespace

Value CatalogState::has_server_permission_by_name(const std::string& login, const std::string& permission) const {
  const std::string code = st::permission_code(100, to_upper_ascii(permission));
  if (code.empty()) return Null{};
  ExecContext ctx;
  ctx.login_name = login;
  return int64_t{st::has_server_permission(ctx, db_, code) ? 1 : 0};
}

std::optional<ViewDef> CatalogState::resolve_view_for(const std::string& current_db,
                                                      const std::vector<std::string>& parts,
                                                      const std::string& login) const {
  auto v = resolve_view(current_db, parts);
  if (!v || login.empty()) return v;
  auto lacks = [&](const char* permission) {
    return st::as_int(has_server_permission_by_name(login, permission)).value_or(0) == 0;
  };
  // sys.sql_logins: password_hash needs CONTROL SERVER (it is LOGINPROPERTY(name, 'PasswordHash')).
  // https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-sql-logins-transact-sql
  if (v->canonical_name == "sys.sql_logins" && lacks("CONTROL SERVER")) null_column(*v, "password_hash");
  // sys.servers: "provider_string … NULL unless the caller has ALTER ANY LINKED SERVER".
  // https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-servers-transact-sql
  if (v->canonical_name == "sys.servers" && lacks("ALTER ANY LINKED SERVER")) null_column(*v, "provider_string");
  // Dynamic management views need VIEW SERVER STATE (error 300 otherwise).
  // https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/system-dynamic-management-views
  if (v->canonical_name.rfind("sys.dm_hadr_", 0) == 0 && lacks("VIEW SERVER STATE")) {
    v->unavailable_number = 300;
    v->unavailable_message = "VIEW SERVER STATE permission was denied on object 'server', database 'master'.";
  }
  // Metadata visibility: without VIEW ANY DEFINITION a login sees itself, the system logins and the
  // fixed server roles; other logins with ALTER ANY LOGIN, user-defined roles with ALTER ANY
  // SERVER ROLE or membership; memberships and permissions of the principals it sees.
  // https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-server-principals-transact-sql
  // https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-server-permissions-transact-sql
  const std::string& name = v->canonical_name;
  const bool principal_view = name == "sys.server_principals" || name == "sys.sql_logins" ||
                              name == "sys.server_role_members" || name == "sys.server_permissions";
  if (principal_view && lacks("VIEW ANY DEFINITION")) {
    auto me = st::find_principal(db_, login);
    const std::string me_id = std::to_string(me ? me->id : -1);
    std::string visible = "principal_id = " + me_id + " OR principal_id < 256 OR is_fixed_role = 1";
    if (!lacks("ALTER ANY LOGIN")) visible += " OR \"type\" <> 'R'";
    visible += lacks("ALTER ANY SERVER ROLE")
                   ? " OR principal_id IN (SELECT role_principal_id FROM t_role_members WHERE member_principal_id = " + me_id + ")"
                   : " OR \"type\" = 'R'";
    const std::string seen = "(SELECT principal_id FROM t_principals WHERE " + visible + ")";
    std::string where;
    if (name == "sys.server_role_members") {
      where = "role_principal_id IN " + seen + " AND member_principal_id IN " + seen;
    } else if (name == "sys.server_permissions") {
      where = "grantee_principal_id IN " + seen;
    } else {
      where = visible;
    }
    v->sqlite_source = "(SELECT * FROM " + v->sqlite_source + " WHERE " + where + ")";
  }
  return v;
}

std::optional<ViewDef> CatalogState::resolve_view(const std::string& current_db,
                                                  const std::vector<std::string>& parts) const {
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  std::string db = current_db;
  std::string schema = "dbo";
  const std::string& object = parts.back();
  if (parts.size() >= 2) schema = parts[parts.size() - 2].empty() ? "dbo" : parts[parts.size() - 2];
  if (parts.size() == 3) db = parts[0];
  const auto db_id = st::scalar(db_, "SELECT database_id FROM t_databases WHERE name = ?1", {st::text(db)});
  if (!db_id) return std::nullopt;
  const int64_t id = std::get<int64_t>(*db_id);
  const bool in_msdb = iequals(db, "msdb");
  for (const auto& v : all_views()) {
    const std::string& c = v.canonical_name;
    const bool msdb_table = c.rfind("msdb.dbo.", 0) == 0;
    if (msdb_table) {
      if (in_msdb && iequals(schema, "dbo") && iequals(object, c.substr(9))) return v;
      continue;
    }
    if (!iequals(schema, "sys") || parts.size() < 2 || !iequals(object, c.substr(4))) continue;
    if (!is_per_database(v)) return v;
    ViewDef per = v;
    per.sqlite_source = "db" + std::to_string(id) + "_" + v.sqlite_source;
    // A database whose local replica is an availability group secondary without read access
    // (secondary_role_allow_connections 0 NO, or 1 READ_ONLY for a connection that did not ask
    // for read intent) cannot be queried: error 976.
    // https://learn.microsoft.com/sql/database-engine/availability-groups/windows/active-secondaries-readable-secondary-replicas-always-on-availability-groups
    if (st::scalar(db_,
                   "SELECT 1 FROM ha_database_replica_states s JOIN ha_availability_replicas r ON r.replica_id = "
                   "s.replica_id WHERE s.database_id = ?1 AND s.is_local = 1 AND s.is_primary_replica = 0 AND "
                   "coalesce(r.secondary_role_allow_connections, 2) <> 2",
                   {st::integer(id)})) {
      per.unavailable_number = 976;
      per.unavailable_message =
          "The target database, '" + db +
          "', is participating in an availability group and is currently not accessible for queries. Either data "
          "movement is suspended or the availability replica is not enabled for read access. To allow read-only "
          "access to this and other databases in the availability group, enable read access to one or more "
          "secondary availability replicas in the group.  For more information, see the ALTER AVAILABILITY GROUP "
          "statement in SQL Server Books Online.";
    }
    return per;
  }
  return std::nullopt;
}

}  // namespace emu
