// diag.h — ODBC diagnostics -> understudy::Error (internal to service/odbc).
//
// Reads every diagnostic record of a handle (SQLGetDiagRecW), strips the driver's bracketed
// prefixes ("[FreeTDS][SQL Server]") and maps SQLSTATE / native number to an ErrorCode; the rules
// are in connection.h. Thread-safety: pure functions over a handle the caller owns.
#pragma once

#include <sql.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace understudy::odbc {

struct DiagRecord {
  std::string sqlstate;
  int32_t native = 0;
  std::string message;  // driver prefixes stripped
  bool driver_manager = false;  // raised by unixODBC itself ("[unixODBC][Driver Manager]…"), not the driver
};

enum class Phase { kConnect, kStatement, kTransaction };

std::vector<DiagRecord> read_diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle);
std::string strip_driver_prefix(std::string_view message);
ErrorCode classify(const DiagRecord& first, Phase phase);

// The Error for a failed call: code, "<label>: <messages>", hint, SQLSTATE and native number of
// the first record. `what` names the call when the driver left no record.
Error make_error(SQLSMALLINT handle_type, SQLHANDLE handle, std::string_view label, Phase phase,
                 std::string_view what);

// Informational messages (SQL_SUCCESS_WITH_INFO), prefixes stripped.
std::vector<std::string> read_messages(SQLSMALLINT handle_type, SQLHANDLE handle);

}  // namespace understudy::odbc
