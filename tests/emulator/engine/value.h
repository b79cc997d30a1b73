// value.h — SQL types and values shared by the emulator's wire layer (tds/) and engine (engine/).
//
// The engine holds its state in SQLite, so a Value is SQLite-shaped (NULL, integer, real, text,
// blob). The column's SqlType decides how the wire layer encodes it: a UNIQUEIDENTIFIER is carried
// as text "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" (upper case), a DATETIME as text
// "YYYY-MM-DD HH:MM:SS.fff", a DECIMAL as text or integer, a BIT as integer 0/1, text as UTF-8.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace emu {

enum class SqlTypeId : uint8_t {
  kBit, kTinyInt, kSmallInt, kInt, kBigInt, kFloat, kDecimal, kNumeric,
  kChar, kVarChar, kNChar, kNVarChar,
  kBinary, kVarBinary,
  kDateTime, kDateTime2, kDateTimeOffset,
  kUniqueIdentifier, kSqlVariant,
};

struct SqlType {
  SqlTypeId id = SqlTypeId::kNVarChar;
  int32_t length = 0;     // characters for (n)char/(n)varchar, bytes for (var)binary; -1 = MAX
  uint8_t precision = 0;  // decimal/numeric
  uint8_t scale = 0;      // decimal/numeric, datetime2/datetimeoffset

  static SqlType Int() { return {SqlTypeId::kInt}; }
  static SqlType BigInt() { return {SqlTypeId::kBigInt}; }
  static SqlType TinyInt() { return {SqlTypeId::kTinyInt}; }
  static SqlType SmallInt() { return {SqlTypeId::kSmallInt}; }
  static SqlType Bit() { return {SqlTypeId::kBit}; }
  static SqlType Float() { return {SqlTypeId::kFloat}; }
  static SqlType NVarChar(int32_t n) { return {SqlTypeId::kNVarChar, n}; }
  static SqlType VarChar(int32_t n) { return {SqlTypeId::kVarChar, n}; }
  static SqlType Char(int32_t n) { return {SqlTypeId::kChar, n}; }
  static SqlType NChar(int32_t n) { return {SqlTypeId::kNChar, n}; }
  static SqlType VarBinary(int32_t n) { return {SqlTypeId::kVarBinary, n}; }
  static SqlType Sysname() { return NVarChar(128); }
  static SqlType DateTime() { return {SqlTypeId::kDateTime}; }
  static SqlType Guid() { return {SqlTypeId::kUniqueIdentifier}; }
  static SqlType Variant() { return {SqlTypeId::kSqlVariant}; }
  static SqlType Decimal(uint8_t p, uint8_t s) { return {SqlTypeId::kDecimal, 0, p, s}; }

  bool operator==(const SqlType&) const = default;
};

// "nvarchar(128)", "varbinary(max)", "int", "decimal(25,0)" — for messages and fidelity tests.
std::string to_string(const SqlType& t);

struct ColumnInfo {
  std::string name;  // UTF-8; may be empty for unnamed expressions
  SqlType type;
  bool nullable = true;
};

struct Null {
  bool operator==(const Null&) const = default;
};
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

// NULL | integer | real | UTF-8 text | binary
using Value = std::variant<Null, int64_t, double, std::string, Blob>;

inline bool is_null(const Value& v) { return std::holds_alternative<Null>(v); }

using Row = std::vector<Value>;

}  // namespace emu
