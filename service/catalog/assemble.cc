#include "catalog/assemble.h"

#include <ctime>

#include <algorithm>

#include "catalog/canonical.h"
#include "catalog/key.h"

namespace understudy::catalog {

namespace {

// Puts columns `names` of the row, each converted `as`.
void put(ObjectText& t, const Columns& c, const odbc::Row& r, std::initializer_list<const char*> names, As as) {
  for (const char* n : names) t.put(n, c.at(r, n), as);
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// `s` starts with `prefix` (lower case) compared as fold_name compares: without a folded copy of
// every principal's name.
bool starts_folded(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool excluded_name(const std::string& name) {
  if (name.size() >= 4 && name.rfind("##", 0) == 0 && name.compare(name.size() - 2, 2, "##") == 0) return true;
  return starts_folded(name, "nt service\\") || starts_folded(name, "nt authority\\") || starts_folded(name, "builtin\\");
}

bool is_login_type(const std::string& t) {
  return t == "S" || t == "U" || t == "G" || t == "C" || t == "K" || t == "E" || t == "X";
}

int64_t id_of(const odbc::Value& v) {
  if (auto* i = odbc::as_int(v)) return *i;  // the common case
  auto j = as_int_json(v);
  return j.is_number_integer() ? j.get<int64_t>() : -1;
}


// msdb.dbo.sysjobsteps columns kept in a step, in name order (proxy_name, resolved from
// proxy_id, goes between output_file_name and retry_attempts).
struct StepColumn {
  const char* name;
  As as;
};
constexpr StepColumn kStepColumns[] = {
    {"additional_parameters", As::kText}, {"cmdexec_success_code", As::kInt}, {"command", As::kText},
    {"database_name", As::kText},         {"database_user_name", As::kText},  {"flags", As::kInt},
    {"on_fail_action", As::kInt},         {"on_fail_step_id", As::kInt},      {"on_success_action", As::kInt},
    {"on_success_step_id", As::kInt},     {"os_run_priority", As::kInt},      {"output_file_name", As::kText},
    {"retry_attempts", As::kInt},         {"retry_interval", As::kInt},       {"server", As::kText},
    {"step_id", As::kInt},                {"step_name", As::kText},           {"subsystem", As::kText},
};

// The JSON of a name or null; `fold` for the canonical form.
void name_json(const std::string* name, bool fold, std::string& out) {
  if (!name) {
    out += "null";
    return;
  }
  append_json_string(*name, fold, out);
}

// A JSON array of names (schedule attachments, job servers) sorted by their text, as the tree
// form sorts them, with its canonical form.
void name_array(std::vector<std::pair<std::string, std::string>>& items, std::string& text, std::string& canonical) {
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  text = "[";
  canonical = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) {
      text.push_back(',');
      canonical.push_back(',');
    }
    text += items[i].first;
    canonical += items[i].second;
  }
  text.push_back(']');
  canonical.push_back(']');
}

}  // namespace

ObjectRecord& Assembler::start(Kind kind, std::string_view key) {
  current_.record.clear();
  current_.default_excluded = false;
  current_.record.kind = kind;
  current_.record.key.assign(key);
  return current_.record;
}

int64_t Assembler::tomorrow_utc_yyyymmdd() {
  std::time_t t = std::time(nullptr) + 24 * 60 * 60;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 10000LL + (tm.tm_mon + 1) * 100LL + tm.tm_mday;
}

void Assembler::emit(bool default_excluded) {
  fields_.finish(current_.record.fields, &current_.record.canonical);
  volatile_.finish(current_.record.volatile_fields);
  current_.default_excluded = default_excluded;
  sink_(current_);
}

const Assembler::Principal* Assembler::principal_by_id(const odbc::Value& id) const {
  auto it = principals_.find(id_of(id));
  return it == principals_.end() ? nullptr : &it->second;
}

const std::string* Assembler::name_by_id(const Names& names, const odbc::Value& id) {
  auto it = names.find(id_of(id));
  return it == names.end() ? nullptr : &it->second;
}

const std::string* Assembler::name_by_sid(const std::string* sid) const {
  if (!sid) return nullptr;
  auto it = sid_names_.find(*sid);
  return it == sid_names_.end() ? nullptr : &it->second;
}

void Assembler::row(ResultSetId id, const Columns& c, const odbc::Row& r) {
  switch (id) {
    case ResultSetId::kRights: return;  // checked by the reader
    case ResultSetId::kInstance: return instance(c, r);
    case ResultSetId::kSubsystems:
      subsystems_.push_back(text_or_empty(c.at(r, "subsystem")));
      subsystem_names_[id_of(c.at(r, "subsystem_id"))] = text_or_empty(c.at(r, "subsystem"));
      return;
    case ResultSetId::kProxySubsystems: {
      const std::string* name = name_by_id(subsystem_names_, c.at(r, "subsystem_id"));
      NameJson n;
      name_json(name, false, n.text);
      name_json(name, true, n.canonical);
      proxy_subsystems_[id_of(c.at(r, "proxy_id"))].push_back(std::move(n));
      return;
    }
    case ResultSetId::kProxyLogins: {
      const auto& sid_value = c.at(r, "sid");
      auto sid = hex_text(sid_value);
      const bool has_sid = odbc::as_bytes(sid_value) || odbc::as_text(sid_value);
      const std::string* name = name_by_sid(has_sid ? &sid : nullptr);
      NameJson n;
      name_json(name, false, n.text);
      name_json(name, true, n.canonical);
      proxy_principals_[id_of(c.at(r, "proxy_id"))].push_back(std::move(n));
      return;
    }
    case ResultSetId::kCredentials: return credential(c, r);
    case ResultSetId::kEndpoints:
      endpoints_[id_of(c.at(r, "endpoint_id"))] = text_or_empty(c.at(r, "name"));
      return;
    case ResultSetId::kAvailabilityGroups:
      availability_groups_[guid_text(c.at(r, "group_id"))] = text_or_empty(c.at(r, "name"));
      return;
    case ResultSetId::kAvailabilityReplicas: {
      auto group = availability_groups_.find(guid_text(c.at(r, "group_id")));
      const auto& metadata_id = c.at(r, "replica_metadata_id");
      if (group != availability_groups_.end() && as_int_json(metadata_id).is_number_integer()) {
        availability_group_by_replica_[id_of(metadata_id)] = group->second;
      }
      return;
    }
    case ResultSetId::kSqlLogins: return sql_login(c, r);
    case ResultSetId::kConnectDenies:
      connect_denied_.insert(id_of(c.at(r, "grantee_principal_id")));
      return;
    case ResultSetId::kPrincipals: return principal(c, r);
    case ResultSetId::kMembers: return member(c, r);
    case ResultSetId::kPermissions: return permission(c, r);
    case ResultSetId::kServers: return server(c, r);
    case ResultSetId::kLinkedLogins: return linked_login(c, r);
    case ResultSetId::kCategories: return category(c, r);
    case ResultSetId::kOperators: return operator_row(c, r);
    case ResultSetId::kProxies: return proxy(c, r);
    case ResultSetId::kSchedules: return schedule(c, r);
    case ResultSetId::kJobs: return job(c, r);
    case ResultSetId::kSteps: return step(c, r);
    case ResultSetId::kLanguages: return language(c, r);
    case ResultSetId::kMessages: return message(c, r);
    case ResultSetId::kConfigurations: return configuration(c, r);
    case ResultSetId::kJobSchedules: {
      const std::string* uid = name_by_id(schedule_uids_, c.at(r, "schedule_id"));
      NameJson n;
      name_json(uid, false, n.text);
      name_json(uid, true, n.canonical);
      job_parts_[guid_text(c.at(r, "job_id"))].schedules.push_back(std::move(n));
      return;
    }
    case ResultSetId::kTargetServers:
      target_servers_[id_of(c.at(r, "server_id"))] = text_or_empty(c.at(r, "server_name"));
      return;
    case ResultSetId::kJobServers: {
      // server_id 0 is the local server; others are target servers of a multiserver (MSX) setup,
      // rows of msdb.dbo.systargetservers — not sys.servers ids.
      // https://learn.microsoft.com/sql/relational-databases/system-tables/dbo-sysjobservers-transact-sql
      static const std::string kLocal = "(local)";
      auto sid = id_of(c.at(r, "server_id"));
      const std::string* name = sid == 0 ? &kLocal : name_by_id(target_servers_, c.at(r, "server_id"));
      NameJson n;
      name_json(name, false, n.text);
      name_json(name, true, n.canonical);
      job_parts_[guid_text(c.at(r, "job_id"))].servers.push_back(std::move(n));
      return;
    }
  }
}

void Assembler::end(ResultSetId id) {
  switch (id) {
    case ResultSetId::kSubsystems:
      if (have_instance_) {
        std::sort(subsystems_.begin(), subsystems_.end());
        std::string text = "[";
        for (size_t i = 0; i < subsystems_.size(); ++i) {
          if (i) text.push_back(',');
          append_json_string(subsystems_[i], false, text);
        }
        text.push_back(']');
        instance_.put_raw("subsystems", text, text);  // not a name field: canonical = text
        start(Kind::kInstance, "instance");
        instance_.finish(current_.record.fields, &current_.record.canonical);
        current_.record.volatile_fields = "{}";
        sink_(current_);
        have_instance_ = false;
      }
      return;
    case ResultSetId::kPrincipals:
      // A role's owner may be any principal, read before or after it: resolved once all are in.
      for (auto& role : roles_) {
        start(Kind::kServerRole, role.name);
        auto it = principals_.find(role.owner);
        fields_.put_name("owner_name", it == principals_.end() ? nullptr : &it->second.name);
        fields_.finish(current_.record.fields, &current_.record.canonical);
        current_.record.volatile_fields = std::move(role.volatile_fields);
        current_.default_excluded = role.excluded;
        sink_(current_);
      }
      roles_.clear();
      sql_logins_.clear();
      connect_denied_.clear();
      return;
    case ResultSetId::kJobs:
      job_parts_.clear();  // parts of jobs that no longer exist (deleted between the reads)
      return;
    default:
      return;
  }
}

void Assembler::instance(const Columns& c, const odbc::Row& r) {
  have_instance_ = true;
  put(instance_, c, r, {"server_name", "edition", "product_version", "collation"}, As::kText);
  put(instance_, c, r, {"engine_edition"}, As::kInt);
}

void Assembler::credential(const Columns& c, const odbc::Row& r) {
  auto name = text_or_empty(c.at(r, "name"));
  credentials_[id_of(c.at(r, "credential_id"))] = name;
  start(Kind::kCredential, name);
  put(fields_, c, r, {"credential_identity", "target_type"}, As::kText);
  volatile_.put("create_date", c.at(r, "create_date"), As::kText);
  volatile_.put("credential_id", c.at(r, "credential_id"), As::kInt);
  volatile_.put("modify_date", c.at(r, "modify_date"), As::kText);
  volatile_.put("target_id", c.at(r, "target_id"), As::kInt);
  emit();
}

void Assembler::category(const Columns& c, const odbc::Row& r) {
  auto cid = id_of(c.at(r, "category_id"));
  auto name = text_or_empty(c.at(r, "name"));
  categories_[cid] = name;
  // User job categories only: ids < 100 are seeded and exist on every instance.
  if (cid < 100 || as_int_json(c.at(r, "category_class")) != 1) return;
  start(Kind::kAgentCategory, name);
  put(fields_, c, r, {"category_class", "category_type"}, As::kInt);
  put(volatile_, c, r, {"category_id"}, As::kInt);
  emit();
}

void Assembler::principal(const Columns& c, const odbc::Row& r) {
  auto name = text_or_empty(c.at(r, "name"));
  const auto& sid_value = c.at(r, "sid");
  auto sid = hex_text(sid_value);
  bool has_sid = !odbc::is_null(sid_value) && (odbc::as_bytes(sid_value) || odbc::as_text(sid_value));
  auto type = trim_right(text_or_empty(c.at(r, "type")));
  auto pid = id_of(c.at(r, "principal_id"));
  bool fixed = as_flag_json(c.at(r, "is_fixed_role")) == true;
  // Fixed roles and public are never objects, but memberships in them and grants to public are.
  bool builtin_role = type == "R" && (fixed || fold_name(name) == "public");
  bool excluded = !builtin_role && (excluded_name(name) || (has_sid && sid == "0x01"));
  principals_[pid] = {name, type, excluded};
  if (has_sid) sid_names_[sid] = name;
  if (builtin_role || (type != "R" && !is_login_type(type))) return;
  // Every object's fields are put in name order: the text is then written as it goes.
  put(volatile_, c, r, {"create_date", "modify_date"}, As::kText);
  volatile_.put("principal_id", c.at(r, "principal_id"), As::kInt);
  if (type == "R") {
    volatile_.put("sid", sid_value, As::kHex);
    PendingRole role{name, "", id_of(c.at(r, "owning_principal_id")), excluded};
    volatile_.finish(role.volatile_fields);
    roles_.push_back(std::move(role));
    return;
  }
  auto& rec = start(Kind::kLogin, name);
  fields_.put_name("credential_name", name_by_id(credentials_, c.at(r, "credential_id")));
  put(fields_, c, r, {"default_database_name", "default_language_name"}, As::kText);
  fields_.put_bool("deny_connect_sql", connect_denied_.count(pid) > 0);
  fields_.put("is_disabled", c.at(r, "is_disabled"), As::kFlag);
  if (auto it = sql_logins_.find(pid); it != sql_logins_.end()) {
    fields_.put_raw("is_expiration_checked", it->second.is_expiration_checked, it->second.is_expiration_checked);
    fields_.put_raw("is_policy_checked", it->second.is_policy_checked, it->second.is_policy_checked);
    if (it->second.password_hash) rec.password_hash = Secret(std::move(*it->second.password_hash));
    sql_logins_.erase(it);
  } else {
    fields_.put_null("is_expiration_checked");
    fields_.put_null("is_policy_checked");
  }
  fields_.put("sid", sid_value, As::kHex);
  fields_.put_text("type", type);
  fields_.put("type_desc", c.at(r, "type_desc"), As::kText);
  emit(excluded);
}

void Assembler::sql_login(const Columns& c, const odbc::Row& r) {
  SqlLogin l;
  append_value_json(c.at(r, "is_policy_checked"), As::kFlag, false, l.is_policy_checked);
  append_value_json(c.at(r, "is_expiration_checked"), As::kFlag, false, l.is_expiration_checked);
  const auto& hash = c.at(r, "password_hash");
  if (odbc::as_bytes(hash) || odbc::as_text(hash)) l.password_hash = hex_text(hash);
  sql_logins_[id_of(c.at(r, "principal_id"))] = std::move(l);
}

void Assembler::member(const Columns& c, const odbc::Row& r) {
  const Principal* role = principal_by_id(c.at(r, "role_principal_id"));
  const Principal* m = principal_by_id(c.at(r, "member_principal_id"));
  if (!role || !m) return;
  append_key({role->name, m->name}, start(Kind::kServerRoleMember, "").key);
  fields_.put_text("member_name", m->name);
  fields_.put_text("member_type", m->type);
  fields_.put_text("role_name", role->name);
  emit(role->excluded || m->excluded);
}

void Assembler::permission(const Columns& c, const odbc::Row& r) {
  const Principal* grantee = principal_by_id(c.at(r, "grantee_principal_id"));
  if (!grantee) return;
  auto class_desc = text_or_empty(c.at(r, "class_desc"));
  auto permission = text_or_empty(c.at(r, "permission_name"));
  static const std::string kEmpty;
  const std::string* securable = &kEmpty;
  const std::string* securable_type = nullptr;
  bool securable_excluded = false;
  if (class_desc == "SERVER_PRINCIPAL") {
    const Principal* p = principal_by_id(c.at(r, "major_id"));
    securable = p ? &p->name : nullptr;
    securable_type = p ? &p->type : nullptr;
    securable_excluded = p && p->excluded;
  } else if (class_desc == "ENDPOINT") {
    securable = name_by_id(endpoints_, c.at(r, "major_id"));
  } else if (class_desc == "AVAILABILITY GROUP") {
    // major_id is the group's local replica_metadata_id (sys.availability_replicas).
    securable = name_by_id(availability_group_by_replica_, c.at(r, "major_id"));
  }
  // A securable that cannot be named is keyed by its id, so that two of them never share a key
  // (its replay then fails on the missing name instead of emitting an empty identifier).
  std::string unresolved;
  if (!securable && class_desc != "SERVER") unresolved = "#" + std::to_string(id_of(c.at(r, "major_id")));
  append_key({grantee->name, class_desc, securable ? *securable : unresolved, permission},
             start(Kind::kServerPermission, "").key);
  fields_.put_text("class_desc", class_desc);
  fields_.put_text("grantee", grantee->name);
  fields_.put_text("grantee_type", grantee->type);
  fields_.put_text("permission_name", permission);
  fields_.put_name("securable", securable);
  fields_.put_name("securable_type", securable_type);
  fields_.put_text("state", trim_right(text_or_empty(c.at(r, "state"))));
  fields_.put("state_desc", c.at(r, "state_desc"), As::kText);
  fields_.put_text("type", trim_right(text_or_empty(c.at(r, "type"))));
  const Principal* grantor = principal_by_id(c.at(r, "grantor_principal_id"));
  volatile_.put_name("grantor", grantor ? &grantor->name : nullptr);
  emit(grantee->excluded || securable_excluded);
}

void Assembler::server(const Columns& c, const odbc::Row& r) {
  auto id = id_of(c.at(r, "server_id"));
  auto name = text_or_empty(c.at(r, "name"));
  servers_[id] = name;
  if (id == 0) return;  // the local server
  // An old-style remote server (sp_addserver; is_linked = 0) serves remote procedure calls only:
  // it is not a linked server and is not replayed as one.
  // https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-servers-transact-sql
  if (as_int_json(c.at(r, "is_linked")) == 0) {
    remote_servers_.insert(id);
    return;
  }
  start(Kind::kLinkedServer, name);
  put(fields_, c, r, {"catalog", "collation_name", "data_source", "location", "product", "provider", "provider_string"},
      As::kText);
  put(fields_, c, r, {"connect_timeout", "query_timeout"}, As::kInt);
  put(fields_, c, r,
      {"is_collation_compatible", "is_data_access_enabled", "is_distributor", "is_linked", "is_nonsql_subscriber",
       "is_publisher", "is_remote_login_enabled", "is_remote_proc_transaction_promotion_enabled", "is_rpc_out_enabled",
       "is_subscriber", "is_system", "lazy_schema_validation", "uses_remote_collation"},
      As::kFlag);
  put(volatile_, c, r, {"modify_date"}, As::kText);
  put(volatile_, c, r, {"server_id"}, As::kInt);
  emit();
}

void Assembler::linked_login(const Columns& c, const odbc::Row& r) {
  auto sid = id_of(c.at(r, "server_id"));
  auto server = servers_.find(sid);
  if (sid == 0 || server == servers_.end() || remote_servers_.count(sid)) return;
  const auto& local_id = c.at(r, "local_principal_id");
  const std::string* local = nullptr;
  if (auto lid = as_int_json(local_id); lid.is_number_integer() && lid != 0) {  // 0 / NULL: the all-logins mapping
    const Principal* p = principal_by_id(local_id);
    if (p) local = &p->name;
  }
  append_key({server->second, local ? std::string_view(*local) : std::string_view()},
             start(Kind::kLinkedServerLogin, "").key);
  fields_.put_text("linked_server", server->second);
  fields_.put_name("local_login", local);
  fields_.put("remote_name", c.at(r, "remote_name"), As::kText);
  fields_.put("uses_self_credential", c.at(r, "uses_self_credential"), As::kFlag);
  volatile_.put("local_principal_id", local_id, As::kInt);
  volatile_.put("modify_date", c.at(r, "modify_date"), As::kText);
  emit();
}

void Assembler::operator_row(const Columns& c, const odbc::Row& r) {
  auto name = text_or_empty(c.at(r, "name"));
  operators_[id_of(c.at(r, "id"))] = name;
  start(Kind::kAgentOperator, name);
  fields_.put("enabled", c.at(r, "enabled"), As::kFlag);
  put(fields_, c, r, {"email_address", "pager_address", "netsend_address"}, As::kText);
  put(fields_, c, r,
      {"weekday_pager_start_time", "weekday_pager_end_time", "saturday_pager_start_time", "saturday_pager_end_time",
       "sunday_pager_start_time", "sunday_pager_end_time", "pager_days"},
      As::kInt);
  fields_.put_name("category_name", name_by_id(categories_, c.at(r, "category_id")));
  put(volatile_, c, r,
      {"id", "last_email_date", "last_email_time", "last_pager_date", "last_pager_time", "last_netsend_date",
       "last_netsend_time"},
      As::kInt);
  emit();
}

void Assembler::proxy(const Columns& c, const odbc::Row& r) {
  auto name = text_or_empty(c.at(r, "name"));
  const int64_t id = id_of(c.at(r, "proxy_id"));
  proxies_[id] = name;
  start(Kind::kAgentProxy, name);
  // Grants (sp_grant_login_to_proxy, sp_grant_proxy_to_subsystem): a step using the proxy needs
  // both, so they are part of its definition. Sorted arrays of names.
  auto grants = [&](std::unordered_map<int64_t, std::vector<NameJson>>& from, const char* field) {
    std::vector<std::pair<std::string, std::string>> pairs;
    if (auto it = from.find(id); it != from.end()) {
      for (auto& n : it->second) pairs.emplace_back(std::move(n.text), std::move(n.canonical));
      from.erase(it);
    }
    std::string text, canonical;
    name_array(pairs, text, canonical);
    fields_.put_raw(field, text, canonical);
  };
  fields_.put_name("credential_name", name_by_id(credentials_, c.at(r, "credential_id")));
  fields_.put("description", c.at(r, "description"), As::kText);
  fields_.put("enabled", c.at(r, "enabled"), As::kFlag);
  grants(proxy_principals_, "granted_logins");
  grants(proxy_subsystems_, "granted_subsystems");
  volatile_.put("credential_date_created", c.at(r, "credential_date_created"), As::kText);
  volatile_.put("proxy_id", c.at(r, "proxy_id"), As::kInt);
  volatile_.put("user_sid", c.at(r, "user_sid"), As::kHex);
  emit();
}

void Assembler::schedule(const Columns& c, const odbc::Row& r) {
  auto uid = guid_text(c.at(r, "schedule_uid"));
  schedule_uids_[id_of(c.at(r, "schedule_id"))] = uid;
  start(Kind::kAgentSchedule, uid);
  const auto& owner_sid = c.at(r, "owner_sid");
  auto sid = hex_text(owner_sid);
  bool has_sid = odbc::as_bytes(owner_sid) || odbc::as_text(owner_sid);
  // sp_add_schedule: "For weekly or monthly schedules, the Agent ignores if active_start_date is in
  // the past, and instead uses the current date" — a replayed copy can never keep a past start, so
  // for those a start no later than tomorrow (UTC, the slack covering the server's time zone) is
  // not compared: it is kept among the volatile fields as stored.
  // https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-add-schedule-transact-sql
  const auto freq_type = as_int_json(c.at(r, "freq_type"));
  const auto start_date = as_int_json(c.at(r, "active_start_date"));
  const bool weekly_or_monthly = freq_type == 8 || freq_type == 16 || freq_type == 32;
  const bool start_not_compared =
      weekly_or_monthly && start_date.is_number_integer() && start_date.get<int64_t>() <= tomorrow_yyyymmdd_;
  put(fields_, c, r, {"active_end_date", "active_end_time"}, As::kInt);
  if (start_not_compared) {
    fields_.put_null("active_start_date");
  } else {
    fields_.put("active_start_date", c.at(r, "active_start_date"), As::kInt);
  }
  fields_.put("active_start_time", c.at(r, "active_start_time"), As::kInt);
  fields_.put("enabled", c.at(r, "enabled"), As::kFlag);
  put(fields_, c, r,
      {"freq_interval", "freq_recurrence_factor", "freq_relative_interval", "freq_subday_interval", "freq_subday_type",
       "freq_type"},
      As::kInt);
  fields_.put("name", c.at(r, "name"), As::kText);
  fields_.put_name("owner_login_name", name_by_sid(has_sid ? &sid : nullptr));
  if (start_not_compared) volatile_.put("active_start_date", c.at(r, "active_start_date"), As::kInt);
  put(volatile_, c, r, {"date_created", "date_modified"}, As::kText);
  volatile_.put("originating_server_id", c.at(r, "originating_server_id"), As::kInt);
  volatile_.put("owner_sid", owner_sid, As::kHex);
  put(volatile_, c, r, {"schedule_id", "version_number"}, As::kInt);
  emit();
}

void Assembler::job(const Columns& c, const odbc::Row& r) {
  start(Kind::kAgentJob, text_or_empty(c.at(r, "name")));
  const auto& owner_sid = c.at(r, "owner_sid");
  auto sid = hex_text(owner_sid);
  bool has_sid = odbc::as_bytes(owner_sid) || odbc::as_text(owner_sid);
  fields_.put_name("category_name", name_by_id(categories_, c.at(r, "category_id")));
  put(fields_, c, r, {"delete_level"}, As::kInt);
  fields_.put("description", c.at(r, "description"), As::kText);
  fields_.put("enabled", c.at(r, "enabled"), As::kFlag);
  fields_.put_name("notify_email_operator_name", name_by_id(operators_, c.at(r, "notify_email_operator_id")));
  put(fields_, c, r, {"notify_level_email", "notify_level_eventlog", "notify_level_netsend", "notify_level_page"},
      As::kInt);
  fields_.put_name("notify_netsend_operator_name", name_by_id(operators_, c.at(r, "notify_netsend_operator_id")));
  fields_.put_name("notify_page_operator_name", name_by_id(operators_, c.at(r, "notify_page_operator_id")));
  fields_.put_name("owner_login_name", name_by_sid(has_sid ? &sid : nullptr));
  auto job_id = guid_text(c.at(r, "job_id"));
  bool from_msx = as_int_json(c.at(r, "originating_server_id")) != 0;  // downloaded from an MSX

  JobParts parts;
  if (auto it = job_parts_.find(job_id); it != job_parts_.end()) {
    parts = std::move(it->second);
    job_parts_.erase(it);
  }
  // Steps in step_id order (with their step_uids); attachments sorted by their text.
  std::stable_sort(parts.steps.begin(), parts.steps.end(),
                   [](const Step& a, const Step& b) { return a.step_id < b.step_id; });
  std::string steps = "[", steps_canonical = "[", uids = "[";
  for (size_t i = 0; i < parts.steps.size(); ++i) {
    if (i) {
      steps.push_back(',');
      steps_canonical.push_back(',');
      uids.push_back(',');
    }
    steps += parts.steps[i].text;
    const auto& st = parts.steps[i];
    steps_canonical += st.canonical.empty() ? st.text : st.canonical;
    uids += parts.steps[i].step_uid;
  }
  steps.push_back(']');
  steps_canonical.push_back(']');
  uids.push_back(']');
  auto as_pairs = [](std::vector<NameJson>& v) {
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(v.size());
    for (auto& n : v) out.emplace_back(std::move(n.text), std::move(n.canonical));
    return out;
  };
  std::string text, canonical;
  auto schedules = as_pairs(parts.schedules);
  name_array(schedules, text, canonical);
  fields_.put_raw("schedules", text, canonical);
  auto servers = as_pairs(parts.servers);
  name_array(servers, text, canonical);
  fields_.put_raw("servers", text, canonical);
  put(fields_, c, r, {"start_step_id"}, As::kInt);
  fields_.put_raw("steps", steps, steps_canonical);
  put(volatile_, c, r, {"date_created", "date_modified"}, As::kText);
  volatile_.put_text("job_id", job_id);
  volatile_.put("originating_server_id", c.at(r, "originating_server_id"), As::kInt);
  volatile_.put("owner_sid", owner_sid, As::kHex);
  volatile_.put_raw("step_uids", uids, uids);
  volatile_.put("version_number", c.at(r, "version_number"), As::kInt);
  emit(from_msx);
}

void Assembler::step(const Columns& c, const odbc::Row& r) {
  Step st;
  auto& t = step_text_;
  for (const auto& col : kStepColumns) {
    if (col.name == std::string_view("retry_attempts"))
      t.put_name("proxy_name", name_by_id(proxies_, c.at(r, "proxy_id")));
    t.put(col.name, c.at(r, col.name), col.as);
  }
  t.finish(st.text, &st.canonical);  // canonical stays "" when it is the text
  const auto& step_id = c.at(r, "step_id");
  int64_t n = 0;
  if (auto* i = odbc::as_int(step_id)) n = *i;
  else if (auto j = as_int_json(step_id); j.is_number_integer()) n = j.get<int64_t>();
  st.step_id = n;
  append_value_json(c.at(r, "step_uid"), As::kGuid, false, st.step_uid);
  job_parts_[guid_text(c.at(r, "job_id"))].steps.push_back(std::move(st));
}

}  // namespace understudy::catalog
