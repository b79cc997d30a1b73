// convert.h — SQL Server's CAST/CONVERT value conversions for the executor.
//
// Used by the emu_convert SQLite function (CAST/CONVERT inside SELECT), by variable assignment
// (SET @v = …, DECLARE … = …, sp_executesql parameters) and by the row coercion that makes every
// value match its column's SqlType before it reaches the wire layer (value.h encodings: GUID upper
// case text, DATETIME "YYYY-MM-DD HH:MM:SS.fff", binary as Blob).
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "engine/api.h"
#include "engine/value.h"

namespace emu {

// Converts `v` (of type `from`) to `to` with CONVERT style `style` (0 = CAST). Returns false with
// SQL Server's error (245, 8114, 8169, 241, …) in *err.
bool convert_value(const Value& v, const SqlType& from, const SqlType& to, int style, Value* out, Message* err);

// Best-effort coercion of a SQLite value to the representation value.h promises for `t`
// (no errors: used on values the engine produced itself).
Value coerce_to_type(Value v, const SqlType& t);

bool is_string_type(const SqlType& t);
bool is_unicode_type(const SqlType& t);
bool is_binary_type(const SqlType& t);
bool is_integer_type(const SqlType& t);
bool is_numeric_type(const SqlType& t);  // integers, bit, float, decimal

std::string hex_upper(const std::string& bytes);
// Decodes hex digits (no 0x); false on odd length or a non-hex character.
bool hex_decode(const std::string& hex, std::string* out);
// Counts UTF-8 code points.
size_t utf8_length(const std::string& s);
// UTF-16 code units of UTF-8 text: what LEN and DATALENGTH/2 count for nvarchar under a collation
// without supplementary-character support (SQL Server's default, SQL_Latin1_General_CP1_CI_AS):
// a character outside the BMP counts 2
// (https://learn.microsoft.com/en-us/sql/t-sql/functions/len-transact-sql,
// https://learn.microsoft.com/en-us/sql/relational-databases/collations/collation-and-unicode-support).
size_t utf16_units(const std::string& s);
// First n code points of s.
std::string utf8_prefix(const std::string& s, size_t n);

// "int", "nvarchar(128)", … as SQL Server names its types in messages.
std::string type_name_for_message(const SqlType& t);

}  // namespace emu
