#include "diff/fields.h"

#include <map>
#include <set>

#include "catalog/canonical.h"

namespace understudy::diff {

namespace {

const nlohmann::json kNull;

const nlohmann::json& member(const nlohmann::json& obj, const std::string& k) {
  if (!obj.is_object()) return kNull;
  auto it = obj.find(k);
  return it == obj.end() ? kNull : *it;
}

bool is_object_array(const nlohmann::json& v) {
  if (!v.is_array()) return false;
  for (const auto& e : v)
    if (!e.is_object()) return false;
  return true;
}

// Elements of an array of objects by their label: step_id when present, else the index.
std::map<int64_t, const nlohmann::json*> by_label(const nlohmann::json& arr) {
  std::map<int64_t, const nlohmann::json*> out;
  int64_t i = 0;
  for (const auto& e : arr) {
    auto it = e.find("step_id");
    int64_t label = (it != e.end() && it->is_number_integer()) ? it->get<int64_t>() : i;
    out[label] = &e;
    ++i;
  }
  return out;
}

void compare_objects(const std::string& prefix, const nlohmann::json& a, const nlohmann::json& b,
                     std::vector<FieldChange>& out);

void compare_value(const std::string& path, const std::string& field, const nlohmann::json& a,
                   const nlohmann::json& b, std::vector<FieldChange>& out) {
  if (is_object_array(a) && is_object_array(b) && !(a.empty() && b.empty())) {
    auto ma = by_label(a), mb = by_label(b);
    std::set<int64_t> labels;
    for (const auto& [k, v] : ma) labels.insert(k);
    for (const auto& [k, v] : mb) labels.insert(k);
    for (auto label : labels) {
      std::string p = path + "[" + std::to_string(label) + "]";
      auto ia = ma.find(label), ib = mb.find(label);
      if (ia == ma.end()) out.push_back({p, nullptr, *ib->second, false});
      else if (ib == mb.end()) out.push_back({p, *ia->second, nullptr, false});
      else compare_objects(p + ".", *ia->second, *ib->second, out);
    }
    return;
  }
  bool name = catalog::is_name_field(field);
  const nlohmann::json& ca = a;
  const nlohmann::json& cb = b;
  bool equal = name ? catalog::canonical_fields(nlohmann::json{{field, ca}}) == catalog::canonical_fields(nlohmann::json{{field, cb}})
                    : ca == cb;
  if (!equal) out.push_back({path, a, b, false});
}

void compare_objects(const std::string& prefix, const nlohmann::json& a, const nlohmann::json& b,
                     std::vector<FieldChange>& out) {
  std::set<std::string> keys;
  if (a.is_object())
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
  if (b.is_object())
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
  for (const auto& k : keys) {
    const auto& va = member(a, k);
    const auto& vb = member(b, k);
    if (va == vb) continue;
    compare_value(prefix + k, k, va, vb, out);
  }
}

}  // namespace

std::vector<FieldChange> field_changes(const nlohmann::json& before, const nlohmann::json& after) {
  std::vector<FieldChange> out;
  compare_objects("", before, after, out);
  return out;
}

}  // namespace understudy::diff
