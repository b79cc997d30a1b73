// Fidelity of the catalog views, table-driven from each view's documentation page
// (https://learn.microsoft.com/sql/relational-databases/system-catalog-views/<view>-transact-sql,
// msdb tables under …/system-tables/dbo-<table>-transact-sql, DMVs under
// …/system-dynamic-management-views/): every view's column names, order, SQL types and NULL-ability
// (a trailing '?' marks NULL-able).
#include <gtest/gtest.h>

#include <sstream>

#include "engine/views.h"

namespace emu {
namespace {

struct Expected {
  const char* view;
  const char* columns;  // "name type[?], …"
};

// Transcribed from the documentation pages, not from views.cc.
const Expected kViews[] = {
    {"sys.server_principals",
     "name nvarchar(128), principal_id int, sid varbinary(85)?, type char(1), type_desc nvarchar(60)?, is_disabled int?, "
     "create_date datetime, modify_date datetime, default_database_name nvarchar(128)?, default_language_name nvarchar(128)?, "
     "credential_id int?, owning_principal_id int?, is_fixed_role bit"},
    {"sys.sql_logins",
     "name nvarchar(128), principal_id int, sid varbinary(85)?, type char(1), type_desc nvarchar(60)?, is_disabled int?, "
     "create_date datetime, modify_date datetime, default_database_name nvarchar(128)?, default_language_name nvarchar(128)?, "
     "credential_id int?, owning_principal_id int?, is_fixed_role bit, is_policy_checked bit?, is_expiration_checked bit?, "
     "password_hash varbinary(256)?"},
    {"sys.server_role_members", "role_principal_id int, member_principal_id int"},
    {"sys.server_permissions",
     "class tinyint, class_desc nvarchar(60)?, major_id int, minor_id int, grantee_principal_id int, grantor_principal_id int, "
     "type char(4), permission_name nvarchar(128)?, state char(1), state_desc nvarchar(60)?"},
    {"sys.credentials",
     "credential_id int, name nvarchar(128), credential_identity nvarchar(4000)?, create_date datetime, modify_date datetime, "
     "target_type nvarchar(100)?, target_id int?"},
    {"sys.servers",
     "server_id int, name nvarchar(128), product nvarchar(128), provider nvarchar(128), data_source nvarchar(4000)?, "
     "location nvarchar(4000)?, provider_string nvarchar(4000)?, catalog nvarchar(128)?, connect_timeout int?, "
     "query_timeout int?, is_linked bit, is_remote_login_enabled bit, is_rpc_out_enabled bit, is_data_access_enabled bit, "
     "is_collation_compatible bit, uses_remote_collation bit, collation_name nvarchar(128)?, lazy_schema_validation bit, "
     "is_system bit, is_publisher bit, is_subscriber bit?, is_distributor bit?, is_nonsql_subscriber bit?, "
     "is_remote_proc_transaction_promotion_enabled bit?, modify_date datetime, is_rda_server bit?"},
    {"sys.linked_logins",
     "server_id int, local_principal_id int?, uses_self_credential bit, remote_name nvarchar(128)?, modify_date datetime"},
    {"sys.database_principals",
     "name nvarchar(128), principal_id int, type char(1), type_desc nvarchar(60)?, default_schema_name nvarchar(128)?, "
     "create_date datetime, modify_date datetime, owning_principal_id int?, sid varbinary(85)?, is_fixed_role bit, "
     "authentication_type int, authentication_type_desc nvarchar(60)?, default_language_name nvarchar(128)?, "
     "default_language_lcid int?, allow_encrypted_value_modifications bit"},
    {"msdb.dbo.sysjobs",
     "job_id uniqueidentifier, originating_server_id int, name nvarchar(128), enabled tinyint, description nvarchar(512)?, "
     "start_step_id int, category_id int, owner_sid varbinary(85), notify_level_eventlog int, notify_level_email int, "
     "notify_level_netsend int, notify_level_page int, notify_email_operator_id int, notify_netsend_operator_id int, "
     "notify_page_operator_id int, delete_level int, date_created datetime, date_modified datetime, version_number int"},
    {"msdb.dbo.sysjobsteps",
     "job_id uniqueidentifier, step_id int, step_name nvarchar(128), subsystem nvarchar(40), command nvarchar(max)?, "
     "flags int, additional_parameters nvarchar(max)?, cmdexec_success_code int, on_success_action tinyint, "
     "on_success_step_id int, on_fail_action tinyint, on_fail_step_id int, server nvarchar(128)?, "
     "database_name nvarchar(128)?, database_user_name nvarchar(128)?, retry_attempts int, retry_interval int, "
     "os_run_priority int, output_file_name nvarchar(200)?, last_run_outcome int, last_run_duration int, "
     "last_run_retries int, last_run_date int, last_run_time int, proxy_id int?, step_uid uniqueidentifier?"},
    {"msdb.dbo.sysschedules",
     "schedule_id int, schedule_uid uniqueidentifier, originating_server_id int, name nvarchar(128), owner_sid varbinary(85), "
     "enabled int, freq_type int, freq_interval int, freq_subday_type int, freq_subday_interval int, "
     "freq_relative_interval int, freq_recurrence_factor int, active_start_date int, active_end_date int, "
     "active_start_time int, active_end_time int, date_created datetime, date_modified datetime, version_number int"},
    {"msdb.dbo.sysjobschedules", "schedule_id int?, job_id uniqueidentifier?, next_run_date int, next_run_time int"},
    {"msdb.dbo.sysjobservers",
     "job_id uniqueidentifier, server_id int, last_run_outcome tinyint, last_outcome_message nvarchar(4000)?, "
     "last_run_date int, last_run_time int, last_run_duration int"},
    {"msdb.dbo.syscategories", "category_id int, category_class int, category_type tinyint, name nvarchar(128)"},
    {"msdb.dbo.sysoperators",
     "id int, name nvarchar(128), enabled tinyint, email_address nvarchar(100)?, last_email_date int, last_email_time int, "
     "pager_address nvarchar(100)?, last_pager_date int, last_pager_time int, weekday_pager_start_time int, "
     "weekday_pager_end_time int, saturday_pager_start_time int, saturday_pager_end_time int, "
     "sunday_pager_start_time int, sunday_pager_end_time int, pager_days tinyint, netsend_address nvarchar(100)?, "
     "last_netsend_date int, last_netsend_time int, category_id int"},
    {"msdb.dbo.sysproxies",
     "proxy_id int, name nvarchar(128), credential_id int, enabled tinyint, description nvarchar(512)?, "
     "user_sid varbinary(85), credential_date_created datetime"},
    // https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-systargetservers-transact-sql
    {"msdb.dbo.systargetservers",
     "server_id int, server_name nvarchar(128), location nvarchar(200)?, time_zone_adjustment int, enlist_date datetime, "
     "last_poll_date datetime, status int, local_time_at_last_poll datetime, enlisted_by_nt_user nvarchar(100), "
     "poll_interval int"},
    // https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-sysproxysubsystem-transact-sql
    {"msdb.dbo.sysproxysubsystem", "subsystem_id int, proxy_id int"},
    // https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-sysproxylogin-transact-sql
    {"msdb.dbo.sysproxylogin", "proxy_id int, sid varbinary(85)?, principal_id int?, flags int"},
    {"msdb.dbo.syssubsystems",
     "subsystem_id int, subsystem nvarchar(40), description_id int?, subsystem_dll nvarchar(255)?, agent_exe nvarchar(255)?, "
     "start_entry_point nvarchar(30)?, event_entry_point nvarchar(30)?, stop_entry_point nvarchar(30)?, max_worker_threads int?"},
    {"sys.availability_groups",
     "group_id uniqueidentifier, name nvarchar(128)?, resource_id nvarchar(40)?, resource_group_id nvarchar(40)?, "
     "failure_condition_level int?, health_check_timeout int?, automated_backup_preference tinyint?, "
     "automated_backup_preference_desc nvarchar(60)?, version smallint?, basic_features bit?, dtc_support bit?, "
     "db_failover bit?, is_distributed bit?, cluster_type tinyint?, cluster_type_desc nvarchar(60)?, "
     "required_synchronized_secondaries_to_commit int?, sequence_number bigint?, is_contained bit?"},
    {"sys.availability_replicas",
     "replica_id uniqueidentifier?, group_id uniqueidentifier?, replica_metadata_id int?, replica_server_name nvarchar(256)?, "
     "owner_sid varbinary(85)?, endpoint_url nvarchar(128)?, availability_mode tinyint?, availability_mode_desc nvarchar(60)?, "
     "failover_mode tinyint?, failover_mode_desc nvarchar(60)?, session_timeout int?, primary_role_allow_connections tinyint?, "
     "primary_role_allow_connections_desc nvarchar(60)?, secondary_role_allow_connections tinyint?, "
     "secondary_role_allow_connections_desc nvarchar(60)?, create_date datetime?, modify_date datetime?, "
     "backup_priority int?, read_only_routing_url nvarchar(256)?, read_write_routing_url nvarchar(256)?, "
     "seeding_mode tinyint?, seeding_mode_desc nvarchar(60)?"},
    {"sys.dm_hadr_availability_replica_states",
     "replica_id uniqueidentifier, group_id uniqueidentifier, is_local bit, role tinyint?, role_desc nvarchar(60)?, "
     "operational_state tinyint?, operational_state_desc nvarchar(60)?, connected_state tinyint?, "
     "connected_state_desc nvarchar(60)?, recovery_health tinyint?, recovery_health_desc nvarchar(60)?, "
     "synchronization_health tinyint?, synchronization_health_desc nvarchar(60)?, last_connect_error_number int?, "
     "last_connect_error_description nvarchar(1024)?, last_connect_error_timestamp datetime?, "
     "write_lease_remaining_ticks bigint?, current_configuration_commit_start_time_utc datetime?, is_internal bit?"},
    // https://learn.microsoft.com/sql/relational-databases/system-compatibility-views/sys-syslanguages-transact-sql
    {"sys.syslanguages",
     "langid smallint, dateformat nchar(3), datefirst tinyint, upgrade int?, name nvarchar(128), alias nvarchar(128), "
     "months nvarchar(372)?, shortmonths nvarchar(132)?, days nvarchar(217)?, lcid int, msglangid smallint"},
    // https://learn.microsoft.com/sql/relational-databases/system-catalog-views/messages-for-errors-catalog-views-sys-messages
    // https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-configurations-transact-sql
    {"sys.configurations",
     "configuration_id int, name nvarchar(35), value sql_variant?, minimum sql_variant?, maximum sql_variant?, "
     "value_in_use sql_variant?, description nvarchar(255), is_dynamic bit, is_advanced bit"},
    {"sys.messages", "message_id int, language_id smallint, severity tinyint?, is_event_logged bit?, text nvarchar(2048)?"},
    {"sys.dm_geo_replication_link_status",
     "link_guid uniqueidentifier?, partner_server nvarchar(128)?, partner_database nvarchar(128)?, "
     "last_replication datetimeoffset(7)?, replication_lag_sec int?, replication_state tinyint?, "
     "replication_state_desc nvarchar(256)?, role tinyint?, role_desc nvarchar(256)?, secondary_allow_connections tinyint?, "
     "secondary_allow_connections_desc nvarchar(256)?, last_commit datetimeoffset(7)?"},
};

std::string describe(const ViewDef& v) {
  std::ostringstream out;
  for (size_t i = 0; i < v.columns.size(); ++i) {
    const auto& c = v.columns[i];
    out << (i ? ", " : "") << c.name << " " << to_string(c.type) << (c.nullable ? "?" : "");
  }
  return out.str();
}

TEST(ViewFidelity, ColumnsTypesAndNullabilityMatchTheDocs) {
  for (const auto& e : kViews) {
    const ViewDef* found = nullptr;
    for (const auto& v : all_views()) {
      if (v.canonical_name == e.view) found = &v;
    }
    ASSERT_NE(found, nullptr) << e.view;
    EXPECT_EQ(describe(*found), e.columns) << e.view;
  }
}

// sys.dm_hadr_database_replica_states: names and types in the page's order (LSNs
// numeric(25,0)); every column is NULL-able here.
TEST(ViewFidelity, HadrDatabaseReplicaStates) {
  const char* want[] = {"database_id int", "group_id uniqueidentifier", "replica_id uniqueidentifier",
                        "group_database_id uniqueidentifier", "is_local bit", "is_primary_replica bit",
                        "synchronization_state tinyint", "synchronization_state_desc nvarchar(60)",
                        "is_commit_participant bit", "synchronization_health tinyint",
                        "synchronization_health_desc nvarchar(60)", "database_state tinyint",
                        "database_state_desc nvarchar(60)", "is_suspended bit", "suspend_reason tinyint",
                        "suspend_reason_desc nvarchar(60)", "recovery_lsn numeric(25,0)", "truncation_lsn numeric(25,0)",
                        "last_sent_lsn numeric(25,0)", "last_sent_time datetime", "last_received_lsn numeric(25,0)",
                        "last_received_time datetime", "last_hardened_lsn numeric(25,0)", "last_hardened_time datetime",
                        "last_redone_lsn numeric(25,0)", "last_redone_time datetime", "log_send_queue_size bigint",
                        "log_send_rate bigint", "redo_queue_size bigint", "redo_rate bigint", "filestream_send_rate bigint",
                        "end_of_log_lsn numeric(25,0)", "last_commit_lsn numeric(25,0)", "last_commit_time datetime",
                        "low_water_mark_for_ghosts bigint", "secondary_lag_seconds bigint", "quorum_commit_lsn numeric(25,0)",
                        "quorum_commit_time datetime"};
  const ViewDef* v = nullptr;
  for (const auto& d : all_views()) {
    if (d.canonical_name == "sys.dm_hadr_database_replica_states") v = &d;
  }
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->columns.size(), std::size(want));
  for (size_t i = 0; i < v->columns.size(); ++i) {
    EXPECT_EQ(v->columns[i].name + " " + to_string(v->columns[i].type), want[i]);
    EXPECT_TRUE(v->columns[i].nullable);
  }
}

}  // namespace
}  // namespace emu
