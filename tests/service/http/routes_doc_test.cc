// docs/api.md documents exactly the routes the server registers (method, path, who).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "http/server.h"

namespace understudy::http {
namespace {

std::string who(Access a) {
  switch (a) {
    case Access::kOpen: return "open";
    case Access::kRunbook: return "runbook";
    case Access::kAuditor: return "auditor";
    case Access::kOperator: return "operator";
  }
  return "";
}

TEST(Routes, DocumentedRoutesEqualRegisteredRoutes) {
  std::ifstream f(std::string(UNDERSTUDY_SOURCE_DIR) + "/docs/api.md");
  std::stringstream ss;
  ss << f.rdbuf();
  std::set<std::string> documented;
  std::regex row(R"(^\| (GET|POST|PUT|DELETE|PATCH) \| `([^`]+)` \| (\w+) \|)");
  std::string line;
  while (std::getline(ss, line)) {
    std::smatch m;
    if (std::regex_search(line, m, row)) documented.insert(m[1].str() + " " + m[2].str() + " " + m[3].str());
  }
  std::set<std::string> registered;
  for (const auto& r : routes())
    registered.insert(std::string(r.method) + " " + std::string(r.pattern) + " " + who(r.access));
  EXPECT_EQ(documented, registered);
  EXPECT_EQ(registered.size(), routes().size()) << "duplicate route rows";
}

TEST(Routes, EveryV1RouteNeedsAToken) {
  for (const auto& r : routes()) {
    bool v1 = std::string_view(r.pattern).rfind("/v1/", 0) == 0;
    EXPECT_EQ(v1, r.access != Access::kOpen) << r.pattern;
    if (r.method != "GET") {
      EXPECT_EQ(r.access, Access::kOperator) << "mutating route " << r.pattern;
    }
  }
}

}  // namespace
}  // namespace understudy::http
