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
  // A FreeTDS client-library message about the link (see link_lost_client_error), not a message
  // of the server: its native number is FreeTDS's own, never shown as "(SQL Server error N)".
  bool client_link_error = false;
};

// FreeTDS reports a lost link with its own client-library numbers (TDSE* in its tds.h) under the
// same "[FreeTDS][SQL Server]" prefix and SQLSTATE 01000 as server messages: 20002 connection
// failed, 20003 timeout, 20004 read failed, 20006 write failed, 20009 unable to connect, 20017
// unexpected EOF, 20056 connection closed. True for those numbers from the FreeTDS driver.
bool link_lost_client_error(int32_t native, std::string_view raw_message);

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
