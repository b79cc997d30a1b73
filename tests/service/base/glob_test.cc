// The one name-pattern matcher shared by pair filters (config) and catalog include/exclude.
#include "base/glob.h"

#include <gtest/gtest.h>

namespace understudy {
namespace {

struct Case {
  const char* pattern;
  const char* name;
  bool match;
};

TEST(GlobMatch, Table) {
  const Case cases[] = {
      {"app_*", "app_settlement_svc", true},   {"APP_*", "app_ledger_svc", true},
      {"*_svc", "App_Ledger_SVC", true},       {"app_?edger_svc", "app_ledger_svc", true},
      {"app_?", "app_", false},                {"*", "", true},
      {"", "", true},                          {"", "x", false},
      {"Nightly *", "Nightly settlement", true}, {"Nightly *", "Ledger close", false},
      {"a*b*c", "aXXbYYc", true},              {"a*b*c", "aXXbYY", false},
      {"CONTOSO\\*", "contoso\\svc_batch", true}, {"we]ird*", "WE]IRD;--", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(glob_match(c.pattern, c.name), c.match) << c.pattern << " ~ " << c.name;
  }
}

}  // namespace
}  // namespace understudy
