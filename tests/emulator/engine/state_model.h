// state_model.h — row-level operations on the state layer's tables, shared by seeding, fixtures,
// DDL and procedures so that every path creates the same rows (ids, defaults, implied grants).
// Validation of user input (SQL Server's errors) happens in the DDL/procedure code that calls
// these; what is checked here is what every path must enforce (uniqueness, references), thrown as
// st::SqlError with SQL Server's numbers.
// Internal to the state layer. Thread-safety: caller holds the instance lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "engine/state_util.h"

namespace emu::st {

struct Principal {
  int64_t id = 0;
  std::string name;
  std::string sid;  // raw bytes; empty when NULL
  std::string type;  // S U G R C K E X
  bool is_fixed_role = false;
  bool is_disabled = false;
};
std::optional<Principal> find_principal(sqlite3* db, const std::string& name);
std::optional<Principal> find_principal_by_sid(sqlite3* db, const std::string& sid);
std::optional<Principal> find_principal_by_id(sqlite3* db, int64_t id);
std::string principal_type_desc(const std::string& type);

struct LoginSpec {
  std::string name;
  std::string type = "S";
  std::optional<std::string> sid;            // raw bytes; generated when absent
  std::optional<std::string> password;       // plain text (hashed here)
  std::optional<std::string> password_hash;  // raw bytes stored as given
  std::string default_database = "master";
  std::string default_language = "us_english";
  bool disabled = false;
  bool check_policy = true;
  bool check_expiration = false;
  bool must_change = false;
  std::optional<std::string> credential;
  std::string object_id;  // FROM EXTERNAL PROVIDER WITH OBJECT_ID
};
// Inserts the login (15025 name in use, 15433 SID in use, 15151 unknown credential) and its
// CONNECT SQL grant. Returns the principal_id.
int64_t create_login(sqlite3* db, const LoginSpec& spec);

// User-defined server role (15025 when the name is taken).
int64_t create_server_role(sqlite3* db, const std::string& name, int64_t owner_id);
void add_role_member(sqlite3* db, int64_t role_id, int64_t member_id);

struct PermissionSpec {
  int64_t cls = 100;  // 100 SERVER, 101 SERVER_PRINCIPAL, 105 ENDPOINT
  int64_t major_id = 0;
  std::string code;  // 1–4 letters, padded here
  std::string permission_name;
  std::string state;  // G W D
  int64_t grantee = 0;
  int64_t grantor = 1;
};
// Inserts or replaces the (class, major, grantee, permission) row.
void set_permission(sqlite3* db, const PermissionSpec& p);
// Permission name → 4-letter code for a class (empty when the permission is unknown there).
std::string permission_code(int64_t cls, const std::string& permission_name);

int64_t create_credential(sqlite3* db, const std::string& name, const std::optional<std::string>& identity,
                          const std::optional<std::string>& secret, const std::optional<std::string>& provider);

struct DatabaseSpec {
  std::string name;
  std::optional<int64_t> id;
  int64_t state = 0;  // 0 ONLINE … 6 OFFLINE
  bool read_only = false;
  int64_t recovery_model = 1;  // 1 FULL, 2 BULK_LOGGED, 3 SIMPLE
  int64_t user_access = 0;     // 0 MULTI_USER, 1 SINGLE_USER, 2 RESTRICTED_USER
  std::string collation;
  std::string owner_sid = std::string(1, '\x01');
  std::optional<std::string> replica_id;
  std::optional<std::string> group_database_id;
};
int64_t create_database(sqlite3* db, const DatabaseSpec& spec);
std::optional<int64_t> database_id(sqlite3* db, const std::string& name);
const char* database_state_desc(int64_t state);

struct DbUserSpec {
  std::string name;
  std::string type = "S";
  std::optional<std::string> sid;  // raw bytes
  std::string default_schema = "dbo";
  std::optional<int64_t> authentication_type;  // derived when absent
};
int64_t create_db_user(sqlite3* db, int64_t database_id, const DbUserSpec& spec);

// msdb subsystems for a box (edition != 8) or a Managed Instance.
void seed_subsystems(sqlite3* db, bool managed_instance);

// Linked servers.
struct LinkedServerSpec {
  std::string name;
  std::string product;
  std::string provider = "SQLNCLI";
  std::optional<std::string> data_source, location, provider_string, catalog;
};
// sys.servers row 0.
void create_local_server(sqlite3* db, const std::string& name);
int64_t create_linked_server(sqlite3* db, const LinkedServerSpec& spec, bool self_mapping);
// An old-style remote server (sp_addserver without 'local'): is_linked = 0, product 'SQL Server'.
int64_t create_remote_server(sqlite3* db, const std::string& name);
std::optional<int64_t> find_server_id(sqlite3* db, const std::string& name);
// Applies one sp_serveroption option (name as SQL Server spells it) to a server; throws SqlError
// 15600-family errors for bad names/values. Value NULL allowed for 'collation name'.
void set_server_option(sqlite3* db, int64_t server_id, const std::string& option, const std::optional<std::string>& value);
// Creates or updates a login mapping (local_principal_id 0 = all logins).
void set_linked_login(sqlite3* db, int64_t server_id, int64_t local_principal_id, bool use_self,
                      const std::optional<std::string>& remote_user, const std::optional<std::string>& remote_password);

}  // namespace emu::st
