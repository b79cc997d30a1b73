// replay::sync on the emulated HA pair (tests/emulator/cluster), through service/replay/sync.h:
// the roles a sync's step 0 was planned on must still hold when the sync starts. The callers
// (`understudy sync`, POST /v1/pairs/{pair}/sync) read the roles to decide that the jobs need
// activating (report/activation.h), then call sync, which reads them again: a failover in between
// is refused with kRolesUnknown, and nothing is written to either instance.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "../catalog/emu_util.h"
#include "cluster/cluster.h"
#include "config/config.h"
#include "replay/sync.h"
#include "store/store.h"

namespace understudy::replay {
namespace {

constexpr const char* kSyncRolesPasswordEnv = "UNDERSTUDY_SYNC_ROLES_TEST_PW";

TEST(SyncRoles, AFailoverBetweenTheCallersRolesAndTheSyncIsRefused) {
  understudy::testing::TempDir dir;
  emu::ClusterOptions o;
  o.fixtures[0] = std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/fixtures/payments-primary.json";
  o.fixtures[1] = std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/fixtures/empty-secondary.json";
  o.names[0] = "PAYMENTS-EAST";
  o.names[1] = "PAYMENTS-WEST";
  o.mechanism = "availability_group";
  o.engine_edition = 3;
  emu::Cluster cluster(o);
  setenv(kSyncRolesPasswordEnv, cluster.sa_password().c_str(), 1);
  std::string toml = "store = \"" + dir.file("understudy.db") + "\"\n";
  for (int i = 0; i < 2; ++i)
    toml += std::string("[instances.") + (i == 0 ? "east" : "west") + "]\nconnection = \"" +
            cluster.connection_string_without_password(cluster.port(i)) + "\"\npassword_env = \"" +
            kSyncRolesPasswordEnv + "\"\nlogin_timeout = 3\n";
  toml += "[pairs.payments]\nprimary = \"east\"\nsecondary = \"west\"\n";
  auto cfg = config::load_from_string(toml, "sync_roles_test.toml");
  ASSERT_TRUE(cfg) << cfg.error().message;
  auto st = store::Store::open(dir.file("understudy.db"));
  ASSERT_TRUE(st) << st.error().message;

  // The caller saw east as primary and found the jobs due on it; then the roles swapped.
  SyncRequest req;
  req.pair = "payments";
  req.apply = true;
  req.live_source = true;
  req.activation = ActivationRequest{LiveDirection{"east", "west", false, "east primary (read before the failover)"},
                                     store::SnapshotInfo{}};
  ASSERT_EQ(cluster.failover("planned"), "");
  const uint64_t writes[2] = {cluster.server(0).stats().writes.load(), cluster.server(1).stats().writes.load()};

  auto r = sync(*cfg, **st, req);
  ASSERT_FALSE(r) << "a sync ran on roles that changed under it";
  EXPECT_EQ(r.error().code, ErrorCode::kRolesUnknown);
  EXPECT_NE(r.error().message.find("pair payments: the roles changed while the sync started (east primary (read "
                                   "before the failover), then roles read live (availability group"),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().hint.find("nothing was written"), std::string::npos) << r.error().hint;
  EXPECT_EQ(cluster.server(0).stats().writes.load(), writes[0]);
  EXPECT_EQ(cluster.server(1).stats().writes.load(), writes[1]);

  // The pair's lock went with the refused run: the next sync (the roles as they are now) runs.
  req.activation.reset();
  req.apply = false;
  auto plan = sync(*cfg, **st, req);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->plan.source, "west");
  EXPECT_TRUE(plan->plan.reversed);
}

}  // namespace
}  // namespace understudy::replay
