// rows.h — reading one catalog result set by column name, and turning ODBC values into the
// object model's JSON types (internal to service/catalog).
//
// A missing column throws CatalogError (caught by read_objects and reported as kSql naming the
// result set): a server that answers with another shape must not produce a silently empty field.
// Thread-safety: plain values.
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "odbc/value.h"

namespace understudy::catalog {

struct CatalogError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Columns {
 public:
  Columns(std::string_view result_set, const std::vector<odbc::Column>& cols);
  // The value of column `name` in `row`. Throws CatalogError when the result set has no such column.
  const odbc::Value& at(const odbc::Row& row, std::string_view name) const;

 private:
  size_t index_of(std::string_view name) const;
  // Looked up once per cell of every row (millions at scale L): a direct-mapped cache on the
  // address of the name (the reader passes string literals), checked against the name itself so
  // that a reused address cannot answer for another column.
  struct Cached {
    const char* data = nullptr;
    size_t size = 0;
    size_t index = 0;
  };
  mutable std::array<Cached, 64> cache_{};
  std::vector<std::string> names_;
  // Looked up by string_view without building a std::string: once per cell of every row.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::string result_set_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
};

// JSON conversions (SQL NULL -> null in each):
nlohmann::json as_text_json(const odbc::Value& v);   // text; numbers are printed
nlohmann::json as_int_json(const odbc::Value& v);    // integers; numeric text is parsed
nlohmann::json as_flag_json(const odbc::Value& v);   // 0/1 -> false/true
nlohmann::json as_hex_json(const odbc::Value& v);    // varbinary -> "0x…" upper case
nlohmann::json as_guid_json(const odbc::Value& v);   // uniqueidentifier -> upper case text
std::string text_or_empty(const odbc::Value& v);
std::string guid_text(const odbc::Value& v);      // upper case; "" for NULL
std::string hex_text(const odbc::Value& v);       // as_hex_json as text; "" for NULL

}  // namespace understudy::catalog
