// all_kinds_fixture.h — one fixture that sets every field of every kind to a non-default value,
// and the objects a snapshot of it must contain (docs/object-model.md), for round-trip tests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace understudy::testing {

inline std::string app_hash() {
  std::string h = "0x0200";
  for (int i = 0; i < 68; ++i) h += "AB";
  return h;
}

inline nlohmann::json all_kinds_fixture() {
  return nlohmann::json::parse(R"J({
 "version": 1,
 "credentials": [
   {"name": "cred_sas", "identity": "SHARED ACCESS SIGNATURE", "secret": "sv=1&sig=x"},
   {"name": "cred_win", "identity": "CONTOSO\\svc_agent", "secret": "y"}
 ],
 "server_roles": [
   {"name": "app_admins", "owner": "sa", "members": ["app"]},
   {"name": "sysadmin", "members": ["ops"]}
 ],
 "logins": [
   {"name": "app", "type": "S", "sid": "0x0102030405060708090A0B0C0D0E0F10", "password_hash": "HASH",
    "default_database": "master", "default_language": "Deutsch", "check_policy": false, "check_expiration": false,
    "credential": "cred_sas"},
   {"name": "ops", "type": "S", "sid": "0x1112131415161718191A1B1C1D1E1F20", "password_hash": "HASH",
    "is_disabled": true, "check_policy": true, "check_expiration": true, "deny_connect": true},
   {"name": "CONTOSO\\dba", "type": "U", "default_database": "tempdb"},
   {"name": "CONTOSO\\dbas", "type": "G"}
 ],
 "permissions": [
   {"grantee": "app", "permission": "VIEW SERVER STATE"},
   {"grantee": "app", "permission": "IMPERSONATE", "securable_class": "LOGIN", "securable": "ops",
    "state": "GRANT_WITH_GRANT_OPTION"},
   {"grantee": "app_admins", "permission": "ALTER ANY LOGIN", "state": "DENY"}
 ],
 "linked_servers": [
   {"name": "REMOTE1", "product": "SQL Server", "provider": "MSOLEDBSQL", "data_source": "remote1.example,1433",
    "location": "rack 4", "provider_string": "Encrypt=yes", "catalog": "sales", "self_mapping": false,
    "options": {"rpc": true, "rpc out": true, "data access": false, "collation compatible": true,
                "use remote collation": false,
                "lazy schema validation": true, "connect timeout": 10, "query timeout": 20,
                "remote proc transaction promotion": false},
    "logins": [
      {"local_login": "app", "use_self": false, "remote_user": "remote_app", "remote_password": "p"},
      {"use_self": true}
    ]}
 ],
 "categories": [{"name": "Nightly", "class": "JOB"}],
 "operators": [
   {"name": "oncall", "enabled": false, "email_address": "a@example.com", "pager_address": "p@example.com",
    "netsend_address": "ops-pc", "weekday_pager_start_time": 80000, "weekday_pager_end_time": 170000,
    "saturday_pager_start_time": 90000, "saturday_pager_end_time": 120000, "sunday_pager_start_time": 100000,
    "sunday_pager_end_time": 110000, "pager_days": 65}
 ],
 "proxies": [{"name": "win_proxy", "credential": "cred_win", "enabled": true, "description": "runs cmdexec"}],
 "schedules": [
   {"schedule_uid": "11111111-2222-3333-4444-555555555555", "name": "Every 15 min", "owner": "app", "enabled": false,
    "freq_type": 4, "freq_interval": 1, "freq_subday_type": 4, "freq_subday_interval": 15,
    "freq_relative_interval": 0, "freq_recurrence_factor": 0, "active_start_date": 20250101,
    "active_end_date": 20301231, "active_start_time": 60000, "active_end_time": 220000},
   {"schedule_uid": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "name": "Month end", "freq_type": 32, "freq_interval": 8,
    "freq_subday_type": 1, "freq_relative_interval": 16, "freq_recurrence_factor": 1}
 ],
 "jobs": [
   {"name": "Load", "enabled": false, "description": "loads", "start_step_id": 2, "category": "Nightly",
    "owner": "app", "notify_level_eventlog": 3, "notify_level_email": 1, "notify_level_netsend": 2,
    "notify_level_page": 3, "notify_email_operator": "oncall", "notify_netsend_operator": "oncall",
    "notify_page_operator": "oncall", "delete_level": 1,
    "steps": [
      {"step_name": "extract", "subsystem": "CmdExec", "command": "run.exe --all", "flags": 2,
       "additional_parameters": "-x", "cmdexec_success_code": 3, "on_success_action": 4, "on_success_step_id": 2,
       "on_fail_action": 3, "on_fail_step_id": 0, "server": "srv", "retry_attempts": 4, "retry_interval": 7,
       "os_run_priority": 1, "output_file_name": "C:\\out.txt", "proxy": "win_proxy"},
      {"step_name": "load", "subsystem": "TSQL", "command": "EXEC dbo.load;", "database_name": "master",
       "database_user_name": "dbo", "on_success_action": 1, "on_fail_action": 2}
    ],
    "schedules": ["aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "11111111-2222-3333-4444-555555555555"],
    "servers": ["(local)"]},
   {"name": "Idle", "steps": [{"step_name": "only", "command": "SELECT 1"}],
    "schedules": ["11111111-2222-3333-4444-555555555555"]}
 ]
})J");
}

}  // namespace understudy::testing
