// fixture.cc — CatalogState::load_fixture: a JSON description of an instance (format version 1,
// documented in tests/emulator/README.md) loaded all-or-nothing inside one SAVEPOINT. Every error
// names the JSON pointer of the offending member. Unknown members are errors (typos must not pass
// silently).
#include <functional>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "engine/agent_model.h"
#include "engine/hashing.h"
#include "engine/lexer.h"
#include "engine/state.h"
#include "engine/state_model.h"
#include "engine/views.h"

namespace emu {

using namespace st;
using json = nlohmann::json;

namespace {

struct FixtureError {
  std::string pointer;
  std::string message;
};

std::string escape_pointer(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

// A JSON object with its pointer, and typed accessors that fail with that pointer.
class Obj {
 public:
  Obj(const json& j, std::string ptr) : j_(j), ptr_(std::move(ptr)) {
    if (!j_.is_object()) throw FixtureError{ptr_.empty() ? "/" : ptr_, "expected an object"};
  }
  void allow(std::initializer_list<const char*> keys) const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      bool ok = false;
      for (const char* k : keys) ok = ok || it.key() == k;
      if (!ok) throw FixtureError{at(it.key()), "unknown member"};
    }
  }
  std::string at(const std::string& key) const { return ptr_ + "/" + escape_pointer(key); }
  const std::string& ptr() const { return ptr_; }
  bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }
  const json& raw(const char* key) const { return j_[key]; }

  std::string str(const char* key) const {
    if (!has(key)) throw FixtureError{at(key), "required string is missing"};
    return str_or(key, "");
  }
  std::string str_or(const char* key, const std::string& def) const {
    if (!has(key)) return def;
    if (!j_[key].is_string()) throw FixtureError{at(key), "expected a string"};
    return j_[key].get<std::string>();
  }
  std::optional<std::string> opt_str(const char* key) const {
    if (!has(key)) return std::nullopt;
    return str_or(key, "");
  }
  int64_t num(const char* key, int64_t def) const {
    if (!has(key)) return def;
    if (!j_[key].is_number_integer()) throw FixtureError{at(key), "expected an integer"};
    return j_[key].get<int64_t>();
  }
  bool flag(const char* key, bool def) const {
    if (!has(key)) return def;
    if (j_[key].is_boolean()) return j_[key].get<bool>();
    if (j_[key].is_number_integer() && (j_[key] == 0 || j_[key] == 1)) return j_[key] == 1;
    throw FixtureError{at(key), "expected true or false"};
  }
  std::optional<std::string> hex(const char* key) const {
    auto s = opt_str(key);
    if (!s) return std::nullopt;
    std::string bytes;
    if (s->rfind("0x", 0) != 0 && s->rfind("0X", 0) != 0) throw FixtureError{at(key), "expected 0x-prefixed hex"};
    if (!unhex(*s, &bytes)) throw FixtureError{at(key), "invalid hex"};
    return bytes;
  }
  std::optional<std::string> guid(const char* key) const {
    auto s = opt_str(key);
    if (!s) return std::nullopt;
    auto g = normalize_guid(*s);
    if (!g) throw FixtureError{at(key), "invalid uniqueidentifier"};
    return g;
  }
  // Iterates an optional array member.
  void each(const char* key, const std::function<void(const json&, const std::string&)>& fn) const {
    if (!has(key)) return;
    if (!j_[key].is_array()) throw FixtureError{at(key), "expected an array"};
    for (size_t i = 0; i < j_[key].size(); ++i) {
      const std::string item = at(key) + "/" + std::to_string(i);
      try {
        fn(j_[key][i], item);
      } catch (const SqlError& e) {
        throw FixtureError{item, e.text};
      }
    }
  }

 private:
  const json& j_;
  std::string ptr_;
};

int64_t login_id(sqlite3* db, const std::string& name, const std::string& ptr) {
  auto p = find_principal(db, name);
  if (!p) throw FixtureError{ptr, "no server principal named '" + name + "'"};
  return p->id;
}
std::string login_sid(sqlite3* db, const std::string& name, const std::string& ptr) {
  auto p = find_principal(db, name);
  if (!p) throw FixtureError{ptr, "no server principal named '" + name + "'"};
  return p->sid;
}

int64_t pick(const std::string& value, std::initializer_list<std::pair<const char*, int64_t>> names,
             const std::string& ptr) {
  for (const auto& [n, v] : names) {
    if (iequals(value, n)) return v;
  }
  throw FixtureError{ptr, "invalid value '" + value + "'"};
}

void load_instance(CatalogState& state, InstanceConfig& config, const Obj& o) {
  o.allow({"server_name", "engine_edition"});
  sqlite3* db = state.db();
  if (o.has("server_name")) {
    config.server_name = o.str("server_name");
    exec(db, "UPDATE t_servers SET name = ?1, data_source = ?1 WHERE server_id = 0", {text(config.server_name)});
  }
  if (o.has("engine_edition")) {
    const int64_t e = o.num("engine_edition", 3);
    if (e != 2 && e != 3 && e != 8) throw FixtureError{o.at("engine_edition"), "expected 2, 3 or 8"};
    const bool was_mi = config.is_managed_instance();
    config.engine_edition = static_cast<int>(e);
    if (config.is_managed_instance()) config.edition = "SQL Azure";
    if (was_mi != config.is_managed_instance()) seed_subsystems(db, config.is_managed_instance());
  }
}

void load_login(sqlite3* db, const Obj& o) {
  o.allow({"name", "type", "sid", "password", "password_hash", "default_database", "default_language", "is_disabled",
           "check_policy", "check_expiration", "must_change", "deny_connect", "credential", "object_id"});
  LoginSpec s;
  s.name = o.str("name");
  s.type = to_upper_ascii(o.str_or("type", "S"));
  if (s.type.size() != 1 || std::string("SUGEXCK").find(s.type) == std::string::npos) {
    throw FixtureError{o.at("type"), "expected one of S, U, G, E, X, C, K"};
  }
  s.sid = o.hex("sid");
  s.password = o.opt_str("password");
  s.password_hash = o.hex("password_hash");
  if (s.password_hash && !is_valid_hashed_password(*s.password_hash)) {
    throw FixtureError{o.at("password_hash"), "expected a 0x0200 (70-byte) or 0x0100 (26-byte) hash"};
  }
  if (s.type == "S" && !s.password && !s.password_hash) {
    throw FixtureError{o.ptr(), "a SQL login needs password or password_hash"};
  }
  if (s.type != "S" && (s.password || s.password_hash)) {
    throw FixtureError{o.ptr(), "only SQL logins (type S) have a password"};
  }
  s.default_database = o.str_or("default_database", "master");
  s.default_language = o.str_or("default_language", "us_english");
  s.disabled = o.flag("is_disabled", false);
  s.check_policy = o.flag("check_policy", true);
  s.check_expiration = o.flag("check_expiration", false);
  s.must_change = o.flag("must_change", false);
  s.credential = o.opt_str("credential");
  s.object_id = o.str_or("object_id", "");
  const int64_t id = create_login(db, s);
  if (o.flag("deny_connect", false)) set_permission(db, PermissionSpec{100, 0, "COSQ", "CONNECT SQL", "D", id, 1});
}

void load_permission(sqlite3* db, const Obj& o) {
  o.allow({"grantee", "permission", "state", "securable_class", "securable", "grantor"});
  PermissionSpec p;
  const std::string cls = o.str_or("securable_class", "SERVER");
  p.cls = pick(cls, {{"SERVER", 100}, {"LOGIN", 101}, {"SERVER_ROLE", 101}, {"SERVER ROLE", 101}, {"ENDPOINT", 105}},
               o.at("securable_class"));
  if (p.cls == 101) {
    const auto target = find_principal(db, o.str("securable"));
    if (!target) throw FixtureError{o.at("securable"), "no server principal named '" + o.str("securable") + "'"};
    p.major_id = target->id;
  } else if (p.cls == 105) {
    auto v = scalar(db, "SELECT endpoint_id FROM t_endpoints WHERE name = ?1", {text(o.str("securable"))});
    if (!v) throw FixtureError{o.at("securable"), "no endpoint named '" + o.str("securable") + "'"};
    p.major_id = as_int(*v).value_or(0);
  }
  p.permission_name = to_upper_ascii(o.str("permission"));
  p.code = permission_code(p.cls, p.permission_name);
  if (p.code.empty()) throw FixtureError{o.at("permission"), "unknown permission for this securable class"};
  p.state = std::string(1, static_cast<char>(pick(o.str_or("state", "GRANT"),
                                                  {{"GRANT", 'G'}, {"DENY", 'D'}, {"GRANT_WITH_GRANT_OPTION", 'W'}},
                                                  o.at("state"))));
  p.grantee = login_id(db, o.str("grantee"), o.at("grantee"));
  p.grantor = login_id(db, o.str_or("grantor", "sa"), o.at("grantor"));
  set_permission(db, p);
}

void load_linked_server(sqlite3* db, const Obj& o) {
  o.allow({"name", "product", "provider", "data_source", "location", "provider_string", "catalog", "options",
           "self_mapping", "logins"});
  LinkedServerSpec s;
  s.name = o.str("name");
  s.product = o.str_or("product", "SQL Server");
  s.provider = o.str_or("provider", "");
  s.data_source = o.opt_str("data_source");
  s.location = o.opt_str("location");
  s.provider_string = o.opt_str("provider_string");
  s.catalog = o.opt_str("catalog");
  const int64_t id = create_linked_server(db, s, o.flag("self_mapping", true));
  if (o.has("options")) {
    const json& opts = o.raw("options");
    if (!opts.is_object()) throw FixtureError{o.at("options"), "expected an object"};
    for (auto it = opts.begin(); it != opts.end(); ++it) {
      const std::string ptr = o.at("options") + "/" + escape_pointer(it.key());
      std::optional<std::string> value;
      if (it->is_boolean()) value = it->get<bool>() ? "true" : "false";
      else if (it->is_number_integer()) value = std::to_string(it->get<int64_t>());
      else if (it->is_string()) value = it->get<std::string>();
      else if (!it->is_null()) throw FixtureError{ptr, "expected a boolean, integer, string or null"};
      try {
        set_server_option(db, id, it.key(), value);
      } catch (const SqlError& e) {
        throw FixtureError{ptr, "invalid option or value"};
      }
    }
  }
  o.each("logins", [&](const json& j, const std::string& ptr) {
    Obj l(j, ptr);
    l.allow({"local_login", "use_self", "remote_user", "remote_password"});
    const int64_t local = l.has("local_login") ? login_id(db, l.str("local_login"), l.at("local_login")) : 0;
    set_linked_login(db, id, local, l.flag("use_self", false), l.opt_str("remote_user"), l.opt_str("remote_password"));
  });
}

void load_database(sqlite3* db, const InstanceConfig& config, const Obj& o) {
  o.allow({"name", "database_id", "state", "updateability", "recovery_model", "user_access", "collation", "owner",
           "replica_id", "group_database_id", "users"});
  DatabaseSpec d;
  d.name = o.str("name");
  if (o.has("database_id")) d.id = o.num("database_id", 0);
  d.state = pick(o.str_or("state", "ONLINE"),
                 {{"ONLINE", 0}, {"RESTORING", 1}, {"RECOVERING", 2}, {"RECOVERY_PENDING", 3}, {"SUSPECT", 4},
                  {"EMERGENCY", 5}, {"OFFLINE", 6}},
                 o.at("state"));
  d.read_only = pick(o.str_or("updateability", "READ_WRITE"), {{"READ_WRITE", 0}, {"READ_ONLY", 1}}, o.at("updateability")) == 1;
  d.recovery_model = pick(o.str_or("recovery_model", "FULL"), {{"FULL", 1}, {"BULK_LOGGED", 2}, {"SIMPLE", 3}},
                          o.at("recovery_model"));
  d.user_access = pick(o.str_or("user_access", "MULTI_USER"),
                       {{"MULTI_USER", 0}, {"SINGLE_USER", 1}, {"RESTRICTED_USER", 2}}, o.at("user_access"));
  d.collation = o.str_or("collation", config.collation);
  if (o.has("owner")) d.owner_sid = login_sid(db, o.str("owner"), o.at("owner"));
  d.replica_id = o.guid("replica_id");
  d.group_database_id = o.guid("group_database_id");
  int64_t id = 0;
  if (auto existing = database_id(db, d.name)) {
    // A system database: only its users (and read-only/state flags) come from the fixture.
    id = *existing;
    exec(db, "UPDATE t_databases SET is_read_only = ?1 WHERE database_id = ?2", {integer(d.read_only), integer(id)});
  } else {
    id = create_database(db, d);
  }
  o.each("users", [&](const json& j, const std::string& ptr) {
    Obj u(j, ptr);
    u.allow({"name", "type", "sid", "login", "default_schema", "authentication_type"});
    DbUserSpec s;
    s.name = u.str("name");
    s.type = to_upper_ascii(u.str_or("type", "S"));
    s.sid = u.hex("sid");
    if (u.has("login")) {
      if (s.sid) throw FixtureError{u.at("login"), "give sid or login, not both"};
      s.sid = login_sid(db, u.str("login"), u.at("login"));
    }
    s.default_schema = u.str_or("default_schema", "dbo");
    if (u.has("authentication_type")) s.authentication_type = u.num("authentication_type", 1);
    create_db_user(db, id, s);
  });
}

void load_operator(sqlite3* db, const Obj& o) {
  o.allow({"name", "enabled", "email_address", "pager_address", "netsend_address", "weekday_pager_start_time",
           "weekday_pager_end_time", "saturday_pager_start_time", "saturday_pager_end_time",
           "sunday_pager_start_time", "sunday_pager_end_time", "pager_days", "category"});
  OperatorSpec s;
  s.name = o.str("name");
  if (find_operator(db, s.name)) throw FixtureError{o.at("name"), "duplicate operator"};
  s.enabled = o.flag("enabled", true) ? 1 : 0;
  s.email_address = o.opt_str("email_address");
  s.pager_address = o.opt_str("pager_address");
  s.netsend_address = o.opt_str("netsend_address");
  s.weekday_pager_start_time = o.num("weekday_pager_start_time", 90000);
  s.weekday_pager_end_time = o.num("weekday_pager_end_time", 180000);
  s.saturday_pager_start_time = o.num("saturday_pager_start_time", 90000);
  s.saturday_pager_end_time = o.num("saturday_pager_end_time", 180000);
  s.sunday_pager_start_time = o.num("sunday_pager_start_time", 90000);
  s.sunday_pager_end_time = o.num("sunday_pager_end_time", 180000);
  s.pager_days = o.num("pager_days", 0);
  if (o.has("category")) {
    auto c = find_category(db, 3, o.str("category"));
    if (!c) throw FixtureError{o.at("category"), "no operator category named '" + o.str("category") + "'"};
    s.category_id = *c;
  }
  insert_operator(db, s);
}

ScheduleSpec schedule_spec(sqlite3* db, const Obj& o) {
  ScheduleSpec s;
  s.name = o.str("name");
  s.schedule_uid = o.guid("schedule_uid").value_or("");
  s.owner_sid = login_sid(db, o.str_or("owner", "sa"), o.at("owner"));
  s.enabled = o.flag("enabled", true) ? 1 : 0;
  s.freq_type = o.num("freq_type", 1);
  s.freq_interval = o.num("freq_interval", 0);
  s.freq_subday_type = o.num("freq_subday_type", 0);
  s.freq_subday_interval = o.num("freq_subday_interval", 0);
  s.freq_relative_interval = o.num("freq_relative_interval", 0);
  s.freq_recurrence_factor = o.num("freq_recurrence_factor", 0);
  s.active_start_date = o.num("active_start_date", 20200101);
  s.active_end_date = o.num("active_end_date", 99991231);
  s.active_start_time = o.num("active_start_time", 0);
  s.active_end_time = o.num("active_end_time", 235959);
  return s;
}

void load_job(sqlite3* db, const Obj& o) {
  o.allow({"name", "job_id", "enabled", "description", "start_step_id", "category", "owner", "notify_level_eventlog",
           "notify_level_email", "notify_level_netsend", "notify_level_page", "notify_email_operator",
           "notify_netsend_operator", "notify_page_operator", "delete_level", "steps", "schedules", "servers"});
  JobSpec s;
  s.name = o.str("name");
  if (find_job_by_name(db, s.name)) throw FixtureError{o.at("name"), "duplicate job name"};
  s.job_id = o.guid("job_id").value_or("");
  if (!s.job_id.empty() && job_exists(db, s.job_id)) throw FixtureError{o.at("job_id"), "duplicate job_id"};
  s.enabled = o.flag("enabled", true) ? 1 : 0;
  s.description = o.opt_str("description");
  if (!s.description) s.description = "No description available.";
  s.start_step_id = o.num("start_step_id", 1);
  const std::string category = o.str_or("category", "[Uncategorized (Local)]");
  auto c = find_category(db, 1, category);
  if (!c) throw FixtureError{o.at("category"), "no job category named '" + category + "'"};
  s.category_id = *c;
  s.owner_sid = login_sid(db, o.str_or("owner", "sa"), o.at("owner"));
  s.notify_level_eventlog = o.num("notify_level_eventlog", 2);
  s.notify_level_email = o.num("notify_level_email", 0);
  s.notify_level_netsend = o.num("notify_level_netsend", 0);
  s.notify_level_page = o.num("notify_level_page", 0);
  auto op = [&](const char* key) -> int64_t {
    if (!o.has(key)) return 0;
    auto id = find_operator(db, o.str(key));
    if (!id) throw FixtureError{o.at(key), "no operator named '" + o.str(key) + "'"};
    return *id;
  };
  s.notify_email_operator_id = op("notify_email_operator");
  s.notify_netsend_operator_id = op("notify_netsend_operator");
  s.notify_page_operator_id = op("notify_page_operator");
  s.delete_level = o.num("delete_level", 0);
  const std::string job_id = insert_job(db, s);
  o.each("steps", [&](const json& j, const std::string& ptr) {
    Obj t(j, ptr);
    t.allow({"step_name", "subsystem", "command", "flags", "additional_parameters", "cmdexec_success_code",
             "on_success_action", "on_success_step_id", "on_fail_action", "on_fail_step_id", "server",
             "database_name", "database_user_name", "retry_attempts", "retry_interval", "os_run_priority",
             "output_file_name", "proxy", "step_uid"});
    StepSpec st;
    st.step_name = t.str("step_name");
    if (scalar(db, "SELECT 1 FROM msdb_sysjobsteps WHERE job_id = ?1 AND step_name = ?2",
               {text(job_id), text(st.step_name)})) {
      throw FixtureError{t.at("step_name"), "duplicate step name in job"};
    }
    st.subsystem = t.str_or("subsystem", "TSQL");
    st.command = t.opt_str("command");
    st.flags = t.num("flags", 0);
    st.additional_parameters = t.opt_str("additional_parameters");
    st.cmdexec_success_code = t.num("cmdexec_success_code", 0);
    st.on_success_action = t.num("on_success_action", 1);
    st.on_success_step_id = t.num("on_success_step_id", 0);
    st.on_fail_action = t.num("on_fail_action", 2);
    st.on_fail_step_id = t.num("on_fail_step_id", 0);
    st.server = t.opt_str("server");
    st.database_name = t.opt_str("database_name");
    if (!st.database_name && iequals(st.subsystem, "TSQL")) st.database_name = "master";
    st.database_user_name = t.opt_str("database_user_name");
    st.retry_attempts = t.num("retry_attempts", 0);
    st.retry_interval = t.num("retry_interval", 0);
    st.os_run_priority = t.num("os_run_priority", 0);
    st.output_file_name = t.opt_str("output_file_name");
    if (t.has("proxy")) {
      auto p = find_proxy(db, t.str("proxy"));
      if (!p) throw FixtureError{t.at("proxy"), "no proxy named '" + t.str("proxy") + "'"};
      st.proxy_id = *p;
    }
    st.step_uid = t.guid("step_uid").value_or("");
    insert_step(db, job_id, st);
  });
  const int64_t steps = step_count(db, job_id);
  if (s.start_step_id < 1 || (steps > 0 && s.start_step_id > steps) || (steps == 0 && s.start_step_id != 1)) {
    throw FixtureError{o.at("start_step_id"), "no such step"};
  }
  o.each("schedules", [&](const json& j, const std::string& ptr) {
    if (!j.is_string()) throw FixtureError{ptr, "expected a schedule_uid string"};
    auto uid = normalize_guid(j.get<std::string>());
    if (!uid) throw FixtureError{ptr, "invalid uniqueidentifier"};
    auto id = scalar(db, "SELECT schedule_id FROM msdb_sysschedules WHERE schedule_uid = ?1", {text(*uid)});
    if (!id) throw FixtureError{ptr, "no schedule with schedule_uid " + *uid};
    attach_schedule(db, job_id, as_int(*id).value_or(0));
  });
  o.each("servers", [&](const json& j, const std::string& ptr) {
    if (!j.is_string()) throw FixtureError{ptr, "expected a server name"};
    const std::string name = j.get<std::string>();
    // sysjobservers.server_id: 0 for the local server, else a target server (msdb.dbo.systargetservers).
    std::optional<int64_t> id = iequals(name, "(local)") ? std::optional<int64_t>(0) : find_target_server(db, name);
    if (!id) throw FixtureError{ptr, "no target server named '" + name + "'"};
    if (scalar(db, "SELECT 1 FROM msdb_sysjobservers WHERE job_id = ?1 AND server_id = ?2", {text(job_id), integer(*id)})) {
      throw FixtureError{ptr, "job already targeted at this server"};
    }
    insert_jobserver(db, job_id, *id);
  });
}

// HA tables: rows given by column name, checked against the view's columns.
void load_ha_rows(sqlite3* db, const Obj& ha, const char* key, const char* view, const char* table, bool per_db) {
  const ViewDef* def = nullptr;
  for (const auto& v : all_views()) {
    if (v.canonical_name == view) def = &v;
  }
  ha.each(key, [&](const json& j, const std::string& ptr) {
    Obj row(j, ptr);
    std::string cols, params;
    std::vector<Value> values;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string item = ptr + "/" + escape_pointer(it.key());
      std::string column = it.key();
      Value v = Null{};
      if (it.key() == "database" && (per_db || std::string(view) == "sys.dm_hadr_database_replica_states")) {
        if (!it->is_string()) throw FixtureError{item, "expected a database name"};
        auto id = database_id(db, it->get<std::string>());
        if (!id) throw FixtureError{item, "no database named '" + it->get<std::string>() + "'"};
        if (per_db && *id == 1) throw FixtureError{item, "master has no geo-replication links"};
        column = "database_id";
        v = integer(*id);
      } else {
        const ViewColumn* c = nullptr;
        for (const auto& vc : def->columns) {
          if (vc.name == it.key()) c = &vc;
        }
        if (!c) throw FixtureError{item, "unknown member"};
        if (it->is_boolean()) v = integer(it->get<bool>() ? 1 : 0);
        else if (it->is_number_integer()) v = integer(it->get<int64_t>());
        else if (it->is_string()) {
          std::string s = it->get<std::string>();
          if (c->type.id == SqlTypeId::kVarBinary) {
            std::string b;
            if (!unhex(s, &b)) throw FixtureError{item, "invalid hex"};
            v = blob(b);
          } else if (c->type.id == SqlTypeId::kUniqueIdentifier) {
            auto g = normalize_guid(s);
            if (!g) throw FixtureError{item, "invalid uniqueidentifier"};
            v = text(*g);
          } else {
            v = text(s);
          }
        } else if (!it->is_null()) {
          throw FixtureError{item, "expected a scalar"};
        }
      }
      if (!cols.empty()) {
        cols += ", ";
        params += ", ";
      }
      cols += "\"" + column + "\"";
      values.push_back(v);
      params += "?" + std::to_string(values.size());
    }
    if (per_db && cols.find("\"database_id\"") == std::string::npos) throw FixtureError{ptr, "database is required"};
    exec(db, std::string("INSERT INTO ") + table + " (" + cols + ") VALUES (" + params + ")", values);
  });
}

}  // namespace

bool CatalogState::load_fixture(const nlohmann::json& fixture, std::string* error) {
  InstanceConfig config = config_;
  try {
    Savepoint sp(db_);
    Obj root(fixture, "");
    root.allow({"version", "description", "instance", "credentials", "server_roles", "logins", "permissions",
                "linked_servers", "databases", "categories", "operators", "proxies", "schedules", "target_servers",
                "jobs", "ha", "messages", "configuration"});
    if (root.num("version", 0) != 1) throw FixtureError{"/version", "expected version 1"};
    if (root.has("instance")) load_instance(*this, config, Obj(root.raw("instance"), "/instance"));
    root.each("credentials", [&](const json& j, const std::string& ptr) {
      Obj o(j, ptr);
      o.allow({"name", "identity", "secret", "provider"});
      create_credential(db_, o.str("name"), o.opt_str("identity"), o.opt_str("secret"), o.opt_str("provider"));
    });
    // Roles first (logins may be members), owners and members once the logins exist.
    root.each("server_roles", [&](const json& j, const std::string& ptr) {
      Obj o(j, ptr);
      o.allow({"name", "owner", "members"});
      auto existing = find_principal(db_, o.str("name"));
      if (existing && existing->type != "R") throw FixtureError{o.at("name"), "a login has this name"};
      if (!existing) create_server_role(db_, o.str("name"), 1);
    });
    root.each("logins", [&](const json& j, const std::string& ptr) { load_login(db_, Obj(j, ptr)); });
    root.each("server_roles", [&](const json& j, const std::string& ptr) {
      Obj o(j, ptr);
      const int64_t role = login_id(db_, o.str("name"), o.at("name"));
      if (o.has("owner")) {
        exec(db_, "UPDATE t_principals SET owning_principal_id = ?1 WHERE principal_id = ?2",
             {integer(login_id(db_, o.str("owner"), o.at("owner"))), integer(role)});
      }
      o.each("members", [&](const json& m, const std::string& mptr) {
        if (!m.is_string()) throw FixtureError{mptr, "expected a principal name"};
        add_role_member(db_, role, login_id(db_, m.get<std::string>(), mptr));
      });
    });
    root.each("permissions", [&](const json& j, const std::string& ptr) { load_permission(db_, Obj(j, ptr)); });
    root.each("linked_servers", [&](const json& j, const std::string& ptr) { load_linked_server(db_, Obj(j, ptr)); });
    root.each("databases", [&](const json& j, const std::string& ptr) { load_database(db_, config, Obj(j, ptr)); });
    root.each("target_servers", [&](const json& j, const std::string& ptr) {
      if (!j.is_string()) throw FixtureError{ptr, "expected a target server name"};
      if (find_target_server(db_, j.get<std::string>())) throw FixtureError{ptr, "target server listed twice"};
      insert_target_server(db_, j.get<std::string>());
    });
    root.each("categories", [&](const json& j, const std::string& ptr) {
      Obj o(j, ptr);
      o.allow({"name", "class", "type"});
      const int64_t cls = pick(o.str_or("class", "JOB"), {{"JOB", 1}, {"ALERT", 2}, {"OPERATOR", 3}}, o.at("class"));
      const int64_t type = pick(o.str_or("type", cls == 1 ? "LOCAL" : "NONE"),
                                {{"LOCAL", 1}, {"MULTI-SERVER", 2}, {"NONE", 3}}, o.at("type"));
      if (find_category(db_, cls, o.str("name"))) throw FixtureError{o.at("name"), "duplicate category"};
      insert_category(db_, cls, type, o.str("name"));
    });
    root.each("operators", [&](const json& j, const std::string& ptr) { load_operator(db_, Obj(j, ptr)); });
    root.each("proxies", [&](const json& j, const std::string& ptr) {
      Obj o(j, ptr);
      o.allow({"name", "credential", "enabled", "description", "owner"});
      auto cred = scalar(db_, "SELECT credential_id FROM t_credentials WHERE name = ?1", {text(o.str("credential"))});
      if (!cred) throw FixtureError{o.at("credential"), "no credential named '" + o.str("credential") + "'"};
      insert_proxy(db_, o.str("name"), as_int(*cred).value_or(0), o.flag("enabled", true) ? 1 : 0,
                   o.opt_str("description"), login_sid(db_, o.str_or("owner", "sa"), o.at("owner")));
    });
    root.each("schedules", [&](const json& j, const std::string& ptr) {
      Obj o(j, ptr);
      o.allow({"schedule_uid", "name", "enabled", "freq_type", "freq_interval", "freq_subday_type",
               "freq_subday_interval", "freq_relative_interval", "freq_recurrence_factor", "active_start_date",
               "active_end_date", "active_start_time", "active_end_time", "owner"});
      ScheduleSpec s = schedule_spec(db_, o);
      if (!s.schedule_uid.empty() &&
          scalar(db_, "SELECT 1 FROM msdb_sysschedules WHERE schedule_uid = ?1", {text(s.schedule_uid)})) {
        throw FixtureError{o.at("schedule_uid"), "duplicate schedule_uid"};
      }
      insert_schedule(db_, s);
    });
    root.each("jobs", [&](const json& j, const std::string& ptr) { load_job(db_, Obj(j, ptr)); });
    // Custom messages (sp_addmessage's rules: ids from 50001, severity 1-25, us_english first).
    root.each("messages", [&](const json& j, const std::string& ptr) {
      Obj o(j, ptr);
      o.allow({"message_id", "severity", "text", "language", "with_log"});
      const int64_t id = o.num("message_id", 0);
      if (id <= 50000) throw FixtureError{o.at("message_id"), "a user-defined message id is greater than 50000"};
      const int64_t severity = o.num("severity", 16);
      if (severity < 1 || severity > 25) throw FixtureError{o.at("severity"), "severity is 1 to 25"};
      auto lang = scalar(db_, "SELECT msglangid FROM t_languages WHERE name = ?1 OR alias = ?1 ORDER BY langid LIMIT 1",
                         {text(o.str_or("language", "us_english"))});
      if (!lang) throw FixtureError{o.at("language"), "unknown language"};
      if (*as_int(*lang) != 1033 && !scalar(db_, "SELECT 1 FROM t_messages WHERE message_id = ?1 AND language_id = 1033",
                                           {integer(id)}))
        throw FixtureError{o.at("language"), "the us_english version of the message comes first"};
      exec(db_, "INSERT INTO t_messages VALUES (?1, ?2, ?3, ?4, ?5)",
           {integer(id), *lang, integer(severity), integer(o.flag("with_log", false) ? 1 : 0), text(o.str("text"))});
    });
    // Server configuration: option name -> value, configured and in use (as after RECONFIGURE or a
    // restart); the option must exist on this edition and the value lie within its range.
    if (root.has("configuration")) {
      const json& cfg = root.raw("configuration");
      if (!cfg.is_object()) throw FixtureError{"/configuration", "expected an object of option name -> value"};
      for (const auto& [option, value] : cfg.items()) {
        const std::string ptr = "/configuration/" + option;
        if (!value.is_number_integer()) throw FixtureError{ptr, "expected an integer"};
        auto row = query(db_, "SELECT minimum, maximum FROM t_configurations WHERE name = ?1", {text(option)});
        if (row.empty()) throw FixtureError{ptr, "no configuration option named '" + option + "' on this edition"};
        const int64_t v = value.get<int64_t>();
        if (v < *as_int(row[0][0]) || v > *as_int(row[0][1])) throw FixtureError{ptr, "value out of range"};
        exec(db_, "UPDATE t_configurations SET value = ?2, value_in_use = ?2 WHERE name = ?1", {text(option), integer(v)});
      }
    }
    if (root.has("ha")) {
      Obj ha(root.raw("ha"), "/ha");
      ha.allow({"availability_groups", "availability_replicas", "database_replica_states",
                "availability_replica_states", "geo_replication_links"});
      load_ha_rows(db_, ha, "availability_groups", "sys.availability_groups", "ha_availability_groups", false);
      load_ha_rows(db_, ha, "availability_replicas", "sys.availability_replicas", "ha_availability_replicas", false);
      load_ha_rows(db_, ha, "database_replica_states", "sys.dm_hadr_database_replica_states",
                   "ha_database_replica_states", false);
      load_ha_rows(db_, ha, "availability_replica_states", "sys.dm_hadr_availability_replica_states",
                   "ha_availability_replica_states", false);
      load_ha_rows(db_, ha, "geo_replication_links", "sys.dm_geo_replication_link_status", "t_geo_links", true);
    }
    sp.commit();
  } catch (const FixtureError& e) {
    if (error) *error = "fixture " + (e.pointer.empty() ? std::string("/") : e.pointer) + ": " + e.message;
    return false;
  } catch (const SqlError& e) {
    if (error) *error = "fixture: " + e.text;
    return false;
  } catch (const std::exception& e) {
    if (error) *error = std::string("fixture: ") + e.what();
    return false;
  }
  config_ = config;
  return true;
}

}  // namespace emu
