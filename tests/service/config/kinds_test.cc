// config keeps its own list of kind names (it sits below catalog); this checks the two agree.
#include <gtest/gtest.h>

#include "catalog/object.h"
#include "config/config.h"

namespace understudy::config {
namespace {

TEST(Config, KindNamesMatchTheCatalog) {
  std::vector<std::string_view> catalog_names;
  for (auto k : catalog::kAllKinds)
    if (k != catalog::Kind::kInstance) catalog_names.push_back(catalog::kind_name(k));
  std::vector<std::string_view> ours = kind_names();
  std::sort(catalog_names.begin(), catalog_names.end());
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, catalog_names);
}

}  // namespace
}  // namespace understudy::config
