// sqlcmd.h — T-SQL for scripts that a DBA runs with sqlcmd.
//
// sqlcmd reads the script before SQL Server does: it substitutes $(name) anywhere (inside string
// literals and comments too), runs lines that start with ':' or '!!' as its own commands (:r,
// :!! runs a shell), ends a batch at a line holding GO — even inside a string literal — and, reading
// lines, takes a CR before a LF as part of the line ending (a name holding CR LF would arrive as
// LF). Data
// (a job command, a description, a hostile name) may contain any of these, so:
//   sqlcmd_batch()    renders a batch with secret slots as sqlcmd variables ($(US_SECRET_1),
//                     N'$(US_SECRET_1)'); when the batch's own text contains anything sqlcmd would
//                     act on or change (any CR included), the batch is sent as dynamic SQL instead:
//                       DECLARE @us_sql nvarchar(max) = CAST(N'' AS nvarchar(max)) + N'…' + NCHAR(36) + …;
//                       EXEC (@us_sql);
//                     with '$', CR and LF spelled NCHAR(36), NCHAR(13), NCHAR(10), so no line and
//                     no "$(" of the data reaches sqlcmd.
//   sqlcmd_comment()  text for a -- comment line: control characters escaped (comment_text) and
//                     "$(" broken up.
// A secret substituted by sqlcmd lands between quotes as is: a secret containing ' must be
// supplied with the quote doubled (docs/replay.md) — once, in both forms: in dynamic SQL the
// variable sits in a literal of the outer expression and REPLACE doubles its quotes again for
// the statement that EXEC runs.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "tsql/sql.h"

namespace understudy::tsql {

// True when sqlcmd would act on something in `text` ($(, :cmd, !!, GO lines).
bool sqlcmd_sensitive(std::string_view text);

std::string sqlcmd_batch(const Sql& batch, const std::map<SecretRef, std::string>& vars);

std::string sqlcmd_comment(std::string_view text);

}  // namespace understudy::tsql
