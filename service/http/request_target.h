// request_target.h — how `understudy serve` takes a request target apart: the path into
// segments, each percent-decoded on its own (an encoded '/' stays inside its segment and is then
// refused as a path parameter, docs/api.md), the route patterns' {name} segments, the
// path-parameter rule and the query string's keys. Split out of server.cc so the fuzz target
// (tests/fuzz/fuzz_http_target.cc) reaches the same code.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace understudy::http {

// "/a/b%2Fc?x=1" -> "", "a", "b/c": split at the literal '/' of the path, then decoded.
std::vector<std::string> path_segments(const std::string& target);
// Whether `segs` match `pattern` ("/v1/pairs/{pair}/drift"); fills the {name} parameters.
bool match_route(std::string_view pattern, const std::vector<std::string>& segs,
                 std::map<std::string, std::string>* params);
// A path parameter: letters, digits, '_', '.', '-', starting with a letter or digit, 1..128.
bool valid_name(const std::string& s);
// The decoded keys of the query string of a request target, in order (repeats kept).
std::vector<std::string> query_keys(const std::string& target);

}  // namespace understudy::http
