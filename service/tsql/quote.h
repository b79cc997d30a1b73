// quote.h — turns single values into T-SQL tokens: identifiers, N'' literals, 0x literals, GUIDs.
//
// Design invariant 3: service/tsql is the only place in Understudy that turns data into T-SQL
// text. Everything else hands values to these functions (or to the builders in sql.h / exec.h).
//
// Rules (docs/replay.md; QUOTENAME returns NULL for input over 128 characters,
// https://learn.microsoft.com/sql/t-sql/functions/quotename-transact-sql):
//   identifier  [name] with every ] doubled; 1..128 UTF-16 code units (sysname), valid UTF-8.
//               Unlike QUOTENAME, a name that is too long or empty is an error, never NULL.
//   string      N'text' with every ' doubled; any length, any Unicode (astral plane included).
//   binary      0x + upper-case hex; input "0x…" or bare hex, even digit count.
//   guid        N'XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX' (upper case), validated.
//   NULL        the keyword, for absent optional values.
// The text produced here is sent to SQL Server as UTF-16 (the ODBC layer converts from UTF-8), so
// characters such as U+02BC cannot turn into a quote on the way ("Unicode smuggling" needs an
// ANSI code-page conversion, which never happens on this path).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace understudy::tsql {

// sysname: nvarchar(128).
inline constexpr std::size_t kMaxIdentifierLength = 128;

// Number of UTF-16 code units of a UTF-8 string (what nvarchar lengths count), or an error when
// the string is not valid UTF-8.
[[nodiscard]] Result<std::size_t> utf16_length(std::string_view utf8);

// [name]. Errors (kDataErr): empty name, more than 128 UTF-16 code units, invalid UTF-8, a NUL.
[[nodiscard]] Result<std::string> quote_name(std::string_view name);

// N'text'. Infallible; the text is passed through byte for byte apart from doubling '.
std::string quote_string(std::string_view text);
// N'text' or NULL (the `nullable` helper for optional values).
std::string quote_nullable(const std::optional<std::string>& text);

// 0xABCD… from "0xabcd…" / "ABCD…". Errors (kDataErr): odd digit count, non-hex character,
// empty value ("0x" alone is allowed only when allow_empty).
[[nodiscard]] Result<std::string> binary_literal(std::string_view hex, bool allow_empty = false);

// N'8-4-4-4-12' (upper case) from a GUID with or without braces. Errors (kDataErr): malformed.
[[nodiscard]] Result<std::string> guid_literal(std::string_view guid);

// A permission or option phrase written as SQL Server spells it in catalog views ("VIEW SERVER
// STATE", "CONNECT SQL"): upper-case ASCII words separated by single spaces, returned as is.
// Errors (kDataErr): anything else — so a catalog value can never smuggle syntax into GRANT.
[[nodiscard]] Result<std::string> keyword_phrase(std::string_view phrase);

// A decimal integer literal.
std::string int_literal(int64_t value);

// Text that is safe inside a single-line `--` comment: control characters (CR, LF, TAB, …) are
// shown as \uXXXX, so a hostile name cannot end the comment and start a statement.
std::string comment_text(std::string_view text);

}  // namespace understudy::tsql
