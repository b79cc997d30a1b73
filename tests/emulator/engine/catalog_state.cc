// catalog_state.cc — CatalogState: creation and seeding of a new instance, LOGIN7 checks and the
// state-dependent built-in functions (LOGINPROPERTY, SUSER_SNAME, SUSER_SID, DATABASEPROPERTYEX,
// SERVERPROPERTY).
#include <sqlite3.h>

#include "engine/hashing.h"
#include "engine/schema.h"
#include "engine/state.h"
#include "engine/state_model.h"

namespace emu {

using namespace st;

namespace {

void seed(sqlite3* db, const InstanceConfig& config, const std::string& sa_password) {
  const std::string now = now_text();
  // sa: principal_id 1, sid 0x01, as a SQL Server instance shows it in sys.server_principals.
  exec(db,
       "INSERT INTO t_principals (principal_id, name, sid, \"type\", type_desc, is_disabled, create_date, modify_date, "
       "default_database_name, default_language_name, is_fixed_role, is_policy_checked, is_expiration_checked, "
       "password_hash, password_set_date) VALUES (1, 'sa', X'01', 'S', 'SQL_LOGIN', 0, ?1, ?1, 'master', "
       "'us_english', 0, 1, 0, ?2, ?1)",
       {text(now), blob(sql_password_hash(sa_password))});
  // public (2, not flagged fixed) and the eight classic fixed roles (3–10), owned by sa.
  const char* roles[] = {"public", "sysadmin", "securityadmin", "serveradmin", "setupadmin",
                         "processadmin", "diskadmin", "dbcreator", "bulkadmin"};
  for (int i = 0; i < 9; ++i) {
    const int64_t id = i + 2;
    exec(db,
         "INSERT INTO t_principals (principal_id, name, sid, \"type\", type_desc, is_disabled, create_date, "
         "modify_date, owning_principal_id, is_fixed_role) VALUES (?1, ?2, ?3, 'R', 'SERVER_ROLE', 0, ?4, ?4, 1, ?5)",
         {integer(id), text(roles[i]), blob(std::string(1, static_cast<char>(id))), text(now), integer(id == 2 ? 0 : 1)});
  }
  add_role_member(db, 3, 1);  // sa ∈ sysadmin
  // Endpoints of a default install; public may connect to the T-SQL ones.
  struct Ep {
    int64_t id;
    const char* name;
    int64_t protocol;
    const char* protocol_desc;
    int64_t admin;
  };
  const Ep eps[] = {{1, "Dedicated Admin Connection", 2, "TCP", 1}, {2, "TSQL Local Machine", 4, "SHARED_MEMORY", 0},
                    {3, "TSQL Named Pipes", 3, "NAMED_PIPES", 0}, {4, "TSQL Default TCP", 2, "TCP", 0},
                    {5, "TSQL Default VIA", 5, "VIA", 0}};
  for (const auto& e : eps) {
    exec(db,
         "INSERT INTO t_endpoints VALUES (?1, ?2, 1, ?3, ?4, 2, 'TSQL', 0, 'STARTED', ?5)",
         {text(e.name), integer(e.id), integer(e.protocol), text(e.protocol_desc), integer(e.admin)});
    if (e.id >= 2) set_permission(db, PermissionSpec{105, e.id, "CO", "CONNECT", "G", 2, 1});
  }
  set_permission(db, PermissionSpec{100, 0, "COSQ", "CONNECT SQL", "G", 1, 1});
  set_permission(db, PermissionSpec{100, 0, "VWDB", "VIEW ANY DATABASE", "G", 2, 1});
  seed_configurations(db, config.is_managed_instance());
  // sys.servers row 0: the local server.
  create_local_server(db, config.server_name);
  // System databases.
  const std::pair<const char*, int64_t> dbs[] = {{"master", 3}, {"tempdb", 3}, {"model", 1}, {"msdb", 3}};
  int64_t id = 1;
  for (const auto& [name, recovery] : dbs) {
    DatabaseSpec d;
    d.name = name;
    d.id = id++;
    d.recovery_model = recovery;
    d.collation = config.collation;
    create_database(db, d);
  }
  // msdb's seeded categories: the rows msdb ships with (the msdb.dbo.syscategories page,
  // https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-syscategories-transact-sql,
  // does not list them).
  struct Cat {
    int64_t id, cls, type;
    const char* name;
  };
  const Cat cats[] = {{0, 1, 1, "[Uncategorized (Local)]"}, {1, 1, 1, "Jobs from MSX"},
                      {2, 1, 2, "[Uncategorized (Multi-Server)]"}, {3, 1, 1, "Database Maintenance"},
                      {5, 1, 1, "Full-Text"}, {6, 1, 1, "Log Shipping"}, {7, 1, 1, "Database Engine Tuning Advisor"},
                      {8, 1, 1, "Data Collector"}, {10, 1, 1, "REPL-Distribution"},
                      {11, 1, 1, "REPL-Distribution Cleanup"}, {12, 1, 1, "REPL-History Cleanup"},
                      {13, 1, 1, "REPL-LogReader"}, {14, 1, 1, "REPL-Merge"}, {15, 1, 1, "REPL-Snapshot"},
                      {16, 1, 1, "REPL-Checkup"}, {17, 1, 1, "REPL-Subscription Cleanup"},
                      {18, 1, 1, "REPL-Alert Response"}, {19, 1, 1, "REPL-QueueReader"}, {20, 2, 3, "Replication"},
                      {98, 2, 3, "[Uncategorized]"}, {99, 3, 3, "[Uncategorized]"}};
  for (const auto& c : cats) {
    exec(db, "INSERT INTO msdb_syscategories VALUES (?1, ?2, ?3, ?4)",
         {integer(c.id), integer(c.cls), integer(c.type), text(c.name)});
  }
  seed_subsystems(db, config.is_managed_instance());
}

Message login_error(int32_t number, const std::string& text, uint8_t severity = 14) {
  return Message{number, 1, severity, text, 1, {}};
}

}  // namespace

std::unique_ptr<CatalogState> CatalogState::create(const InstanceConfig& config, const std::string& sa_password,
                                                   std::string* error) {
  std::unique_ptr<CatalogState> s(new CatalogState());
  s->config_ = config;
  if (config.is_managed_instance() && s->config_.edition == InstanceConfig{}.edition) s->config_.edition = "SQL Azure";
  if (sqlite3_open(":memory:", &s->db_) != SQLITE_OK) {
    if (error) *error = "cannot open in-memory sqlite database";
    return nullptr;
  }
  try {
    create_schema(s->db_);
    seed(s->db_, s->config_, sa_password);
  } catch (const std::exception& e) {
    if (error) *error = std::string("cannot seed instance state: ") + e.what();
    return nullptr;
  } catch (const SqlError& e) {
    if (error) *error = "cannot seed instance state: " + e.text;
    return nullptr;
  }
  return s;
}

CatalogState::~CatalogState() {
  if (db_) sqlite3_close(db_);
}

LoginResult CatalogState::check_login(const std::string& user, const std::string& password,
                                      std::string* sid_out) const {
  LoginResult r;
  const Message failed = login_error(18456, "Login failed for user '" + user + "'.");
  auto rows = query(db_,
                    "SELECT \"type\", password_hash, is_disabled, sid, default_database_name, principal_id "
                    "FROM t_principals WHERE name = ?1",
                    {text(user)});
  if (rows.empty() || std::get<std::string>(rows[0][0]) != "S") {
    r.error = failed;
    return r;
  }
  const Row& row = rows[0];
  const auto* hash = std::get_if<Blob>(&row[1]);
  if (!hash || !verify_sql_password(hash->bytes, password)) {
    r.error = failed;
    return r;
  }
  if (as_int(row[2]).value_or(0) != 0) {
    r.error = login_error(18470, "Login failed for user '" + user + "'. Reason: The account is disabled.");
    return r;
  }
  // DENY CONNECT SQL (or no CONNECT SQL at all) refuses the login as SQL Server does.
  const int64_t id = std::get<int64_t>(row[5]);
  auto connect = scalar(db_,
                        "SELECT \"state\" FROM t_server_permissions WHERE \"class\" = 100 AND grantee_principal_id = ?1 "
                        "AND \"type\" = 'COSQ'",
                        {integer(id)});
  const bool sysadmin = scalar(db_, "SELECT 1 FROM t_role_members WHERE role_principal_id = 3 AND member_principal_id = ?1",
                               {integer(id)}).has_value();
  if (!sysadmin && (!connect || as_text(*connect) == "D")) {
    r.error = failed;
    return r;
  }
  const std::string default_db = as_text(row[4]).value_or("master");
  if (!database_exists(default_db)) {
    // SQL Server's answer when the login's default database is gone (a requested database that
    // does not exist is the executor's 4060).
    r.error = login_error(4064, "Cannot open user default database. Login failed.", 11);
    return r;
  }
  if (sid_out) {
    if (auto* b = std::get_if<Blob>(&row[3])) *sid_out = b->bytes;
  }
  r.ok = true;
  r.database = default_db;
  return r;
}

bool CatalogState::database_exists(const std::string& name) const { return database_id(db_, name).has_value(); }

Value CatalogState::login_property(const std::string& login, const std::string& property) const {
  auto rows = query(db_,
                    "SELECT \"type\", password_hash, is_must_change, password_set_date, default_database_name, "
                    "default_language_name, is_expiration_checked FROM t_principals WHERE name = ?1",
                    {text(login)});
  if (rows.empty() || std::get<std::string>(rows[0][0]) != "S") return Null{};
  const Row& r = rows[0];
  const std::string p = to_lower_ascii(property);
  if (p == "passwordhash") return r[1];
  if (p == "passwordhashalgorithm") {
    const auto* b = std::get_if<Blob>(&r[1]);
    if (!b || b->bytes.empty()) return Null{};
    return int64_t{b->bytes[0] == 0x02 ? 2 : b->bytes[0] == 0x01 ? 1 : 0};
  }
  if (p == "ismustchange") return as_int(r[2]).value_or(0);
  if (p == "isexpired" || p == "islocked" || p == "badpasswordcount" || p == "historylength") return int64_t{0};
  if (p == "passwordlastsettime") return r[3];
  if (p == "badpasswordtime" || p == "lockouttime") return std::string("1900-01-01 00:00:00.000");
  if (p == "defaultdatabase") return r[4];
  if (p == "defaultlanguage") return r[5];
  if (p == "daysuntilexpiration") return Null{};
  return Null{};
}

Value CatalogState::suser_sname(const Value& sid) const {
  const auto* b = std::get_if<Blob>(&sid);
  if (!b) return Null{};
  auto p = find_principal_by_sid(db_, b->bytes);
  if (!p) return Null{};
  return p->name;
}

Value CatalogState::suser_sid(const std::string& login) const {
  auto p = find_principal(db_, login);
  if (!p || p->sid.empty()) return Null{};
  return Blob{p->sid};
}

Value CatalogState::database_property_ex(const std::string& db, const std::string& property) const {
  auto rows = query(db_,
                    "SELECT is_read_only, state_desc, user_access_desc, recovery_model_desc, collation_name "
                    "FROM t_databases WHERE name = ?1",
                    {text(db)});
  if (rows.empty()) return Null{};
  const Row& r = rows[0];
  const std::string p = to_lower_ascii(property);
  if (p == "updateability") return std::string(as_int(r[0]).value_or(0) ? "READ_ONLY" : "READ_WRITE");
  if (p == "status") return r[1];
  if (p == "useraccess") return r[2];
  if (p == "recovery") return r[3];
  if (p == "collation") return r[4];
  return Null{};
}

Value CatalogState::server_property(const std::string& property) const {
  const std::string p = to_lower_ascii(property);
  const std::string& v = config_.product_version;
  if (p == "servername") return config_.server_name;
  if (p == "engineedition") return int64_t{config_.engine_edition};
  if (p == "productversion") return v;
  if (p == "productmajorversion") return v.substr(0, v.find('.'));
  if (p == "productlevel") return std::string("RTM");
  if (p == "edition") return config_.edition;
  if (p == "machinename") return config_.machine_name;
  if (p == "collation") return config_.collation;
  if (p == "instancename") return Null{};
  if (p == "ishadrenabled") {
    return int64_t{scalar(db_, "SELECT 1 FROM ha_availability_groups LIMIT 1").has_value() ? 1 : 0};
  }
  if (p == "isintegratedsecurityonly" || p == "isclustered" || p == "issingleuser") return int64_t{0};
  return Null{};
}

}  // namespace emu
