// OpenVersions: the snapshot writer's table of the versions an instance held, by content id.
#include <gtest/gtest.h>

#include <array>

#include "store/open_versions.h"

namespace understudy::store {
namespace {

using Id = std::array<unsigned char, OpenVersions::kIdBytes>;

Id id(int n, unsigned char tail = 0) {
  Id out{};
  out[0] = static_cast<unsigned char>(n);  // the first 8 bytes pick the slot: many ids share one
  out[8] = static_cast<unsigned char>(n >> 8);
  out[9] = static_cast<unsigned char>(n >> 16);
  out[31] = tail;
  return out;
}

TEST(OpenVersions, EachVersionIsTakenOnceAndTheRestAreUnseenInIdOrder) {
  OpenVersions open;
  for (int n = 0; n < 1000; ++n) open.insert(id(n).data(), 100 + n);
  EXPECT_EQ(open.size(), 1000u);
  EXPECT_TRUE(open.take(id(0).data()));  // in order: at the cursor
  EXPECT_TRUE(open.take(id(7).data()));  // out of order: through the table
  EXPECT_FALSE(open.take(id(7).data())) << "taken already";
  EXPECT_FALSE(open.take(id(0).data())) << "taken already";
  EXPECT_FALSE(open.take(id(1000).data())) << "never held";
  for (int n = 10; n < 1000; ++n) EXPECT_TRUE(open.take(id(n).data())) << n;
  EXPECT_EQ(open.unseen(), (std::vector<int64_t>{101, 102, 103, 104, 105, 106, 108, 109}));
}

TEST(OpenVersions, AStreamInAnotherOrderFindsEveryVersion) {
  OpenVersions open;
  for (int n = 0; n < 300; ++n) open.insert(id(n).data(), 1 + n);
  for (int n = 299; n >= 0; --n) EXPECT_TRUE(open.take(id(n).data())) << n;
  EXPECT_TRUE(open.unseen().empty());
}

TEST(OpenVersions, IdsThatDifferOnlyAfterTheComparedPrefixAreOneEntry) {
  // 24 of 32 bytes are kept: a SHA-256 prefix of 192 bits does not collide. Documented limit.
  OpenVersions open;
  open.insert(id(1, 0).data(), 10);
  EXPECT_TRUE(open.take(id(1, 9).data()));
  EXPECT_TRUE(open.unseen().empty());
}

TEST(OpenVersions, EmptyTableHoldsNothing) {
  OpenVersions open;
  EXPECT_FALSE(open.take(id(1).data()));
  EXPECT_TRUE(open.unseen().empty());
}

}  // namespace
}  // namespace understudy::store
