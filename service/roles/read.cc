// read.cc — see read.h. Database names reach T-SQL only through service/tsql's quoting.
#include "roles/read.h"

#include <exception>
#include <future>

#include "config/config.h"
#include "config/secrets.h"
#include "odbc/connection.h"
#include "tsql/quote.h"

namespace understudy::roles {
namespace {

Result<odbc::Connection> connect_for_roles(const config::Config& cfg, const std::string& instance) {
  return config::connect(cfg, instance);
}

std::string text_value(const odbc::Value& v) {
  if (const auto* s = odbc::as_text(v)) return *s;
  if (const auto* i = odbc::as_int(v)) return std::to_string(*i);
  return "";
}

int64_t int_value(const odbc::Value& v) {
  if (const auto* i = odbc::as_int(v)) return *i;
  if (const auto* s = odbc::as_text(v)) {
    try {
      return std::stoll(*s);
    } catch (const std::exception&) {
    }
  }
  return 0;
}

Role role_from(const std::string& desc) {
  if (desc == "PRIMARY") return Role::kPrimary;
  if (desc == "SECONDARY") return Role::kSecondary;
  return Role::kResolving;  // RESOLVING, or NULL: not established
}

constexpr const char* kRolesSql =
    "SELECT @@SERVERNAME AS server_name, CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition;\n"
    "SELECT ag.name AS group_name, CAST(ag.is_distributed AS int) AS is_distributed, rs.role_desc\n"
    "FROM sys.availability_groups AS ag\n"
    "JOIN sys.dm_hadr_availability_replica_states AS rs ON rs.group_id = ag.group_id\n"
    "WHERE rs.is_local = 1 ORDER BY ag.name;\n"
    "SELECT ag.name AS group_name, ar.replica_server_name\n"
    "FROM sys.availability_groups AS ag\n"
    "JOIN sys.availability_replicas AS ar ON ar.group_id = ag.group_id ORDER BY ag.name, ar.replica_server_name;\n"
    "SELECT name FROM sys.databases WHERE database_id > 4 AND state_desc = N'ONLINE' ORDER BY name;\n";

Status read_into(odbc::Connection& conn, Side& side) {
  auto sets = conn.execute(kRolesSql);
  if (!sets) return tl::unexpected(sets.error());
  if (sets->size() < 4 || (*sets)[0].rows.size() != 1)
    return fail(ErrorCode::kSql, "unexpected reply to the HA role query");
  side.server_name = text_value((*sets)[0].rows[0][0]);
  const int64_t edition = int_value((*sets)[0].rows[0][1]);
  for (const auto& r : (*sets)[1].rows) {
    Group g;
    g.name = text_value(r[0]);
    g.mechanism = int_value(r[1]) == 1 ? kDistributedAg : kAvailabilityGroup;
    g.role = role_from(text_value(r[2]));
    // A distributed AG's replicas are its member AGs, not instances (sys.availability_replicas).
    if (g.mechanism == kAvailabilityGroup)
      for (const auto& m : (*sets)[2].rows)
        if (text_value(m[0]) == g.name) g.members.push_back(text_value(m[1]));
    side.groups.push_back(std::move(g));
  }
  std::vector<std::string> databases;
  for (const auto& r : (*sets)[3].rows) databases.push_back(text_value(r[0]));
  if ((edition != 5 && edition != 8) || databases.empty()) return {};
  std::string sql;
  for (const auto& db : databases) {
    auto q = tsql::quote_name(db);
    if (!q) return tl::unexpected(q.error());
    if (!sql.empty()) sql += "\nUNION ALL\n";
    sql += "SELECT " + tsql::quote_string(db) + " AS database_name, partner_server, partner_database, role_desc FROM " +
           *q + ".sys.dm_geo_replication_link_status";
  }
  auto rows = conn.query(sql);
  if (!rows) return tl::unexpected(rows.error());
  for (const auto& r : rows->rows) {
    Group g;
    g.mechanism = kFailoverGroup;
    g.database = text_value(r[0]);
    g.name = text_value(r[1]) + "." + text_value(r[2]);
    g.role = role_from(text_value(r[3]));
    g.members = {text_value(r[1])};
    side.groups.push_back(std::move(g));
  }
  return {};
}

}  // namespace

Side read_side(const config::Config& cfg, const std::string& instance) {
  Side side;
  side.instance = instance;
  try {
    auto conn = connect_for_roles(cfg, instance);
    if (!conn) {
      side.error = conn.error();
      return side;
    }
    if (auto st = read_into(*conn, side); !st) {
      side.error = st.error();
      side.groups.clear();
    }
  } catch (const std::exception& e) {
    side.error = Error(ErrorCode::kInternal, std::string("role read failed: ") + e.what());
    side.groups.clear();
  }
  return side;
}

Result<Roles> establish(const config::Config& cfg, const config::Pair& pair) {
  // Concurrently: a dark side costs its login timeout once, not on top of the other's read.
  auto other = std::async(std::launch::async, [&] { return read_side(cfg, pair.secondary); });
  Side home_primary = read_side(cfg, pair.primary);
  Side home_secondary = other.get();
  return decide(pair, home_primary, home_secondary);
}

}  // namespace understudy::roles
