// The live reads of the cutover checks (cutover.h). Database names reach T-SQL only through
// service/tsql's quoting (design invariant 3).
#include <algorithm>
#include <exception>
#include <future>
#include <map>

#include "config/config.h"
#include "config/secrets.h"
#include "gates/check.h"
#include "gates/check_cutover.h"
#include "gates/cutover.h"
#include "gates/evaluate.h"
#include "odbc/connection.h"
#include "tsql/quote.h"

namespace understudy::gates {
namespace {

Result<odbc::Connection> connect_instance(const config::Config& cfg, const std::string& instance, int max_login_timeout) {
  auto in = cfg.instance(instance);
  if (!in) return tl::unexpected(in.error());
  auto password = config::instance_password(**in);
  if (!password) return tl::unexpected(password.error());
  int login_timeout = (*in)->login_timeout_seconds;
  if (max_login_timeout > 0 && (login_timeout <= 0 || login_timeout > max_login_timeout)) login_timeout = max_login_timeout;
  return odbc::Connection::connect({.connection_string = (*in)->connection,
                                    .password = std::move(*password),
                                    .label = instance,
                                    .login_timeout_seconds = login_timeout,
                                    .query_timeout_seconds = (*in)->query_timeout_seconds});
}

std::string text_of(const odbc::Value& v) {
  if (const auto* s = odbc::as_text(v)) return *s;
  if (const auto* i = odbc::as_int(v)) return std::to_string(*i);
  return "";
}

std::optional<int64_t> int_of(const odbc::Value& v) {
  if (const auto* i = odbc::as_int(v)) return *i;
  if (const auto* s = odbc::as_text(v)) {
    try {
      return std::stoll(*s);
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

std::string hex_of(const odbc::Value& v) {
  if (const auto* b = odbc::as_bytes(v)) return odbc::to_hex(*b);
  return "";
}

// The header every read starts with: who answered, its edition, its ONLINE user databases.
constexpr const char* kHeaderSql =
    "SELECT @@SERVERNAME AS server_name, CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition;\n"
    "SELECT name FROM sys.databases WHERE database_id > 4 AND state_desc = N'ONLINE' ORDER BY name;\n";

struct Header {
  std::string server_name;
  int64_t engine_edition = 0;
  std::vector<std::string> databases;
};

Result<Header> header_from(const std::vector<odbc::ResultSet>& sets) {
  if (sets.size() < 2 || sets[0].rows.size() != 1)
    return fail(ErrorCode::kSql, "unexpected reply to the server name and database list query");
  Header h;
  h.server_name = text_of(sets[0].rows[0][0]);
  h.engine_edition = int_of(sets[0].rows[0][1]).value_or(0);
  for (const auto& r : sets[1].rows) h.databases.push_back(text_of(r[0]));
  return h;
}

// "SELECT … FROM [db].<view> … UNION ALL …" with `select(db_literal, db_quoted)` per database.
template <typename F>
Result<std::string> union_over(const std::vector<std::string>& databases, F select) {
  std::string sql;
  for (const auto& db : databases) {
    auto q = tsql::quote_name(db);
    if (!q) return tl::unexpected(q.error());
    if (!sql.empty()) sql += "\nUNION ALL\n";
    sql += select(tsql::quote_string(db), *q);
  }
  return sql;
}

std::string geo_health(const std::string& state) {
  if (state == "CATCH_UP") return "HEALTHY";
  if (state == "SEEDING" || state == "PENDING") return "PARTIALLY_HEALTHY";
  return "NOT_HEALTHY";
}

bool is_managed(int64_t engine_edition) { return engine_edition == 5 || engine_edition == 8; }

// The failover-group link rows of `databases` (one UNION ALL, one round trip).
Result<odbc::ResultSet> read_geo_links(odbc::Connection& conn, const std::vector<std::string>& databases) {
  auto geo = union_over(databases, [](const std::string& lit, const std::string& q) {
    return "SELECT " + lit + " AS database_name, partner_server, partner_database, role_desc, replication_state_desc, "
           "replication_lag_sec FROM " + q +
           ".sys.dm_geo_replication_link_status";
  });
  if (!geo) return tl::unexpected(geo.error());
  return conn.query(*geo);
}

bool same_name(const std::string& a, const std::string& b) { return catalog::fold_name(a) == catalog::fold_name(b); }

// The primary's side of read_ha_state: its databases, and the lag its geo links report.
void read_primary_side(const config::Config& cfg, const std::string& primary, HaState& ha) {
  auto fail_with = [&](const Error& e) { ha.primary_error = e; };
  auto conn = connect_instance(cfg, primary, 5);
  if (!conn) return fail_with(conn.error());
  auto sets = conn->execute(kHeaderSql);
  if (!sets) return fail_with(sets.error());
  auto head = header_from(*sets);
  if (!head) return fail_with(head.error());
  ha.primary_instance = head->server_name;
  ha.primary_databases = head->databases;
  for (const auto& db : head->databases) {
    bool on_target = std::any_of(ha.databases.begin(), ha.databases.end(), [&](const std::string& t) { return same_name(t, db); });
    if (!on_target) ha.missing_on_target.push_back(db);
  }
  const bool any_geo = std::any_of(ha.replicas.begin(), ha.replicas.end(),
                                   [](const DatabaseReplica& d) { return d.mechanism == "failover_group" && !d.lag_seconds; });
  if (!any_geo || !is_managed(head->engine_edition) || head->databases.empty()) return;
  auto rows = read_geo_links(*conn, head->databases);
  if (!rows) return fail_with(rows.error());
  for (const auto& r : rows->rows) {
    if (text_of(r[3]) != "PRIMARY") continue;
    for (auto& d : ha.replicas) {
      // The primary's link to the target's database of the same name.
      if (d.mechanism != "failover_group" || d.lag_seconds || !same_name(d.database, text_of(r[2]))) continue;
      d.lag_seconds = int_of(r[5]);
      if (d.lag_seconds) d.lag_reported_by = "primary";
    }
  }
}

}  // namespace

Result<HaState> read_ha_state(const config::Config& cfg, const std::string& instance, const std::string& primary) {
  auto conn = connect_instance(cfg, instance, 0);
  if (!conn) return tl::unexpected(conn.error());
  std::string sql = std::string(kHeaderSql) +
                    "SELECT d.name AS database_name, ag.name AS group_name, CAST(ag.is_distributed AS int) AS is_distributed, "
                    "CAST(drs.is_primary_replica AS int) AS is_primary_replica, drs.synchronization_state_desc, "
                    "drs.synchronization_health_desc, drs.secondary_lag_seconds\n"
                    "FROM sys.dm_hadr_database_replica_states AS drs\n"
                    "JOIN sys.availability_groups AS ag ON ag.group_id = drs.group_id\n"
                    "JOIN sys.databases AS d ON d.database_id = drs.database_id\n"
                    "WHERE drs.is_local = 1 AND d.database_id > 4\n"
                    "ORDER BY d.name, ag.name;";
  auto sets = conn->execute(sql);
  if (!sets) return tl::unexpected(sets.error());
  auto head = header_from(*sets);
  if (!head) return tl::unexpected(head.error());
  if (sets->size() < 3) return fail(ErrorCode::kSql, "unexpected reply to the availability group query");
  HaState ha;
  ha.instance = head->server_name;
  ha.databases = head->databases;
  for (const auto& r : (*sets)[2].rows) {
    DatabaseReplica d;
    d.database = text_of(r[0]);
    d.group = text_of(r[1]);
    d.mechanism = int_of(r[2]).value_or(0) == 1 ? "distributed_availability_group" : "availability_group";
    auto primary = int_of(r[3]);
    d.role = !primary ? "" : *primary == 1 ? "PRIMARY" : "SECONDARY";
    d.state = text_of(r[4]);
    d.health = text_of(r[5]);
    d.lag_seconds = int_of(r[6]);
    if (d.lag_seconds) d.lag_reported_by = "target";
    ha.replicas.push_back(std::move(d));
  }
  // Failover groups: the link status is per user database (empty in master), and exists only on
  // Azure SQL (Managed Instance); one UNION ALL over the databases, one round trip. On the
  // secondary replication_lag_sec is NULL: read_primary_side fills it from the primary.
  if (is_managed(head->engine_edition) && !head->databases.empty()) {
    auto rows = read_geo_links(*conn, head->databases);
    if (!rows) return tl::unexpected(rows.error());
    for (const auto& r : rows->rows) {
      DatabaseReplica d;
      d.database = text_of(r[0]);
      d.mechanism = "failover_group";
      d.group = text_of(r[1]) + "." + text_of(r[2]);
      d.role = text_of(r[3]);
      d.state = text_of(r[4]);
      d.health = geo_health(d.state);
      d.lag_seconds = int_of(r[5]);
      if (d.lag_seconds) d.lag_reported_by = "target";
      ha.replicas.push_back(std::move(d));
    }
  }
  read_primary_side(cfg, primary, ha);
  for (const auto& db : ha.databases) {
    bool any = std::any_of(ha.replicas.begin(), ha.replicas.end(),
                           [&](const DatabaseReplica& d) { return catalog::fold_name(d.database) == catalog::fold_name(db); });
    if (!any) ha.replicas.push_back({db, "", "", "", "", "", std::nullopt, ""});
  }
  std::stable_sort(ha.replicas.begin(), ha.replicas.end(), [](const DatabaseReplica& a, const DatabaseReplica& b) {
    return catalog::fold_name(a.database) < catalog::fold_name(b.database);
  });
  return ha;
}

Result<DatabaseUsers> read_database_users(const config::Config& cfg, const std::string& instance) {
  auto conn = connect_instance(cfg, instance, 0);
  if (!conn) return tl::unexpected(conn.error());
  // A database whose local replica is an availability group secondary not readable by every
  // connection (secondary_role_allow_connections 0 NO / 1 READ_ONLY intent) answers error 976.
  // https://learn.microsoft.com/sql/database-engine/availability-groups/windows/active-secondaries-readable-secondary-replicas-always-on-availability-groups
  auto sets = conn->execute(std::string(kHeaderSql) +
                            "SELECT name, sid FROM sys.server_principals WHERE type IN ('S', 'U', 'G', 'E', 'X');\n"
                            "SELECT d.name FROM sys.dm_hadr_database_replica_states AS drs\n"
                            "JOIN sys.availability_replicas AS ar ON ar.replica_id = drs.replica_id\n"
                            "JOIN sys.databases AS d ON d.database_id = drs.database_id\n"
                            "WHERE drs.is_local = 1 AND drs.is_primary_replica = 0 AND d.database_id > 4\n"
                            "AND ar.secondary_role_allow_connections <> 2;");
  if (!sets) return tl::unexpected(sets.error());
  auto head = header_from(*sets);
  if (!head) return tl::unexpected(head.error());
  if (sets->size() < 4) return fail(ErrorCode::kSql, "unexpected reply to the login query");
  // Logins by name, matched in C++: comparing names across databases in T-SQL can raise a
  // collation conflict (error 468) when a user database's collation differs from master's.
  std::map<std::string, std::pair<std::string, std::string>> logins;  // folded name -> (name, sid)
  for (const auto& r : (*sets)[2].rows) logins[catalog::fold_name(text_of(r[0]))] = {text_of(r[0]), hex_of(r[1])};
  DatabaseUsers out;
  out.instance = head->server_name;
  for (const auto& r : (*sets)[3].rows) out.unreadable.push_back(text_of(r[0]));
  std::sort(out.unreadable.begin(), out.unreadable.end());
  for (const auto& db : head->databases) {
    bool unreadable = std::any_of(out.unreadable.begin(), out.unreadable.end(), [&](const std::string& u) { return same_name(u, db); });
    if (!unreadable) out.databases.push_back(db);
  }
  if (out.databases.empty()) return out;
  // Users mapped to a SQL login (authentication_type 1, INSTANCE) or a Windows login (3), whose
  // SID no login of the instance has (users map to logins by SID,
  // https://learn.microsoft.com/sql/sql-server/failover-clusters/troubleshoot-orphaned-users-sql-server);
  // dbo, guest and the system users excluded.
  auto sql = union_over(out.databases, [](const std::string& lit, const std::string& q) {
    return "SELECT " + lit + " AS database_name, dp.name AS user_name, dp.type_desc, dp.sid "
           "FROM " + q + ".sys.database_principals AS dp "
           "WHERE dp.type IN ('S', 'U') AND dp.authentication_type IN (1, 3) AND dp.principal_id > 4 "
           "AND dp.sid IS NOT NULL "
           "AND NOT EXISTS (SELECT 1 FROM sys.server_principals AS p WHERE p.sid = dp.sid)";
  });
  if (!sql) return tl::unexpected(sql.error());
  auto rows = conn->query(*sql);
  if (!rows) return tl::unexpected(rows.error());
  for (const auto& r : rows->rows) {
    OrphanedUser o{text_of(r[0]), text_of(r[1]), text_of(r[2]), hex_of(r[3]), "", ""};
    if (auto it = logins.find(catalog::fold_name(o.user)); it != logins.end()) {
      o.login = it->second.first;
      o.login_sid = it->second.second;
    }
    out.orphans.push_back(std::move(o));
  }
  std::sort(out.orphans.begin(), out.orphans.end(), [](const OrphanedUser& a, const OrphanedUser& b) {
    auto da = catalog::fold_name(a.database), db = catalog::fold_name(b.database);
    if (da != db) return da < db;
    return catalog::fold_name(a.user) < catalog::fold_name(b.user);
  });
  return out;
}

Result<std::string> probe_server_name(const config::Config& cfg, const std::string& instance) {
  auto conn = connect_instance(cfg, instance, 5);
  if (!conn) return tl::unexpected(conn.error());
  auto rs = conn->query("SELECT @@SERVERNAME AS server_name;");
  if (!rs) return tl::unexpected(rs.error());
  if (rs->rows.size() != 1) return fail(ErrorCode::kSql, instance + ": no reply to SELECT @@SERVERNAME");
  return text_of(rs->rows[0][0]);
}

namespace {

Result<ListenerLanding> read_listener(const config::Config& cfg, const config::Pair& pair, const std::string& which,
                                      const std::string& connection) {
  auto primary = cfg.instance(pair.primary);
  if (!primary) return tl::unexpected(primary.error());
  auto password = pair.listener_password.empty()
                      ? config::instance_password(**primary)
                      : config::resolve(pair.listener_password, "listener password of pair '" + pair.name + "'");
  if (!password) return tl::unexpected(password.error());
  auto conn = odbc::Connection::connect({.connection_string = connection,
                                         .password = std::move(*password),
                                         .label = which + " listener",
                                         .login_timeout_seconds = (*primary)->login_timeout_seconds,
                                         .query_timeout_seconds = (*primary)->query_timeout_seconds});
  if (!conn) return tl::unexpected(conn.error());
  auto sets = conn->execute(
      "SELECT @@SERVERNAME AS server_name, CAST(SERVERPROPERTY('ServerName') AS nvarchar(128)) AS property_name;\n"
      "SELECT name, CAST(DATABASEPROPERTYEX(name, 'Updateability') AS nvarchar(128)) AS updateability "
      "FROM sys.databases WHERE database_id > 4 AND state_desc = N'ONLINE' ORDER BY name;");
  if (!sets) return tl::unexpected(sets.error());
  if (sets->size() < 2 || (*sets)[0].rows.size() != 1)
    return fail(ErrorCode::kSql, which + " listener: unexpected reply to the landing query");
  ListenerLanding l;
  l.server_name = text_of((*sets)[0].rows[0][0]);
  l.server_property_name = text_of((*sets)[0].rows[0][1]);
  for (const auto& r : (*sets)[1].rows) l.updateability[text_of(r[0])] = text_of(r[1]);
  return l;
}

}  // namespace

Landing read_landing(const config::Config& cfg, const config::Pair& pair) {
  CutoverReads reads(cfg, pair, kNeedLanding);
  EvalInput in;
  reads.finish(in);
  return std::move(**in.landing);
}

namespace {

// Runs `f` on a thread of its own; an exception becomes the read's error.
template <typename T, typename F>
std::future<Result<T>> start_read(F f) {
  return std::async(std::launch::async, [f = std::move(f)]() -> Result<T> {
    try {
      return f();
    } catch (const std::exception& e) {
      return tl::unexpected(Error(ErrorCode::kInternal, std::string("read failed: ") + e.what()));
    }
  });
}

template <typename T>
void wait_for(std::optional<std::future<T>>& f) {
  if (f && f->valid()) f->wait();
}

}  // namespace

struct CutoverReads::Impl {
  unsigned needs = 0;
  std::optional<std::future<Result<HaState>>> ha;
  std::optional<std::future<Result<DatabaseUsers>>> users;
  std::optional<std::future<Result<ListenerLanding>>> read_write, read_only;
  std::optional<std::future<Result<std::string>>> primary, secondary;
};

CutoverReads::CutoverReads(const config::Config& cfg, const config::Pair& pair, unsigned needs)
    : impl_(std::make_unique<Impl>()) {
  Impl& r = *impl_;
  r.needs = needs;
  const config::Config* c = &cfg;
  const config::Pair* p = &pair;
  if (needs & kNeedReplication) r.ha = start_read<HaState>([c, p] { return read_ha_state(*c, p->secondary, p->primary); });
  if (needs & kNeedDatabaseUsers)
    r.users = start_read<DatabaseUsers>([c, p] { return read_database_users(*c, p->secondary); });
  if (needs & kNeedLanding) {
    if (!pair.read_write_listener.empty())
      r.read_write = start_read<ListenerLanding>([c, p] { return read_listener(*c, *p, "read-write", p->read_write_listener); });
    if (!pair.read_only_listener.empty())
      r.read_only = start_read<ListenerLanding>([c, p] { return read_listener(*c, *p, "read-only", p->read_only_listener); });
    r.secondary = start_read<std::string>([c, p] { return probe_server_name(*c, p->secondary); });
  }
  if (needs & (kNeedLanding | kNeedPrimaryProbe))
    r.primary = start_read<std::string>([c, p] { return probe_server_name(*c, p->primary); });
}

CutoverReads::~CutoverReads() {
  if (!impl_) return;
  wait_for(impl_->ha);
  wait_for(impl_->users);
  wait_for(impl_->read_write);
  wait_for(impl_->read_only);
  wait_for(impl_->primary);
  wait_for(impl_->secondary);
}

void CutoverReads::finish(EvalInput& in) {
  Impl& r = *impl_;
  if (r.ha) in.ha = r.ha->get();
  if (r.users) in.users = r.users->get();
  std::optional<Result<std::string>> primary;
  if (r.primary) primary = r.primary->get();
  if (r.needs & kNeedLanding) {
    Landing l;
    if (r.read_write) l.read_write = r.read_write->get();
    if (r.read_only) l.read_only = r.read_only->get();
    l.primary_server = *primary;
    l.secondary_server = r.secondary->get();
    in.landing = std::move(l);
  }
  if (r.needs & kNeedPrimaryProbe) in.primary_reachable = primary->has_value();
}

void gather_cutover(const config::Config& cfg, const config::Pair& pair, unsigned needs, EvalInput& in) {
  CutoverReads(cfg, pair, needs).finish(in);
}

}  // namespace understudy::gates

namespace understudy::gates {

// The batch runs one level down (sp_executesql), so that its compile errors and THROWs are caught
// by the wrapper's TRY like any other error; SET XACT_ABORT ON makes every error doom the
// transaction, which is then rolled back whatever happened. The last result set is the verdict.
std::string tsql_wrapper(const std::string& batch) {
  return "SET NOCOUNT ON;\n"
         "SET XACT_ABORT ON;\n"
         "DECLARE @us_error_number int = 0, @us_error_message nvarchar(4000) = NULL;\n"
         "BEGIN TRANSACTION;\n"
         "BEGIN TRY\n"
         "  EXEC sp_executesql " + tsql::quote_string(batch) + ";\n"
         "END TRY\n"
         "BEGIN CATCH\n"
         "  SELECT @us_error_number = ERROR_NUMBER(), @us_error_message = ERROR_MESSAGE();\n"
         "END CATCH;\n"
         "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;\n"
         "SELECT @@SERVERNAME AS server_name, @us_error_number AS error_number, @us_error_message AS error_message;";
}

void gather_tsql(const config::Config& cfg, const config::Pair& pair, const Gate& gate, EvalInput& in) {
  for (const auto& check : gate.checks) {
    const TsqlSpec* spec = tsql_spec(*check);
    if (spec == nullptr) continue;
    const std::string key = tsql_input_key(*spec);
    if (in.tsql.count(key)) continue;
    const std::string& instance = spec->on == "primary" ? pair.primary : pair.secondary;
    Result<TsqlRun> run = [&]() -> Result<TsqlRun> {
      try {
        auto conn = connect_instance(cfg, instance, 0);
        if (!conn) return tl::unexpected(conn.error());
        auto sets = conn->execute(tsql_wrapper(spec->batch));
        if (!sets) return tl::unexpected(sets.error());
        if (sets->empty() || sets->back().rows.size() != 1 || sets->back().rows[0].size() != 3)
          return fail(ErrorCode::kSql, instance + ": unexpected reply to the tsql check's batch");
        const auto& row = sets->back().rows[0];
        TsqlRun r;
        r.instance = text_of(row[0]);
        r.error_number = static_cast<int32_t>(int_of(row[1]).value_or(0));
        r.error_message = text_of(row[2]);
        return r;
      } catch (const std::exception& e) {
        return tl::unexpected(Error(ErrorCode::kInternal, std::string("read failed: ") + e.what()));
      }
    }();
    in.tsql.emplace(key, std::move(run));
  }
}

}  // namespace understudy::gates
