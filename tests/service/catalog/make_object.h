// make_object.h — test helper shared by the diff and replay suites: a sealed ServerObject from a
// kind, a key, its compared fields and an optional password hash.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/secret.h"
#include "catalog/object.h"

namespace understudy::testing {

inline catalog::ServerObject make_object(catalog::Kind kind, std::string key, nlohmann::json fields,
                                         std::optional<std::string> hash = std::nullopt) {
  catalog::ServerObject o;
  o.kind = kind;
  o.key = std::move(key);
  o.fields = std::move(fields);
  if (hash) o.password_hash = Secret(*hash);
  o.seal();
  return o;
}

}  // namespace understudy::testing
