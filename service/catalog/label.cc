#include "catalog/label.h"

namespace understudy::catalog {

std::string object_name(const ServerObject& o) {
  if (o.kind != Kind::kAgentSchedule) return "";
  auto it = o.fields.find("name");
  return it != o.fields.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string display_key(std::string_view key, std::string_view name) {
  if (name.empty()) return std::string(key);
  std::string out;
  out.reserve(name.size() + key.size() + 3);
  out.append(name).append(" (").append(key).append(")");
  return out;
}

}  // namespace understudy::catalog
