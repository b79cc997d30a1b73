// rights.cc — see rights.h.
#include "catalog/rights.h"

namespace understudy::catalog {

Result<Rights> read_rights(odbc::Connection& conn) {
  // https://learn.microsoft.com/sql/t-sql/functions/has-perms-by-name-transact-sql
  auto rs = conn.query(
      "SELECT CAST(IS_SRVROLEMEMBER('sysadmin') AS int) AS sysadmin, "
      "CAST(HAS_PERMS_BY_NAME(NULL, NULL, 'CONTROL SERVER') AS int) AS control_server, "
      "CAST(HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW SERVER STATE') AS int) AS view_server_state, "
      "CAST(HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW ANY DEFINITION') AS int) AS view_any_definition;");
  if (!rs) return tl::unexpected(rs.error());
  if (rs->rows.size() != 1 || rs->rows[0].size() != 4)
    return fail(ErrorCode::kSql, conn.label() + ": unexpected reply to the permission query");
  auto yes = [&](size_t i) {
    const int64_t* v = odbc::as_int(rs->rows[0][i]);
    return v && *v == 1;
  };
  return Rights{yes(0), yes(1), yes(2), yes(3)};
}

std::vector<std::string> missing_to_read(const Rights& r) {
  std::vector<std::string> out;
  if (!r.control_server) out.emplace_back("CONTROL SERVER");
  if (!r.control_server && !r.view_server_state) out.emplace_back("VIEW SERVER STATE");
  return out;
}

std::vector<std::string> missing_to_sync(const Rights& r) {
  std::vector<std::string> out;
  if (!r.sysadmin) out.emplace_back("membership in sysadmin");
  return out;
}

}  // namespace understudy::catalog
