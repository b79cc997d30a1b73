// fuzz_http_target — HTTP request targets as `understudy serve` takes them apart
// (http/request_target.h): path segments (each percent-decoded on its own), query keys, the
// route match and the path-parameter check. Properties: no crash; a segment of the route's
// literal part never contains '/'; a parameter that passes valid_name() holds only the
// documented characters.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "http/request_target.h"
#include "http/server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string target(reinterpret_cast<const char*>(data), size);
  auto segs = understudy::http::path_segments(target);
  (void)understudy::http::query_keys(target);
  for (const auto& r : understudy::http::routes()) {
    std::map<std::string, std::string> params;
    if (!understudy::http::match_route(r.pattern, segs, &params)) continue;
    for (const auto& [k, v] : params) {
      if (!understudy::http::valid_name(v)) continue;
      for (char c : v)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
          std::fprintf(stderr, "fuzz_http_target: parameter %s = '%s' passed valid_name\n", k.c_str(), v.c_str());
          std::abort();
        }
    }
  }
  return 0;
}
