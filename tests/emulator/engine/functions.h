// functions.h — SQLite functions and the EMU_CI collation that the translated SQL uses
// (translate.h): CAST/CONVERT (emu_convert), LIKE with [] classes (emu_like), string and date
// functions with SQL Server semantics, and the state-backed ones (LOGINPROPERTY, SUSER_SNAME,
// SUSER_SID, SERVERPROPERTY, DATABASEPROPERTYEX, DB_NAME, DB_ID, IS_SRVROLEMEMBER).
//
// A function that fails raises a SQLite error whose text is "EMU<number>\x1f<message>";
// sqlite_error_to_message() turns it back into SQL Server's error.
// Thread-safety: registered once per connection; called under the instance lock. The state
// pointer must outlive the connection's use.
#pragma once

#include <string>

#include "engine/api.h"
#include "engine/value.h"

struct sqlite3;
struct sqlite3_value;

namespace emu {

class CatalogState;

// Registers every emu_* function and the EMU_CI collation on `db`. Returns false on failure.
bool register_functions(sqlite3* db, CatalogState* state, std::string* error);

// SQLite error text (from sqlite3_errmsg) → SQL Server message.
Message sqlite_error_to_message(const std::string& text);

Value value_from_sqlite(sqlite3_value* v);

}  // namespace emu
