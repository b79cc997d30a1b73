// value.h — what comes back from (and goes into) an ODBC statement: values, rows, columns.
//
// A Value is one of null / int64 / double / text (UTF-8) / bytes. The fetch layer maps SQL types:
//   bit, tinyint, smallint, int, bigint, decimal/numeric with scale 0 and precision <= 18 -> int64
//   real, float                                                                         -> double
//   char/varchar/nchar/nvarchar(+max), other decimals, date/time types, uniqueidentifier,
//   sql_variant, xml and anything unknown                                               -> text
//   binary, varbinary(+max), timestamp/rowversion                                       -> bytes
// Dates come back as the driver prints them ("2024-01-31 12:00:00.000"); GUIDs as the driver
// prints them (FreeTDS: upper case with dashes).
// As parameters: null binds as NVARCHAR NULL, int64 as BIGINT, double as FLOAT, text as
// NVARCHAR (NVARCHAR(MAX) above 4000 UTF-16 units), bytes as VARBINARY (MAX above 8000 bytes).
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace understudy::odbc {

using Bytes = std::vector<uint8_t>;
using Value = std::variant<std::monostate, int64_t, double, std::string, Bytes>;
using Row = std::vector<Value>;

inline bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }
// Typed accessors: nullptr when the value is null or of another alternative.
inline const int64_t* as_int(const Value& v) { return std::get_if<int64_t>(&v); }
inline const double* as_double(const Value& v) { return std::get_if<double>(&v); }
inline const std::string* as_text(const Value& v) { return std::get_if<std::string>(&v); }
inline const Bytes* as_bytes(const Value& v) { return std::get_if<Bytes>(&v); }

// Convenience for parameters: odbc::text("x"), odbc::bytes({0x01}), odbc::null().
inline Value null() { return Value{}; }
inline Value text(std::string_view s) { return Value{std::string(s)}; }
inline Value bytes(Bytes b) { return Value{std::move(b)}; }

// Column metadata from SQLDescribeColW.
struct Column {
  std::string name;          // as the server names it ("" for an unnamed expression)
  int16_t sql_type = 0;      // SQL_INTEGER, SQL_WVARCHAR, SQL_VARBINARY, … (sqlext.h values)
  uint64_t size = 0;         // characters or bytes; 0 = unbounded (MAX, text, image, xml)
  int16_t decimal_digits = 0;
  bool nullable = true;      // true also when the driver does not know
};

// One result of a batch: either rows (columns non-empty) or the row count of a statement that
// returns none (columns empty; row_count = -1 when the driver does not know).
struct ResultSet {
  std::vector<Column> columns;
  std::vector<Row> rows;
  int64_t row_count = -1;

  // Index of the column named `name` (exact, case-sensitive), or nullopt.
  std::optional<size_t> index_of(std::string_view name) const;
};

// "0x0A1B" (upper-case hex, 0x prefix) — how SQL Server prints binary; used for SIDs and hashes.
std::string to_hex(const Bytes& b);

}  // namespace understudy::odbc
