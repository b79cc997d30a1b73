#include "http/problem.h"

namespace understudy::http {

namespace {
std::string title_for(const std::string& slug, int status) {
  std::size_t n = 0;
  const ErrorInfo* table = error_table(&n);
  for (std::size_t i = 0; i < n; ++i)
    if (table[i].slug == slug) return std::string(table[i].description);
  switch (status) {
    case 401: return "authentication required";
    case 403: return "forbidden";
    case 405: return "method not allowed";
    case 413: return "request body too large";
    default: return "request error";
  }
}
}  // namespace

Problem problem(int status, std::string slug, std::string detail, std::string parameter, std::string hint) {
  Problem p;
  p.status = status;
  p.slug = std::move(slug);
  p.detail = std::move(detail);
  p.parameter = std::move(parameter);
  p.hint = std::move(hint);
  return p;
}

Problem problem_from(const Error& e, std::string parameter) {
  const auto& info = error_info(e.code);
  return problem(info.http_status, std::string(info.slug), e.message, std::move(parameter), e.hint);
}

nlohmann::json to_json(const Problem& p, const std::string& instance_path) {
  nlohmann::json j;
  j["type"] = "urn:understudy:problem:" + p.slug;
  j["title"] = p.title.empty() ? title_for(p.slug, p.status) : p.title;
  j["status"] = p.status;
  j["detail"] = p.detail;
  j["instance"] = instance_path;
  if (!p.parameter.empty()) j["parameter"] = p.parameter;
  if (!p.hint.empty()) j["hint"] = p.hint;
  return j;
}

}  // namespace understudy::http
