// schema.cc — the SQLite schema behind every catalog view and msdb table of an emulated instance.
//
// Layout: internal tables named t_* hold each object with SQL Server's column names plus hidden
// columns (password hash inputs, credential secrets, linked-login passwords, database ids); the
// SQLite views named in ViewDef::sqlite_source (views.cc) expose exactly the documented columns in
// the documented order. Text columns use COLLATE CI (the CI collation); GUIDs are upper-case
// text, datetimes 'YYYY-MM-DD HH:MM:SS.fff' text, binary BLOB, bit/int INTEGER.
// Per-database views (database principals, geo links) are created per database by
// create_database_views().
#include "engine/schema.h"

#include "engine/state_util.h"

namespace emu::st {

namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE t_principals (
  principal_id INTEGER PRIMARY KEY,
  name TEXT COLLATE CI NOT NULL UNIQUE,
  sid BLOB,
  "type" TEXT COLLATE CI NOT NULL,
  type_desc TEXT COLLATE CI,
  is_disabled INTEGER,
  create_date TEXT NOT NULL,
  modify_date TEXT NOT NULL,
  default_database_name TEXT COLLATE CI,
  default_language_name TEXT COLLATE CI,
  credential_id INTEGER,
  owning_principal_id INTEGER,
  is_fixed_role INTEGER NOT NULL DEFAULT 0,
  is_policy_checked INTEGER,
  is_expiration_checked INTEGER,
  password_hash BLOB,
  is_must_change INTEGER NOT NULL DEFAULT 0,
  password_set_date TEXT
);
CREATE VIEW sys_server_principals AS SELECT name, principal_id, sid, "type", type_desc, is_disabled,
  create_date, modify_date, default_database_name, default_language_name, credential_id,
  owning_principal_id, is_fixed_role FROM t_principals;
CREATE VIEW sys_sql_logins AS SELECT name, principal_id, sid, "type", type_desc, is_disabled,
  create_date, modify_date, default_database_name, default_language_name, credential_id,
  owning_principal_id, is_fixed_role, is_policy_checked, is_expiration_checked, password_hash
  FROM t_principals WHERE "type" = 'S';

CREATE TABLE t_role_members (
  role_principal_id INTEGER NOT NULL,
  member_principal_id INTEGER NOT NULL,
  PRIMARY KEY (role_principal_id, member_principal_id)
);
CREATE VIEW sys_server_role_members AS SELECT role_principal_id, member_principal_id FROM t_role_members;

CREATE TABLE t_server_permissions (
  "class" INTEGER NOT NULL,
  class_desc TEXT COLLATE CI,
  major_id INTEGER NOT NULL,
  minor_id INTEGER NOT NULL,
  grantee_principal_id INTEGER NOT NULL,
  grantor_principal_id INTEGER NOT NULL,
  "type" TEXT COLLATE CI NOT NULL,
  permission_name TEXT COLLATE CI,
  "state" TEXT COLLATE CI NOT NULL,
  state_desc TEXT COLLATE CI,
  UNIQUE ("class", major_id, minor_id, grantee_principal_id, "type")
);
CREATE VIEW sys_server_permissions AS SELECT "class", class_desc, major_id, minor_id,
  grantee_principal_id, grantor_principal_id, "type", permission_name, "state", state_desc
  FROM t_server_permissions;

CREATE TABLE t_credentials (
  credential_id INTEGER PRIMARY KEY,
  name TEXT COLLATE CI NOT NULL UNIQUE,
  credential_identity TEXT COLLATE CI,
  create_date TEXT NOT NULL,
  modify_date TEXT NOT NULL,
  target_type TEXT COLLATE CI,
  target_id INTEGER,
  secret TEXT
);
CREATE VIEW sys_credentials AS SELECT credential_id, name, credential_identity, create_date,
  modify_date, target_type, target_id FROM t_credentials;

CREATE TABLE t_servers (
  server_id INTEGER PRIMARY KEY,
  name TEXT COLLATE CI NOT NULL UNIQUE,
  product TEXT COLLATE CI NOT NULL,
  provider TEXT COLLATE CI NOT NULL,
  data_source TEXT COLLATE CI,
  location TEXT COLLATE CI,
  provider_string TEXT COLLATE CI,
  "catalog" TEXT COLLATE CI,
  connect_timeout INTEGER,
  query_timeout INTEGER,
  is_linked INTEGER NOT NULL,
  is_remote_login_enabled INTEGER NOT NULL,
  is_rpc_out_enabled INTEGER NOT NULL,
  is_data_access_enabled INTEGER NOT NULL,
  is_collation_compatible INTEGER NOT NULL,
  uses_remote_collation INTEGER NOT NULL,
  collation_name TEXT COLLATE CI,
  lazy_schema_validation INTEGER NOT NULL,
  is_system INTEGER NOT NULL,
  is_publisher INTEGER NOT NULL,
  is_subscriber INTEGER,
  is_distributor INTEGER,
  is_nonsql_subscriber INTEGER,
  is_remote_proc_transaction_promotion_enabled INTEGER,
  modify_date TEXT NOT NULL,
  is_rda_server INTEGER
);
CREATE VIEW sys_servers AS SELECT server_id, name, product, provider, data_source, location,
  provider_string, "catalog", connect_timeout, query_timeout, is_linked, is_remote_login_enabled,
  is_rpc_out_enabled, is_data_access_enabled, is_collation_compatible, uses_remote_collation,
  collation_name, lazy_schema_validation, is_system, is_publisher, is_subscriber, is_distributor,
  is_nonsql_subscriber, is_remote_proc_transaction_promotion_enabled, modify_date, is_rda_server
  FROM t_servers;

CREATE TABLE t_linked_logins (
  server_id INTEGER NOT NULL,
  local_principal_id INTEGER NOT NULL,
  uses_self_credential INTEGER NOT NULL,
  remote_name TEXT COLLATE CI,
  modify_date TEXT NOT NULL,
  remote_password TEXT,
  PRIMARY KEY (server_id, local_principal_id)
);
CREATE VIEW sys_linked_logins AS SELECT server_id, local_principal_id, uses_self_credential,
  remote_name, modify_date FROM t_linked_logins;

CREATE TABLE t_endpoints (
  name TEXT COLLATE CI NOT NULL UNIQUE,
  endpoint_id INTEGER PRIMARY KEY,
  principal_id INTEGER,
  protocol INTEGER NOT NULL,
  protocol_desc TEXT COLLATE CI,
  "type" INTEGER NOT NULL,
  type_desc TEXT COLLATE CI,
  "state" INTEGER,
  state_desc TEXT COLLATE CI,
  is_admin_endpoint INTEGER NOT NULL
);
CREATE VIEW sys_endpoints AS SELECT name, endpoint_id, principal_id, protocol, protocol_desc,
  "type", type_desc, "state", state_desc, is_admin_endpoint FROM t_endpoints;

CREATE TABLE t_databases (
  name TEXT COLLATE CI NOT NULL UNIQUE,
  database_id INTEGER PRIMARY KEY,
  source_database_id INTEGER,
  owner_sid BLOB,
  create_date TEXT NOT NULL,
  compatibility_level INTEGER NOT NULL,
  collation_name TEXT COLLATE CI,
  user_access INTEGER,
  user_access_desc TEXT COLLATE CI,
  is_read_only INTEGER,
  is_auto_close_on INTEGER NOT NULL,
  is_auto_shrink_on INTEGER,
  "state" INTEGER,
  state_desc TEXT COLLATE CI,
  is_in_standby INTEGER,
  is_cleanly_shutdown INTEGER,
  is_supplemental_logging_enabled INTEGER,
  snapshot_isolation_state INTEGER,
  snapshot_isolation_state_desc TEXT COLLATE CI,
  is_read_committed_snapshot_on INTEGER,
  recovery_model INTEGER,
  recovery_model_desc TEXT COLLATE CI,
  page_verify_option INTEGER,
  page_verify_option_desc TEXT COLLATE CI,
  is_encrypted INTEGER,
  replica_id TEXT COLLATE CI,
  group_database_id TEXT COLLATE CI
);
CREATE VIEW sys_databases AS SELECT name, database_id, source_database_id, owner_sid, create_date,
  compatibility_level, collation_name, user_access, user_access_desc, is_read_only,
  is_auto_close_on, is_auto_shrink_on, "state", state_desc, is_in_standby, is_cleanly_shutdown,
  is_supplemental_logging_enabled, snapshot_isolation_state, snapshot_isolation_state_desc,
  is_read_committed_snapshot_on, recovery_model, recovery_model_desc, page_verify_option,
  page_verify_option_desc, is_encrypted, replica_id, group_database_id FROM t_databases;

CREATE TABLE t_db_principals (
  database_id INTEGER NOT NULL,
  name TEXT COLLATE CI NOT NULL,
  principal_id INTEGER NOT NULL,
  "type" TEXT COLLATE CI NOT NULL,
  type_desc TEXT COLLATE CI,
  default_schema_name TEXT COLLATE CI,
  create_date TEXT NOT NULL,
  modify_date TEXT NOT NULL,
  owning_principal_id INTEGER,
  sid BLOB,
  is_fixed_role INTEGER NOT NULL,
  authentication_type INTEGER NOT NULL,
  authentication_type_desc TEXT COLLATE CI,
  default_language_name TEXT COLLATE CI,
  default_language_lcid INTEGER,
  allow_encrypted_value_modifications INTEGER NOT NULL,
  PRIMARY KEY (database_id, principal_id),
  UNIQUE (database_id, name)
);

CREATE TABLE t_geo_links (
  database_id INTEGER NOT NULL,
  link_guid TEXT COLLATE CI,
  partner_server TEXT COLLATE CI,
  partner_database TEXT COLLATE CI,
  last_replication TEXT,
  replication_lag_sec INTEGER,
  replication_state INTEGER,
  replication_state_desc TEXT COLLATE CI,
  "role" INTEGER,
  role_desc TEXT COLLATE CI,
  secondary_allow_connections INTEGER,
  secondary_allow_connections_desc TEXT COLLATE CI,
  last_commit TEXT
);

CREATE TABLE msdb_syscategories (
  category_id INTEGER PRIMARY KEY,
  category_class INTEGER NOT NULL,
  category_type INTEGER NOT NULL,
  name TEXT COLLATE CI NOT NULL
);
CREATE TABLE msdb_sysoperators (
  id INTEGER PRIMARY KEY,
  name TEXT COLLATE CI NOT NULL UNIQUE,
  enabled INTEGER NOT NULL,
  email_address TEXT COLLATE CI,
  last_email_date INTEGER NOT NULL DEFAULT 0,
  last_email_time INTEGER NOT NULL DEFAULT 0,
  pager_address TEXT COLLATE CI,
  last_pager_date INTEGER NOT NULL DEFAULT 0,
  last_pager_time INTEGER NOT NULL DEFAULT 0,
  weekday_pager_start_time INTEGER NOT NULL,
  weekday_pager_end_time INTEGER NOT NULL,
  saturday_pager_start_time INTEGER NOT NULL,
  saturday_pager_end_time INTEGER NOT NULL,
  sunday_pager_start_time INTEGER NOT NULL,
  sunday_pager_end_time INTEGER NOT NULL,
  pager_days INTEGER NOT NULL,
  netsend_address TEXT COLLATE CI,
  last_netsend_date INTEGER NOT NULL DEFAULT 0,
  last_netsend_time INTEGER NOT NULL DEFAULT 0,
  category_id INTEGER NOT NULL
);
CREATE TABLE msdb_sysproxies (
  proxy_id INTEGER PRIMARY KEY,
  name TEXT COLLATE CI NOT NULL UNIQUE,
  credential_id INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  description TEXT COLLATE CI,
  user_sid BLOB NOT NULL,
  credential_date_created TEXT NOT NULL
);
CREATE TABLE msdb_sysproxysubsystem (
  subsystem_id INTEGER NOT NULL,
  proxy_id INTEGER NOT NULL,
  PRIMARY KEY (subsystem_id, proxy_id)
);
CREATE TABLE msdb_sysproxylogin (
  proxy_id INTEGER NOT NULL,
  sid BLOB,
  principal_id INTEGER,
  flags INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE msdb_syssubsystems (
  subsystem_id INTEGER PRIMARY KEY,
  subsystem TEXT COLLATE CI NOT NULL,
  description_id INTEGER,
  subsystem_dll TEXT COLLATE CI,
  agent_exe TEXT COLLATE CI,
  start_entry_point TEXT COLLATE CI,
  event_entry_point TEXT COLLATE CI,
  stop_entry_point TEXT COLLATE CI,
  max_worker_threads INTEGER
);
CREATE TABLE msdb_sysjobs (
  job_id TEXT COLLATE CI PRIMARY KEY,
  originating_server_id INTEGER NOT NULL,
  name TEXT COLLATE CI NOT NULL,
  enabled INTEGER NOT NULL,
  description TEXT COLLATE CI,
  start_step_id INTEGER NOT NULL,
  category_id INTEGER NOT NULL,
  owner_sid BLOB NOT NULL,
  notify_level_eventlog INTEGER NOT NULL,
  notify_level_email INTEGER NOT NULL,
  notify_level_netsend INTEGER NOT NULL,
  notify_level_page INTEGER NOT NULL,
  notify_email_operator_id INTEGER NOT NULL,
  notify_netsend_operator_id INTEGER NOT NULL,
  notify_page_operator_id INTEGER NOT NULL,
  delete_level INTEGER NOT NULL,
  date_created TEXT NOT NULL,
  date_modified TEXT NOT NULL,
  version_number INTEGER NOT NULL
);
CREATE VIEW msdb_sysjobs_view AS SELECT j.job_id AS job_id,
  (SELECT upper(s.name) FROM t_servers s WHERE s.server_id = 0) AS originating_server,
  j.name AS name, j.enabled AS enabled, j.description AS description, j.start_step_id AS start_step_id,
  j.category_id AS category_id, j.owner_sid AS owner_sid, j.notify_level_eventlog AS notify_level_eventlog,
  j.notify_level_email AS notify_level_email, j.notify_level_netsend AS notify_level_netsend,
  j.notify_level_page AS notify_level_page, j.notify_email_operator_id AS notify_email_operator_id,
  j.notify_netsend_operator_id AS notify_netsend_operator_id,
  j.notify_page_operator_id AS notify_page_operator_id, j.delete_level AS delete_level,
  j.date_created AS date_created, j.date_modified AS date_modified, j.version_number AS version_number,
  j.originating_server_id AS originating_server_id, 0 AS master_server
  FROM msdb_sysjobs j;
CREATE TABLE msdb_sysjobsteps (
  job_id TEXT COLLATE CI NOT NULL,
  step_id INTEGER NOT NULL,
  step_name TEXT COLLATE CI NOT NULL,
  subsystem TEXT COLLATE CI NOT NULL,
  command TEXT COLLATE CI,
  flags INTEGER NOT NULL,
  additional_parameters TEXT COLLATE CI,
  cmdexec_success_code INTEGER NOT NULL,
  on_success_action INTEGER NOT NULL,
  on_success_step_id INTEGER NOT NULL,
  on_fail_action INTEGER NOT NULL,
  on_fail_step_id INTEGER NOT NULL,
  server TEXT COLLATE CI,
  database_name TEXT COLLATE CI,
  database_user_name TEXT COLLATE CI,
  retry_attempts INTEGER NOT NULL,
  retry_interval INTEGER NOT NULL,
  os_run_priority INTEGER NOT NULL,
  output_file_name TEXT COLLATE CI,
  last_run_outcome INTEGER NOT NULL DEFAULT 0,
  last_run_duration INTEGER NOT NULL DEFAULT 0,
  last_run_retries INTEGER NOT NULL DEFAULT 0,
  last_run_date INTEGER NOT NULL DEFAULT 0,
  last_run_time INTEGER NOT NULL DEFAULT 0,
  proxy_id INTEGER,
  step_uid TEXT COLLATE CI
);
CREATE TABLE msdb_sysschedules (
  schedule_id INTEGER PRIMARY KEY AUTOINCREMENT,
  schedule_uid TEXT COLLATE CI NOT NULL,
  originating_server_id INTEGER NOT NULL,
  name TEXT COLLATE CI NOT NULL,
  owner_sid BLOB NOT NULL,
  enabled INTEGER NOT NULL,
  freq_type INTEGER NOT NULL,
  freq_interval INTEGER NOT NULL,
  freq_subday_type INTEGER NOT NULL,
  freq_subday_interval INTEGER NOT NULL,
  freq_relative_interval INTEGER NOT NULL,
  freq_recurrence_factor INTEGER NOT NULL,
  active_start_date INTEGER NOT NULL,
  active_end_date INTEGER NOT NULL,
  active_start_time INTEGER NOT NULL,
  active_end_time INTEGER NOT NULL,
  date_created TEXT NOT NULL,
  date_modified TEXT NOT NULL,
  version_number INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE msdb_sysjobschedules (
  schedule_id INTEGER,
  job_id TEXT COLLATE CI,
  next_run_date INTEGER NOT NULL DEFAULT 0,
  next_run_time INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE msdb_systargetservers (
  server_id INTEGER PRIMARY KEY,
  server_name TEXT COLLATE CI NOT NULL,
  location TEXT COLLATE CI,
  time_zone_adjustment INTEGER NOT NULL DEFAULT 0,
  enlist_date TEXT NOT NULL,
  last_poll_date TEXT NOT NULL,
  status INTEGER NOT NULL DEFAULT 1,
  local_time_at_last_poll TEXT NOT NULL,
  enlisted_by_nt_user TEXT COLLATE CI NOT NULL DEFAULT '',
  poll_interval INTEGER NOT NULL DEFAULT 60
);
CREATE TABLE msdb_sysjobservers (
  job_id TEXT COLLATE CI NOT NULL,
  server_id INTEGER NOT NULL,
  last_run_outcome INTEGER NOT NULL DEFAULT 5,
  last_outcome_message TEXT COLLATE CI,
  last_run_date INTEGER NOT NULL DEFAULT 0,
  last_run_time INTEGER NOT NULL DEFAULT 0,
  last_run_duration INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ha_availability_groups (
  group_id TEXT COLLATE CI NOT NULL PRIMARY KEY,
  name TEXT COLLATE CI,
  resource_id TEXT COLLATE CI,
  resource_group_id TEXT COLLATE CI,
  failure_condition_level INTEGER,
  health_check_timeout INTEGER,
  automated_backup_preference INTEGER,
  automated_backup_preference_desc TEXT COLLATE CI,
  version INTEGER,
  basic_features INTEGER,
  dtc_support INTEGER,
  db_failover INTEGER,
  is_distributed INTEGER,
  cluster_type INTEGER,
  cluster_type_desc TEXT COLLATE CI,
  required_synchronized_secondaries_to_commit INTEGER,
  sequence_number INTEGER,
  is_contained INTEGER
);
CREATE TABLE ha_availability_replicas (
  replica_id TEXT COLLATE CI,
  group_id TEXT COLLATE CI,
  replica_metadata_id INTEGER,
  replica_server_name TEXT COLLATE CI,
  owner_sid BLOB,
  endpoint_url TEXT COLLATE CI,
  availability_mode INTEGER,
  availability_mode_desc TEXT COLLATE CI,
  failover_mode INTEGER,
  failover_mode_desc TEXT COLLATE CI,
  session_timeout INTEGER,
  primary_role_allow_connections INTEGER,
  primary_role_allow_connections_desc TEXT COLLATE CI,
  secondary_role_allow_connections INTEGER,
  secondary_role_allow_connections_desc TEXT COLLATE CI,
  create_date TEXT,
  modify_date TEXT,
  backup_priority INTEGER,
  read_only_routing_url TEXT COLLATE CI,
  read_write_routing_url TEXT COLLATE CI,
  seeding_mode INTEGER,
  seeding_mode_desc TEXT COLLATE CI
);
CREATE TABLE ha_database_replica_states (
  database_id INTEGER,
  group_id TEXT COLLATE CI,
  replica_id TEXT COLLATE CI,
  group_database_id TEXT COLLATE CI,
  is_local INTEGER,
  is_primary_replica INTEGER,
  synchronization_state INTEGER,
  synchronization_state_desc TEXT COLLATE CI,
  is_commit_participant INTEGER,
  synchronization_health INTEGER,
  synchronization_health_desc TEXT COLLATE CI,
  database_state INTEGER,
  database_state_desc TEXT COLLATE CI,
  is_suspended INTEGER,
  suspend_reason INTEGER,
  suspend_reason_desc TEXT COLLATE CI,
  recovery_lsn INTEGER,
  truncation_lsn INTEGER,
  last_sent_lsn INTEGER,
  last_sent_time TEXT,
  last_received_lsn INTEGER,
  last_received_time TEXT,
  last_hardened_lsn INTEGER,
  last_hardened_time TEXT,
  last_redone_lsn INTEGER,
  last_redone_time TEXT,
  log_send_queue_size INTEGER,
  log_send_rate INTEGER,
  redo_queue_size INTEGER,
  redo_rate INTEGER,
  filestream_send_rate INTEGER,
  end_of_log_lsn INTEGER,
  last_commit_lsn INTEGER,
  last_commit_time TEXT,
  low_water_mark_for_ghosts INTEGER,
  secondary_lag_seconds INTEGER,
  quorum_commit_lsn INTEGER,
  quorum_commit_time TEXT
);
CREATE TABLE ha_availability_replica_states (
  replica_id TEXT COLLATE CI NOT NULL,
  group_id TEXT COLLATE CI NOT NULL,
  is_local INTEGER NOT NULL,
  "role" INTEGER,
  role_desc TEXT COLLATE CI,
  operational_state INTEGER,
  operational_state_desc TEXT COLLATE CI,
  connected_state INTEGER,
  connected_state_desc TEXT COLLATE CI,
  recovery_health INTEGER,
  recovery_health_desc TEXT COLLATE CI,
  synchronization_health INTEGER,
  synchronization_health_desc TEXT COLLATE CI,
  last_connect_error_number INTEGER,
  last_connect_error_description TEXT COLLATE CI,
  last_connect_error_timestamp TEXT,
  write_lease_remaining_ticks INTEGER,
  current_configuration_commit_start_time_utc TEXT,
  is_internal INTEGER
);
-- Lookup indexes: fixture loading and replay check SIDs, names and uids once per object; without
-- them loading 100,000 logins is quadratic (most of an hour instead of under a minute).
CREATE INDEX t_principals_sid ON t_principals(sid);
CREATE INDEX t_server_permissions_grantee ON t_server_permissions(grantee_principal_id);
CREATE INDEX t_role_members_member ON t_role_members(member_principal_id);
CREATE INDEX msdb_sysjobs_name ON msdb_sysjobs(name);
CREATE INDEX msdb_sysjobsteps_job ON msdb_sysjobsteps(job_id);
CREATE INDEX msdb_sysschedules_uid ON msdb_sysschedules(schedule_uid);
CREATE INDEX msdb_sysjobschedules_job ON msdb_sysjobschedules(job_id);
CREATE INDEX msdb_sysjobservers_job ON msdb_sysjobservers(job_id);
)SQL";

// Case-insensitive (ASCII), trailing-space-insensitive comparison, as SQL Server compares strings.
int compare_ci(void*, int len_a, const void* pa, int len_b, const void* pb) {
  const auto* a = static_cast<const unsigned char*>(pa);
  const auto* b = static_cast<const unsigned char*>(pb);
  while (len_a > 0 && a[len_a - 1] == ' ') --len_a;
  while (len_b > 0 && b[len_b - 1] == ' ') --len_b;
  const int n = len_a < len_b ? len_a : len_b;
  for (int i = 0; i < n; ++i) {
    int ca = a[i], cb = b[i];
    if (ca >= 'A' && ca <= 'Z') ca += 'a' - 'A';
    if (cb >= 'A' && cb <= 'Z') cb += 'a' - 'A';
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return len_a == len_b ? 0 : (len_a < len_b ? -1 : 1);
}

}  // namespace

void create_schema(sqlite3* db) {
  if (sqlite3_create_collation(db, "CI", SQLITE_UTF8, nullptr, compare_ci) != SQLITE_OK) {
    throw StateError("cannot register collation CI");
  }
  exec_script(db, kSchema);
  create_master_schema(db);
}

void create_database_views(sqlite3* db, int64_t database_id) {
  const std::string id = std::to_string(database_id);
  exec_script(db,
              "CREATE VIEW IF NOT EXISTS db" + id + "_database_principals AS SELECT name, principal_id, \"type\", "
              "type_desc, default_schema_name, create_date, modify_date, owning_principal_id, sid, is_fixed_role, "
              "authentication_type, authentication_type_desc, default_language_name, default_language_lcid, "
              "allow_encrypted_value_modifications FROM t_db_principals WHERE database_id = " + id + ";"
              // last_replication and replication_lag_sec are filled on the primary database only
              // (role 0): https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-geo-replication-link-status-azure-sql-database
              "CREATE VIEW IF NOT EXISTS db" + id + "_geo_replication_link_status AS SELECT link_guid, "
              "partner_server, partner_database, CASE WHEN \"role\" = 0 THEN last_replication END AS last_replication, "
              "CASE WHEN \"role\" = 0 THEN replication_lag_sec END AS replication_lag_sec, replication_state, "
              "replication_state_desc, \"role\", role_desc, secondary_allow_connections, "
              "secondary_allow_connections_desc, last_commit FROM t_geo_links WHERE database_id = " + id + ";");
}

}  // namespace emu::st
