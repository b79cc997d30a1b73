#include "gates/validate.h"

#include <algorithm>
#include <limits>

namespace understudy::gates::validate {

std::string child(const std::string& pointer, std::string_view key) {
  std::string out = pointer + "/";
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string child(const std::string& pointer, size_t index) { return pointer + "/" + std::to_string(index); }

tl::unexpected<Error> problem(const std::string& pointer, const std::string& what, std::string hint) {
  return fail(ErrorCode::kDataErr, (pointer.empty() ? std::string("/") : pointer) + ": " + what, std::move(hint));
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (auto s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string type_phrase(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::number_float: return "a number";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "an integer";
    default: return "an invalid value";
  }
}

Status object(const nlohmann::json& value, const std::string& pointer, std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> required) {
  if (!value.is_object()) return problem(pointer, "expected an object, found " + type_phrase(value));
  for (const auto& [k, v] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      return problem(child(pointer, k), "unknown property",
                     "allowed here: " + join(std::vector<std::string_view>(allowed)));
  }
  for (auto r : required) {
    if (!value.contains(std::string(r))) return problem(child(pointer, r), "required property missing");
  }
  return {};
}

Result<std::string> string(const nlohmann::json& obj, std::string_view key, const std::string& pointer,
                           bool non_empty) {
  const auto& v = obj.at(std::string(key));
  auto p = child(pointer, key);
  if (!v.is_string()) return problem(p, "expected a string, found " + type_phrase(v));
  auto s = v.get<std::string>();
  if (non_empty && s.empty()) return problem(p, "must not be empty");
  return s;
}

Result<int64_t> integer(const nlohmann::json& obj, std::string_view key, const std::string& pointer, int64_t min,
                        int64_t max) {
  const auto& v = obj.at(std::string(key));
  auto p = child(pointer, key);
  if (!v.is_number_integer()) return problem(p, "expected an integer, found " + type_phrase(v));
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return problem(p, "must be at most " + std::to_string(max));
  auto n = v.get<int64_t>();
  if (n < min) return problem(p, "must be at least " + std::to_string(min));
  if (n > max) return problem(p, "must be at most " + std::to_string(max));
  return n;
}

Result<const nlohmann::json*> array(const nlohmann::json& obj, std::string_view key, const std::string& pointer,
                                    bool non_empty) {
  const auto& v = obj.at(std::string(key));
  auto p = child(pointer, key);
  if (!v.is_array()) return problem(p, "expected an array, found " + type_phrase(v));
  if (non_empty && v.empty()) return problem(p, "must not be empty");
  return &v;
}

Result<catalog::Kind> kind(const nlohmann::json& value, const std::string& pointer) {
  if (!value.is_string()) return problem(pointer, "expected a kind name, found " + type_phrase(value));
  auto name = value.get<std::string>();
  auto k = catalog::kind_from_name(name);
  if (!k || *k == catalog::Kind::kInstance) {
    std::vector<std::string_view> names;
    for (auto kk : catalog::kAllKinds)
      if (kk != catalog::Kind::kInstance) names.push_back(catalog::kind_name(kk));
    return problem(pointer, "unknown kind \"" + name + "\"", "kinds: " + join(names));
  }
  return *k;
}

Result<std::string> one_of(const nlohmann::json& value, const std::string& pointer,
                           const std::vector<std::string_view>& allowed, std::string_view what) {
  if (!value.is_string())
    return problem(pointer, "expected " + std::string(what) + " name, found " + type_phrase(value));
  auto s = value.get<std::string>();
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
    return problem(pointer, "unknown " + std::string(what) + " \"" + s + "\"",
                   std::string(what) + "s: " + join(allowed));
  return s;
}

}  // namespace understudy::gates::validate
