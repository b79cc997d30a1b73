// model_linked.cc — linked servers, their options (sp_serveroption) and login mappings.
#include "engine/lexer.h"
#include "engine/state_model.h"

namespace emu::st {

namespace {

struct Option {
  const char* name;
  const char* column;
  bool integer;  // timeouts take an integer; others true/false/on/off
};
constexpr Option kOptions[] = {
    {"collation compatible", "is_collation_compatible", false},
    {"collation name", "collation_name", false},
    {"connect timeout", "connect_timeout", true},
    {"data access", "is_data_access_enabled", false},
    {"dist", "is_distributor", false},
    {"lazy schema validation", "lazy_schema_validation", false},
    {"pub", "is_publisher", false},
    {"query timeout", "query_timeout", true},
    {"rpc", "is_remote_login_enabled", false},
    {"rpc out", "is_rpc_out_enabled", false},
    {"sub", "is_subscriber", false},
    {"system", "is_system", false},
    {"use remote collation", "uses_remote_collation", false},
    {"remote proc transaction promotion", "is_remote_proc_transaction_promotion_enabled", false},
};

[[noreturn]] void bad_option(const std::string& option) {
  throw SqlError{15206, "Invalid Remote Server Option: '" + option + "'."};
}

[[noreturn]] void bad_value() {
  throw SqlError{15600, "An invalid parameter or option was specified for procedure 'sp_serveroption'."};
}

// One sys.servers row. The local server (row 0) differs from a new linked server in is_linked,
// rpc, rpc out and data access.
void insert_server_row(sqlite3* db, int64_t id, const std::string& name, const std::string& product,
                       const std::string& provider, const std::optional<std::string>& data_source,
                       const std::optional<std::string>& location, const std::optional<std::string>& provider_string,
                       const std::optional<std::string>& catalog, bool local) {
  exec(db,
       "INSERT INTO t_servers (server_id, name, product, provider, data_source, location, provider_string, "
       "\"catalog\", connect_timeout, query_timeout, is_linked, is_remote_login_enabled, is_rpc_out_enabled, "
       "is_data_access_enabled, is_collation_compatible, uses_remote_collation, collation_name, "
       "lazy_schema_validation, is_system, is_publisher, is_subscriber, is_distributor, is_nonsql_subscriber, "
       "is_remote_proc_transaction_promotion_enabled, modify_date, is_rda_server) VALUES "
       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 0, ?10, ?11, ?11, ?10, 0, 1, NULL, 0, 0, 0, 0, 0, 0, 1, ?9, 0)",
       {integer(id), text(name), text(product), text(provider), opt_text(data_source), opt_text(location),
        opt_text(provider_string), opt_text(catalog), text(now_text()), integer(local ? 0 : 1), integer(local ? 1 : 0)});
}

}  // namespace

void create_local_server(sqlite3* db, const std::string& name) {
  insert_server_row(db, 0, name, "SQL Server", "SQLOLEDB", name, std::nullopt, std::nullopt, std::nullopt, true);
}

int64_t create_remote_server(sqlite3* db, const std::string& name) {
  check_identifier_length(name);
  auto v = scalar(db, "SELECT coalesce(max(server_id), 0) + 1 FROM t_servers");
  const int64_t id = as_int(*v).value_or(1);
  // Flags as the local row: not linked (is_linked 0), RPC enabled, no data access.
  insert_server_row(db, id, name, "SQL Server", "SQLOLEDB", name, std::nullopt, std::nullopt, std::nullopt, true);
  return id;
}

std::optional<int64_t> find_server_id(sqlite3* db, const std::string& name) {
  auto v = scalar(db, "SELECT server_id FROM t_servers WHERE name = ?1", {text(name)});
  if (!v) return std::nullopt;
  return as_int(*v);
}

int64_t create_linked_server(sqlite3* db, const LinkedServerSpec& s, bool self_mapping) {
  check_identifier_length(s.name);
  if (find_server_id(db, s.name)) throw SqlError{15028, "The server '" + s.name + "' already exists."};
  auto v = scalar(db, "SELECT coalesce(max(server_id), 0) + 1 FROM t_servers");
  const int64_t id = as_int(*v).value_or(1);
  std::string provider = s.provider.empty() ? "SQLNCLI" : s.provider;
  if (iequals(provider, "SQLOLEDB")) provider = "SQLNCLI";  // persisted as SQLNCLI (sp_addlinkedserver doc)
  std::optional<std::string> data_source = s.data_source;
  if (!data_source && iequals(s.product, "SQL Server")) data_source = s.name;
  insert_server_row(db, id, s.name, s.product, provider, data_source, s.location, s.provider_string, s.catalog, false);
  if (self_mapping) set_linked_login(db, id, 0, true, std::nullopt, std::nullopt);
  return id;
}

void set_server_option(sqlite3* db, int64_t server_id, const std::string& option,
                       const std::optional<std::string>& value) {
  const Option* found = nullptr;
  for (const auto& o : kOptions) {
    if (iequals(option, o.name)) found = &o;
  }
  if (!found) bad_option(option);
  Value v = Null{};
  const std::string col = found->column;
  if (col == "collation_name") {
    if (value && !value->empty() && !iequals(*value, "null")) v = text(*value);
  } else if (found->integer) {
    if (!value) bad_value();
    auto n = as_int(text(*value));
    if (!n || *n < 0) bad_value();
    v = integer(*n);
  } else {
    if (!value) bad_value();
    if (iequals(*value, "true") || iequals(*value, "on")) v = integer(1);
    else if (iequals(*value, "false") || iequals(*value, "off")) v = integer(0);
    else bad_value();
  }
  exec(db, "UPDATE t_servers SET " + col + " = ?1, modify_date = ?2 WHERE server_id = ?3",
       {v, text(now_text()), integer(server_id)});
  // 'collation compatible' and 'collation name' exclude each other.
  if (col == "is_collation_compatible" && v == Value{int64_t{1}}) {
    exec(db, "UPDATE t_servers SET collation_name = NULL WHERE server_id = ?1", {integer(server_id)});
  } else if (col == "collation_name" && !is_null(v)) {
    exec(db, "UPDATE t_servers SET is_collation_compatible = 0 WHERE server_id = ?1", {integer(server_id)});
  }
}

void set_linked_login(sqlite3* db, int64_t server_id, int64_t local_principal_id, bool use_self,
                      const std::optional<std::string>& remote_user,
                      const std::optional<std::string>& remote_password) {
  exec(db,
       "INSERT INTO t_linked_logins (server_id, local_principal_id, uses_self_credential, remote_name, modify_date, "
       "remote_password) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (server_id, local_principal_id) DO UPDATE SET "
       "uses_self_credential = excluded.uses_self_credential, remote_name = excluded.remote_name, "
       "modify_date = excluded.modify_date, remote_password = excluded.remote_password",
       {integer(server_id), integer(local_principal_id), integer(use_self ? 1 : 0),
        use_self ? Value{Null{}} : opt_text(remote_user), text(now_text()),
        use_self ? Value{Null{}} : opt_text(remote_password)});
}

}  // namespace emu::st
