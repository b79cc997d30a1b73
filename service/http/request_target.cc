#include "http/request_target.h"

#include <httplib.h>

#include <regex>

namespace understudy::http {

bool valid_name(const std::string& s) {
  static const std::regex re("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$");
  return std::regex_match(s, re);
}

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;  // "/a/b" -> "", "a", "b"
}

}  // namespace

// The request target's path split at its literal '/', each segment then percent-decoded: an
// encoded slash stays inside its segment, so "/v1/pairs/..%2Fx/drift" is the route with a {pair}
// of "../x" (400 naming pair), not another route (httplib's req.path is decoded whole).
std::vector<std::string> path_segments(const std::string& target) {
  auto segs = split_path(target.substr(0, target.find('?')));
  for (auto& s : segs) s = httplib::detail::decode_url(s, false);
  return segs;
}

bool match_route(std::string_view pattern, const std::vector<std::string>& segs,
                 std::map<std::string, std::string>* params) {
  auto pat = split_path(std::string(pattern));
  if (pat.size() != segs.size()) return false;
  std::map<std::string, std::string> p;
  for (size_t i = 0; i < pat.size(); ++i) {
    if (pat[i].size() > 2 && pat[i].front() == '{' && pat[i].back() == '}') {
      if (segs[i].empty()) return false;
      p[pat[i].substr(1, pat[i].size() - 2)] = segs[i];
    } else if (pat[i] != segs[i]) {
      return false;
    }
  }
  *params = std::move(p);
  return true;
}

// The (decoded) keys of the query string of the request target. Only the query string counts:
// httplib also merges form-encoded bodies into params (curl -d sends that type), which must not
// be mistaken for query parameters.
std::vector<std::string> query_keys(const std::string& target) {
  std::vector<std::string> keys;
  auto q = target.find('?');
  if (q == std::string::npos) return keys;
  std::string rest = target.substr(q + 1);
  size_t i = 0;
  while (i <= rest.size()) {
    size_t amp = rest.find('&', i);
    if (amp == std::string::npos) amp = rest.size();
    auto part = rest.substr(i, amp - i);
    if (!part.empty()) keys.push_back(httplib::detail::decode_url(part.substr(0, part.find('=')), true));
    i = amp + 1;
  }
  return keys;
}

}  // namespace understudy::http
