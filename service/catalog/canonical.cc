#include "catalog/canonical.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>


namespace understudy::catalog {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

nlohmann::json fold_value(const nlohmann::json& v) {
  if (v.is_string()) return fold_name(v.get_ref<const std::string&>());
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : v) out.push_back(fold_value(e));
    return out;
  }
  return v;
}

}  // namespace

bool is_name_field(std::string_view field) {
  // output_file_name is a path, not a name: it compares exactly.
  if (field == "output_file_name") return false;
  if (ends_with(field, "_name")) return true;
  static constexpr std::string_view kNames[] = {"name",     "grantee",  "securable", "linked_server",
                                                "local_login", "provider", "catalog", "servers",
                                                "schedules", "granted_logins", "granted_subsystems"};
  for (auto n : kNames)
    if (field == n) return true;
  return false;
}

nlohmann::json canonical_fields(const nlohmann::json& fields) {
  if (fields.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : fields) out.push_back(canonical_fields(e));
    return out;
  }
  if (!fields.is_object()) return fields;
  nlohmann::json out = nlohmann::json::object();
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const auto& v = it.value();
    if (is_name_field(it.key()) && (v.is_string() || v.is_array()))
      out[it.key()] = fold_value(v);
    else
      out[it.key()] = canonical_fields(v);
  }
  return out;
}

size_t kind_order(Kind k) { return static_cast<size_t>(k); }  // enumerators are in display order (kinds.def)

void sort_objects(std::vector<ServerObject>& objects) {
  std::vector<std::pair<std::pair<size_t, std::string>, size_t>> order;
  order.reserve(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) order.push_back({{kind_order(objects[i].kind), objects[i].match_key()}, i});
  std::sort(order.begin(), order.end());
  std::vector<ServerObject> sorted;
  sorted.reserve(objects.size());
  for (auto& entry : order) sorted.push_back(std::move(objects[entry.second]));
  objects = std::move(sorted);
}

namespace {

// JSON text exactly as nlohmann's dump(-1, ' ', false, replace) writes it, without building a
// serializer per value: snapshots of hundreds of thousands of objects spend most of their CPU
// here. Strings of printable ASCII without '"' or '\\' — nearly every catalog value —
// are copied as they are; anything else (escapes, UTF-8 to validate) goes to nlohmann itself, so
// the text, and therefore every fingerprint and content id, is unchanged.
void append_string(std::string_view v, bool fold, std::string& out) {
  bool plain = std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (!plain) {
    nlohmann::json j = fold ? fold_name(v) : std::string(v);
    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out.push_back('"');
  size_t start = out.size();
  out.append(v);
  if (fold)
    for (size_t i = start; i < out.size(); ++i)
      if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  out.push_back('"');
}

template <typename Int>
void append_int(Int v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// `canonical`: name fields are folded (is_name_field of the member's key; arrays of names too).
void append_value(const nlohmann::json& v, bool canonical, bool fold, std::string& out) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {  // std::map: keys already sorted
        if (!first) out.push_back(',');
        first = false;
        append_string(it.key(), false, out);
        out.push_back(':');
        append_value(it.value(), canonical, canonical && is_name_field(it.key()), out);
      }
      out.push_back('}');
      return;
    }
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        append_value(e, canonical, fold, out);
      }
      out.push_back(']');
      return;
    }
    case nlohmann::json::value_t::string: append_string(v.get_ref<const std::string&>(), fold, out); return;
    case nlohmann::json::value_t::null: out += "null"; return;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case nlohmann::json::value_t::number_integer: append_int(v.get<int64_t>(), out); return;
    case nlohmann::json::value_t::number_unsigned: append_int(v.get<uint64_t>(), out); return;
    default: out += v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); return;
  }
}

}  // namespace

void append_json_string(std::string_view v, bool fold, std::string& out) { append_string(v, fold, out); }

void append_canonical(const nlohmann::json& fields, std::string& out) { append_value(fields, true, false, out); }

void append_json_text(const nlohmann::json& v, std::string& out) { append_value(v, false, false, out); }

}  // namespace understudy::catalog
