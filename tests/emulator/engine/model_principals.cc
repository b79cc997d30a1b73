// model_principals.cc — server principals, role membership, server permissions, credentials,
// databases and database users (see state_model.h).
#include <algorithm>
#include <cstring>

#include "engine/hashing.h"
#include "engine/lexer.h"
#include "engine/schema.h"
#include "engine/state_model.h"

namespace emu::st {

namespace {

std::optional<Principal> principal_from(const std::vector<Row>& rows) {
  if (rows.empty()) return std::nullopt;
  const Row& r = rows[0];
  Principal p;
  p.id = std::get<int64_t>(r[0]);
  p.name = std::get<std::string>(r[1]);
  if (auto* b = std::get_if<Blob>(&r[2])) p.sid = b->bytes;
  p.type = std::get<std::string>(r[3]);
  p.is_fixed_role = as_int(r[4]).value_or(0) != 0;
  p.is_disabled = as_int(r[5]).value_or(0) != 0;
  return p;
}

constexpr const char* kPrincipalCols = "SELECT principal_id, name, sid, \"type\", is_fixed_role, is_disabled FROM t_principals ";

struct PermDef {
  const char* name;
  const char* code;
};
// Server (class 100) permissions and their type codes:
// https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-server-permissions-transact-sql
constexpr PermDef kServerPerms[] = {
    {"ADMINISTER BULK OPERATIONS", "ADBO"}, {"ALTER ANY AVAILABILITY GROUP", "ALAG"},
    {"ALTER ANY CONNECTION", "ALCO"}, {"ALTER ANY CREDENTIAL", "ALCD"}, {"ALTER ANY DATABASE", "ALDB"},
    {"ALTER ANY ENDPOINT", "ALHE"}, {"ALTER ANY EVENT NOTIFICATION", "ALES"}, {"ALTER ANY EVENT SESSION", "AAES"},
    {"ALTER ANY LINKED SERVER", "ALLS"}, {"ALTER ANY LOGIN", "ALLG"}, {"ALTER ANY SERVER AUDIT", "ALAA"},
    {"ALTER ANY SERVER ROLE", "ALSR"}, {"ALTER RESOURCES", "ALRS"}, {"ALTER SERVER STATE", "ALSS"},
    {"ALTER SETTINGS", "ALST"}, {"ALTER TRACE", "ALTR"}, {"AUTHENTICATE SERVER", "AUTH"},
    {"CONNECT ANY DATABASE", "CADB"}, {"CONNECT SQL", "COSQ"}, {"CONTROL SERVER", "CL"},
    {"CREATE ANY DATABASE", "CRDB"}, {"CREATE AVAILABILITY GROUP", "CRAC"},
    {"CREATE DDL EVENT NOTIFICATION", "CRDE"}, {"CREATE ENDPOINT", "CRHE"}, {"CREATE SERVER ROLE", "CRSR"},
    {"CREATE TRACE EVENT NOTIFICATION", "CRTE"}, {"EXTERNAL ACCESS ASSEMBLY", "XA"},
    {"IMPERSONATE ANY LOGIN", "IAL"}, {"SELECT ALL USER SECURABLES", "SUS"}, {"SHUTDOWN", "SHDN"},
    {"UNSAFE ASSEMBLY", "XU"}, {"VIEW ANY DATABASE", "VWDB"}, {"VIEW ANY DEFINITION", "VWAD"},
    {"VIEW SERVER STATE", "VWSS"}};
// Login / server role (class 101) permissions.
constexpr PermDef kPrincipalPerms[] = {
    {"ALTER", "AL"}, {"CONTROL", "CL"}, {"IMPERSONATE", "IM"}, {"VIEW DEFINITION", "VW"}, {"TAKE OWNERSHIP", "TO"}};
// Endpoint (class 105) permissions.
constexpr PermDef kEndpointPerms[] = {
    {"ALTER", "AL"}, {"CONNECT", "CO"}, {"CONTROL", "CL"}, {"TAKE OWNERSHIP", "TO"}, {"VIEW DEFINITION", "VW"}};
// Availability group (class 108) permissions: the table of "GRANT Availability Group Permissions"
// https://learn.microsoft.com/sql/t-sql/statements/grant-availability-group-permissions-transact-sql
constexpr PermDef kAvailabilityGroupPerms[] = {
    {"ALTER", "AL"}, {"CONNECT", "CO"}, {"CONTROL", "CL"}, {"TAKE OWNERSHIP", "TO"}, {"VIEW DEFINITION", "VW"}};

template <size_t N>
std::string lookup(const PermDef (&defs)[N], const std::string& name) {
  for (const auto& d : defs) {
    if (iequals(name, d.name)) return d.code;
  }
  return "";
}

}  // namespace

std::optional<Principal> find_principal(sqlite3* db, const std::string& name) {
  return principal_from(query(db, std::string(kPrincipalCols) + "WHERE name = ?1", {text(name)}));
}
std::optional<Principal> find_principal_by_sid(sqlite3* db, const std::string& sid) {
  return principal_from(query(db, std::string(kPrincipalCols) + "WHERE sid = ?1", {blob(sid)}));
}
std::optional<Principal> find_principal_by_id(sqlite3* db, int64_t id) {
  return principal_from(query(db, std::string(kPrincipalCols) + "WHERE principal_id = ?1", {integer(id)}));
}

std::string principal_type_desc(const std::string& type) {
  if (type == "S") return "SQL_LOGIN";
  if (type == "U") return "WINDOWS_LOGIN";
  if (type == "G") return "WINDOWS_GROUP";
  if (type == "R") return "SERVER_ROLE";
  if (type == "C") return "CERTIFICATE_MAPPED_LOGIN";
  if (type == "K") return "ASYMMETRIC_KEY_MAPPED_LOGIN";
  if (type == "E") return "EXTERNAL_LOGIN";
  if (type == "X") return "EXTERNAL_GROUP";
  return "";
}

static int64_t next_principal_id(sqlite3* db) {
  auto v = scalar(db, "SELECT max(principal_id) FROM t_principals");
  const int64_t max = v ? as_int(*v).value_or(0) : 0;
  return max < 256 ? 256 : max + 1;
}

int64_t create_login(sqlite3* db, const LoginSpec& s) {
  check_identifier_length(s.name);
  if (find_principal(db, s.name)) throw SqlError{15025, "The server principal '" + s.name + "' already exists."};
  std::string sid;
  if (s.sid) {
    sid = *s.sid;
  } else if (s.type == "U" || s.type == "G") {
    sid = windows_sid(s.name);
  } else if (s.type == "E" || s.type == "X") {
    sid = external_sid(s.name, s.object_id);
  } else {
    sid = new_sql_login_sid();
  }
  if (find_principal_by_sid(db, sid)) throw SqlError{15433, "Supplied parameter sid is in use."};
  std::optional<int64_t> credential_id;
  if (s.credential) {
    auto c = scalar(db, "SELECT credential_id FROM t_credentials WHERE name = ?1", {text(*s.credential)});
    if (!c) {
      throw SqlError{15151, "Cannot find the credential '" + *s.credential +
                                "', because it does not exist or you do not have permission."};
    }
    credential_id = as_int(*c);
  }
  const bool sql = s.type == "S";
  Value hash = Null{};
  if (sql) {
    if (s.password_hash) hash = blob(*s.password_hash);
    else hash = blob(sql_password_hash(s.password.value_or("")));
  }
  const int64_t id = next_principal_id(db);
  const std::string now = now_text();
  exec(db,
       "INSERT INTO t_principals (principal_id, name, sid, \"type\", type_desc, is_disabled, create_date, "
       "modify_date, default_database_name, default_language_name, credential_id, owning_principal_id, "
       "is_fixed_role, is_policy_checked, is_expiration_checked, password_hash, is_must_change, password_set_date) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, NULL, 0, ?11, ?12, ?13, ?14, ?15)",
       {integer(id), text(s.name), blob(sid), text(s.type), text(principal_type_desc(s.type)),
        integer(s.disabled ? 1 : 0), text(now), text(s.default_database), text(s.default_language),
        credential_id ? Value{*credential_id} : Value{Null{}}, sql ? Value{int64_t{s.check_policy}} : Value{Null{}},
        sql ? Value{int64_t{s.check_expiration}} : Value{Null{}}, hash, integer(s.must_change ? 1 : 0),
        sql ? Value{now} : Value{Null{}}});
  // A new login gets CONNECT SQL (CREATE LOGIN doc), granted by sa.
  set_permission(db, PermissionSpec{100, 0, "COSQ", "CONNECT SQL", "G", id, 1});
  return id;
}

int64_t create_server_role(sqlite3* db, const std::string& name, int64_t owner_id) {
  check_identifier_length(name);
  if (find_principal(db, name)) throw SqlError{15025, "The server principal '" + name + "' already exists."};
  const int64_t id = next_principal_id(db);
  const std::string now = now_text();
  exec(db,
       "INSERT INTO t_principals (principal_id, name, sid, \"type\", type_desc, is_disabled, create_date, "
       "modify_date, owning_principal_id, is_fixed_role) VALUES (?1, ?2, ?3, 'R', 'SERVER_ROLE', 0, ?4, ?4, ?5, 0)",
       {integer(id), text(name), blob(new_sql_login_sid()), text(now), integer(owner_id)});
  return id;
}

void add_role_member(sqlite3* db, int64_t role_id, int64_t member_id) {
  exec(db, "INSERT OR IGNORE INTO t_role_members (role_principal_id, member_principal_id) VALUES (?1, ?2)",
       {integer(role_id), integer(member_id)});
}

std::string permission_code(int64_t cls, const std::string& name) {
  if (cls == 100) return lookup(kServerPerms, name);
  if (cls == 101) return lookup(kPrincipalPerms, name);
  if (cls == 105) return lookup(kEndpointPerms, name);
  if (cls == 108) return lookup(kAvailabilityGroupPerms, name);
  return "";
}

void set_permission(sqlite3* db, const PermissionSpec& p) {
  std::string code = p.code;
  code.resize(4, ' ');  // char(4), blank-padded
  const char* class_desc = p.cls == 100 ? "SERVER" : p.cls == 101 ? "SERVER_PRINCIPAL" : p.cls == 105 ? "ENDPOINT" : "AVAILABILITY GROUP";
  const char* state_desc = p.state == "G" ? "GRANT" : p.state == "W" ? "GRANT_WITH_GRANT_OPTION" : p.state == "D" ? "DENY" : "REVOKE";
  exec(db,
       "INSERT INTO t_server_permissions (\"class\", class_desc, major_id, minor_id, grantee_principal_id, "
       "grantor_principal_id, \"type\", permission_name, \"state\", state_desc) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?8, ?9) "
       "ON CONFLICT (\"class\", major_id, minor_id, grantee_principal_id, \"type\") DO UPDATE SET "
       "grantor_principal_id = excluded.grantor_principal_id, \"state\" = excluded.\"state\", "
       "state_desc = excluded.state_desc",
       {integer(p.cls), text(class_desc), integer(p.major_id), integer(p.grantee), integer(p.grantor), text(code),
        text(to_upper_ascii(p.permission_name)), text(p.state), text(state_desc)});
}

int64_t create_credential(sqlite3* db, const std::string& name, const std::optional<std::string>& identity,
                          const std::optional<std::string>& secret, const std::optional<std::string>& provider) {
  check_identifier_length(name);
  if (scalar(db, "SELECT 1 FROM t_credentials WHERE name = ?1", {text(name)})) {
    throw SqlError{15530, "The credential with name \"" + name + "\" already exists."};
  }
  auto v = scalar(db, "SELECT coalesce(max(credential_id), 100) + 1 FROM t_credentials");
  const int64_t id = as_int(*v).value_or(101);
  const std::string now = now_text();
  exec(db,
       "INSERT INTO t_credentials (credential_id, name, credential_identity, create_date, modify_date, target_type, "
       "target_id, secret) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7)",
       {integer(id), text(name), opt_text(identity), text(now),
        provider ? Value{std::string("CRYPTOGRAPHIC PROVIDER")} : Value{Null{}}, integer(provider ? 65536 : 0),
        opt_text(secret)});
  return id;
}

const char* database_state_desc(int64_t state) {
  static const char* names[] = {"ONLINE", "RESTORING", "RECOVERING", "RECOVERY_PENDING", "SUSPECT", "EMERGENCY", "OFFLINE"};
  return state >= 0 && state <= 6 ? names[state] : "ONLINE";
}

std::optional<int64_t> database_id(sqlite3* db, const std::string& name) {
  auto v = scalar(db, "SELECT database_id FROM t_databases WHERE name = ?1", {text(name)});
  if (!v) return std::nullopt;
  return as_int(*v);
}

int64_t create_database(sqlite3* db, const DatabaseSpec& s) {
  check_identifier_length(s.name);
  if (database_id(db, s.name)) throw SqlError{1801, "Database '" + s.name + "' already exists. Choose a different database name."};
  int64_t id = 0;
  if (s.id) {
    id = *s.id;
  } else {
    auto v = scalar(db, "SELECT max(database_id) FROM t_databases");
    id = std::max<int64_t>(4, v ? as_int(*v).value_or(4) : 4) + 1;
  }
  static const char* recovery[] = {"", "FULL", "BULK_LOGGED", "SIMPLE"};
  static const char* access[] = {"MULTI_USER", "SINGLE_USER", "RESTRICTED_USER"};
  exec(db,
       "INSERT INTO t_databases (name, database_id, source_database_id, owner_sid, create_date, compatibility_level, "
       "collation_name, user_access, user_access_desc, is_read_only, is_auto_close_on, is_auto_shrink_on, \"state\", "
       "state_desc, is_in_standby, is_cleanly_shutdown, is_supplemental_logging_enabled, snapshot_isolation_state, "
       "snapshot_isolation_state_desc, is_read_committed_snapshot_on, recovery_model, recovery_model_desc, "
       "page_verify_option, page_verify_option_desc, is_encrypted, replica_id, group_database_id) VALUES "
       "(?1, ?2, NULL, ?3, ?4, 160, ?5, ?6, ?7, ?8, 0, 0, ?9, ?10, 0, 0, 0, 0, 'OFF', 0, ?11, ?12, 2, 'CHECKSUM', 0, ?13, ?14)",
       {text(s.name), integer(id), blob(s.owner_sid), text(now_text()), text(s.collation), integer(s.user_access),
        text(access[s.user_access >= 0 && s.user_access <= 2 ? s.user_access : 0]), integer(s.read_only ? 1 : 0),
        integer(s.state), text(database_state_desc(s.state)), integer(s.recovery_model),
        text(recovery[s.recovery_model >= 1 && s.recovery_model <= 3 ? s.recovery_model : 1]),
        opt_text(s.replica_id), opt_text(s.group_database_id)});
  create_database_views(db, id);
  // Every database has public, dbo, guest, INFORMATION_SCHEMA, sys and the fixed database roles.
  const std::string now = now_text();
  struct Seed {
    int64_t id;
    const char* name;
    const char* type;
    const char* type_desc;
    const char* schema;
    int64_t fixed;
    int64_t auth;
  };
  const Seed seeds[] = {{0, "public", "R", "DATABASE_ROLE", nullptr, 0, 0},
                        {1, "dbo", "S", "SQL_USER", "dbo", 0, 1},
                        {2, "guest", "S", "SQL_USER", "guest", 0, 0},
                        {3, "INFORMATION_SCHEMA", "S", "SQL_USER", nullptr, 0, 0},
                        {4, "sys", "S", "SQL_USER", nullptr, 0, 0},
                        {16384, "db_owner", "R", "DATABASE_ROLE", nullptr, 1, 0},
                        {16385, "db_accessadmin", "R", "DATABASE_ROLE", nullptr, 1, 0},
                        {16386, "db_securityadmin", "R", "DATABASE_ROLE", nullptr, 1, 0},
                        {16387, "db_ddladmin", "R", "DATABASE_ROLE", nullptr, 1, 0},
                        {16389, "db_backupoperator", "R", "DATABASE_ROLE", nullptr, 1, 0},
                        {16390, "db_datareader", "R", "DATABASE_ROLE", nullptr, 1, 0},
                        {16391, "db_datawriter", "R", "DATABASE_ROLE", nullptr, 1, 0},
                        {16392, "db_denydatareader", "R", "DATABASE_ROLE", nullptr, 1, 0},
                        {16393, "db_denydatawriter", "R", "DATABASE_ROLE", nullptr, 1, 0}};
  static const char* auth_desc[] = {"NONE", "INSTANCE", "DATABASE", "WINDOWS", "EXTERNAL"};
  for (const auto& d : seeds) {
    Value sid = Null{};
    if (d.id == 1) sid = blob(s.owner_sid);
    if (d.id == 2) sid = blob(std::string(1, '\0'));
    exec(db,
         "INSERT INTO t_db_principals (database_id, name, principal_id, \"type\", type_desc, default_schema_name, "
         "create_date, modify_date, owning_principal_id, sid, is_fixed_role, authentication_type, "
         "authentication_type_desc, default_language_name, default_language_lcid, allow_encrypted_value_modifications) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11, ?12, NULL, NULL, 0)",
         {integer(id), text(d.name), integer(d.id), text(d.type), text(d.type_desc),
          d.schema ? Value{std::string(d.schema)} : Value{Null{}}, text(now),
          d.type[0] == 'R' ? Value{int64_t{1}} : Value{Null{}}, sid, integer(d.fixed), integer(d.auth),
          text(auth_desc[d.auth])});
  }
  return id;
}

int64_t create_db_user(sqlite3* db, int64_t database_id, const DbUserSpec& s) {
  check_identifier_length(s.name);
  if (scalar(db, "SELECT 1 FROM t_db_principals WHERE database_id = ?1 AND name = ?2",
             {integer(database_id), text(s.name)})) {
    throw SqlError{15023, "User, group, or role '" + s.name + "' already exists in the current database."};
  }
  auto v = scalar(db, "SELECT max(principal_id) FROM t_db_principals WHERE database_id = ?1 AND principal_id < 16384",
                  {integer(database_id)});
  const int64_t id = std::max<int64_t>(4, v ? as_int(*v).value_or(4) : 4) + 1;
  int64_t auth = 0;
  if (s.authentication_type) {
    auth = *s.authentication_type;
  } else if (s.type == "U" || s.type == "G") {
    auth = 3;
  } else if (s.type == "E" || s.type == "X") {
    auth = 4;
  } else if (s.type == "S" && s.sid) {
    // Users WITHOUT LOGIN carry a SID starting 0x010500000000000903 (engine view text).
    static const std::string without_login("\x01\x05\x00\x00\x00\x00\x00\x09\x03", 9);
    auth = s.sid->rfind(without_login, 0) == 0 ? 0 : 1;
  }
  static const char* auth_desc[] = {"NONE", "INSTANCE", "DATABASE", "WINDOWS", "EXTERNAL"};
  static const std::pair<const char*, const char*> type_descs[] = {
      {"S", "SQL_USER"}, {"U", "WINDOWS_USER"}, {"G", "WINDOWS_GROUP"}, {"E", "EXTERNAL_USER"},
      {"X", "EXTERNAL_GROUPS"}, {"C", "CERTIFICATE_MAPPED_USER"}, {"K", "ASYMMETRIC_KEY_MAPPED_USER"},
      {"A", "APPLICATION_ROLE"}, {"R", "DATABASE_ROLE"}};
  std::string type_desc;
  for (const auto& [t, d] : type_descs) {
    if (s.type == t) type_desc = d;
  }
  if (type_desc.empty()) throw SqlError{15401, "invalid user type '" + s.type + "'"};
  const std::string now = now_text();
  exec(db,
       "INSERT INTO t_db_principals (database_id, name, principal_id, \"type\", type_desc, default_schema_name, "
       "create_date, modify_date, owning_principal_id, sid, is_fixed_role, authentication_type, "
       "authentication_type_desc, default_language_name, default_language_lcid, allow_encrypted_value_modifications) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, NULL, ?8, 0, ?9, ?10, NULL, NULL, 0)",
       {integer(database_id), text(s.name), integer(id), text(s.type), text(type_desc), text(s.default_schema),
        text(now), s.sid ? blob(*s.sid) : Value{Null{}}, integer(auth),
        text(auth >= 0 && auth <= 4 ? auth_desc[auth] : "NONE")});
  return id;
}

void seed_subsystems(sqlite3* db, bool mi) {
  exec(db, "DELETE FROM msdb_syssubsystems");
  struct Sub {
    int64_t id;
    const char* name;
    int64_t desc;
    const char* dll;
    const char* exe;
    const char* start;
    const char* event;
    const char* stop;
    int64_t threads;
    bool on_mi;
  };
  // TSQL is built into Agent and, as in SQL Server, is not a row here. On a Managed Instance only
  // the replication subsystems and SSIS exist (the MI T-SQL differences page: "Command shell isn't
  // yet supported",
  // https://learn.microsoft.com/azure/azure-sql/managed-instance/transact-sql-tsql-differences-sql-server;
  // CmdExec/PowerShell are treated as unsupported — documented in tests/emulator/README.md).
  const Sub subs[] = {
      {2, "CmdExec", 14550, "[Internal]", nullptr, nullptr, nullptr, nullptr, 10, false},
      {3, "Snapshot", 14551, "SQLREPSS.DLL", "snapshot.exe", "ReplStart", "ReplEvent", "ReplStop", 100, true},
      {4, "LogReader", 14552, "SQLREPSS.DLL", "logread.exe", "ReplStart", "ReplEvent", "ReplStop", 25, true},
      {5, "Distribution", 14553, "SQLREPSS.DLL", "distrib.exe", "ReplStart", "ReplEvent", "ReplStop", 100, true},
      {6, "Merge", 14554, "SQLREPSS.DLL", "replmerg.exe", "ReplStart", "ReplEvent", "ReplStop", 100, false},
      {7, "QueueReader", 14581, "SQLREPSS.DLL", "qrdrsvc.exe", "ReplStart", "ReplEvent", "ReplStop", 100, false},
      {8, "ANALYSISQUERY", 14513, "SQLOLAPSS.DLL", nullptr, "OlapStart", "OlapEvent", "OlapStop", 100, false},
      {9, "ANALYSISCOMMAND", 14514, "SQLOLAPSS.DLL", nullptr, "OlapStart", "OlapEvent", "OlapStop", 100, false},
      {10, "SSIS", 14538, "SQLDTSSS.DLL", "DTExec.exe", "DtsStart", "DtsEvent", "DtsStop", 100, true},
      {11, "PowerShell", 14698, "SQLPOWERSHELLSS.DLL", "SQLPS.exe", "PowerShellStart", "PowerShellEvent",
       "PowerShellStop", 2, false}};
  auto opt = [](const char* s) { return s ? Value{std::string(s)} : Value{Null{}}; };
  for (const auto& s : subs) {
    if (mi && !s.on_mi) continue;
    exec(db,
         "INSERT INTO msdb_syssubsystems VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
         {integer(s.id), text(s.name), integer(s.desc), opt(s.dll), opt(s.exe), opt(s.start), opt(s.event),
          opt(s.stop), integer(s.threads)});
  }
}

}  // namespace emu::st
