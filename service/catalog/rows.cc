#include "catalog/rows.h"

#include <cctype>

namespace understudy::catalog {

Columns::Columns(std::string_view result_set, const std::vector<odbc::Column>& cols) : result_set_(result_set) {
  for (size_t i = 0; i < cols.size(); ++i) {
    index_.emplace(cols[i].name, i);
    names_.push_back(cols[i].name);
  }
}

size_t Columns::index_of(std::string_view name) const {
  auto& c = cache_[(reinterpret_cast<uintptr_t>(name.data()) >> 3) % cache_.size()];
  if (c.data == name.data() && c.size == name.size() && names_[c.index] == name) return c.index;
  auto it = index_.find(name);
  if (it == index_.end()) throw CatalogError("catalog: result set " + result_set_ + " has no column " + std::string(name));
  c = {name.data(), name.size(), it->second};
  return it->second;
}

const odbc::Value& Columns::at(const odbc::Row& row, std::string_view name) const {
  size_t i = index_of(name);
  if (i >= row.size())
    throw CatalogError("catalog: result set " + result_set_ + " has no column " + std::string(name));
  return row[i];
}

nlohmann::json as_text_json(const odbc::Value& v) {
  if (auto* s = odbc::as_text(v)) return *s;
  if (auto* i = odbc::as_int(v)) return std::to_string(*i);
  if (auto* b = odbc::as_bytes(v)) return odbc::to_hex(*b);
  if (auto* d = odbc::as_double(v)) return std::to_string(*d);
  return nullptr;
}

nlohmann::json as_int_json(const odbc::Value& v) {
  if (auto* i = odbc::as_int(v)) return *i;
  if (auto* s = odbc::as_text(v)) {
    try {
      size_t used = 0;
      long long n = std::stoll(*s, &used);
      if (used == s->size()) return n;
    } catch (const std::exception&) {
    }
    return *s;
  }
  if (auto* d = odbc::as_double(v)) return static_cast<int64_t>(*d);
  return nullptr;
}

nlohmann::json as_flag_json(const odbc::Value& v) {
  auto n = as_int_json(v);
  if (n.is_number_integer()) return n.get<int64_t>() != 0;
  return n;
}

nlohmann::json as_hex_json(const odbc::Value& v) {
  if (odbc::as_bytes(v) || odbc::as_text(v)) return hex_text(v);
  return nullptr;
}

std::string hex_text(const odbc::Value& v) {
  if (auto* b = odbc::as_bytes(v)) return odbc::to_hex(*b);
  if (auto* s = odbc::as_text(v)) {
    std::string out = *s;
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (out.rfind("0X", 0) == 0) out[1] = 'x';
    return out;
  }
  return "";
}

nlohmann::json as_guid_json(const odbc::Value& v) {
  if (auto* s = odbc::as_text(v)) {
    std::string out = *s;
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }
  return as_text_json(v);
}

std::string guid_text(const odbc::Value& v) {
  auto j = as_guid_json(v);
  return j.is_string() ? j.get<std::string>() : std::string();
}

std::string text_or_empty(const odbc::Value& v) {
  if (auto* s = odbc::as_text(v)) return *s;  // the common case, without a JSON value in between
  auto j = as_text_json(v);
  return j.is_string() ? j.get<std::string>() : std::string();
}

}  // namespace understudy::catalog
