// validate.h — small helpers that check a parsed JSON document against the gate file format and
// name the JSON pointer (RFC 6901) of the first problem. Used by loader.cc and the check parsers.
// All errors are kDataErr with the message "<pointer>: <what>".
// Thread-safety: pure functions.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "catalog/object.h"

namespace understudy::gates::validate {

// "/checks/0" + "kinds" → "/checks/0/kinds" ('~' → "~0", '/' → "~1").
std::string child(const std::string& pointer, std::string_view key);
std::string child(const std::string& pointer, size_t index);

tl::unexpected<Error> problem(const std::string& pointer, const std::string& what, std::string hint = {});

// `value` is an object whose keys are all in `allowed` and which has every key of `required`.
[[nodiscard]] Status object(const nlohmann::json& value, const std::string& pointer,
                            std::initializer_list<std::string_view> allowed,
                            std::initializer_list<std::string_view> required);
// value[key] is a string (non-empty when `non_empty`).
[[nodiscard]] Result<std::string> string(const nlohmann::json& obj, std::string_view key,
                                         const std::string& pointer, bool non_empty = true);
// value[key] is an integer in [min, max].
[[nodiscard]] Result<int64_t> integer(const nlohmann::json& obj, std::string_view key, const std::string& pointer,
                                      int64_t min, int64_t max);
// value[key] is a non-empty array (of anything; elements are checked by the caller).
[[nodiscard]] Result<const nlohmann::json*> array(const nlohmann::json& obj, std::string_view key,
                                                  const std::string& pointer, bool non_empty = true);
// A kind name such as "login" at `pointer`.
[[nodiscard]] Result<catalog::Kind> kind(const nlohmann::json& value, const std::string& pointer);
// One of `allowed` at `pointer`.
[[nodiscard]] Result<std::string> one_of(const nlohmann::json& value, const std::string& pointer,
                                         const std::vector<std::string_view>& allowed, std::string_view what);

// "a, b, c"
std::string join(const std::vector<std::string_view>& items);
// The JSON type name for messages: "a string", "an object", …
std::string type_phrase(const nlohmann::json& value);

}  // namespace understudy::gates::validate
