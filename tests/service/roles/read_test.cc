// roles::establish over TDS against the emulated cluster, for each mechanism it models: an
// availability group and a distributed AG (the Managed Instance link) — the local replica's row
// of sys.dm_hadr_availability_replica_states on each side — and a Managed Instance failover
// group — sys.dm_geo_replication_link_status read inside each user database. Before and after a
// failover: the home direction, then the reverse.
//   https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-hadr-availability-replica-states-transact-sql
//   https://learn.microsoft.com/azure/azure-sql/managed-instance/managed-instance-link-troubleshoot-how-to
//   https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-geo-replication-link-status-azure-sql-database
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "cluster/cluster.h"
#include "config/config.h"
#include "roles/read.h"

namespace understudy::roles {
namespace {

constexpr const char* kPasswordEnv = "UNDERSTUDY_ROLES_READ_TEST_PW";

struct Mechanism {
  const char* mechanism;
  int edition;
  std::string expected;  // Roles::mechanism
};

config::Config config_for(const emu::Cluster& c, int east_port, int west_port) {
  std::string toml = "store = \"unused.db\"\n";
  for (auto [name, port] : {std::pair{"east", east_port}, std::pair{"west", west_port}})
    toml += std::string("[instances.") + name + "]\nconnection = \"" + c.connection_string_without_password(port) +
            "\"\npassword_env = \"" + kPasswordEnv + "\"\nlogin_timeout = 3\n";
  toml += "[pairs.payments]\nprimary = \"east\"\nsecondary = \"west\"\n";
  auto cfg = config::load_from_string(toml, "read_test.toml");
  EXPECT_TRUE(cfg) << cfg.error().message;
  return *cfg;
}

TEST(EstablishRoles, FollowsEachMechanismThroughAFailover) {
  const std::string fx = std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/emulator/cluster/fixtures/";
  for (const Mechanism& m : {Mechanism{"availability_group", 3, "availability_group"},
                             Mechanism{"link", 8, "distributed_availability_group"},
                             Mechanism{"failover_group", 8, "failover_group"}}) {
    emu::ClusterOptions o;
    o.fixtures[0] = fx + "ha-primary.json";
    o.fixtures[1] = fx + "ha-secondary.json";
    o.mechanism = m.mechanism;
    o.engine_edition = m.edition;
    emu::Cluster cluster(o);
    setenv(kPasswordEnv, cluster.sa_password().c_str(), 1);
    auto cfg = config_for(cluster, cluster.port(0), cluster.port(1));
    const config::Pair& pair = **cfg.pair("payments");

    auto home = establish(cfg, pair);
    ASSERT_TRUE(home) << m.mechanism << ": " << home.error().message;
    EXPECT_EQ(home->primary, "east") << m.mechanism;
    EXPECT_TRUE(home->live) << m.mechanism;
    EXPECT_FALSE(home->reversed) << m.mechanism;
    EXPECT_EQ(home->mechanism, m.expected) << m.mechanism;

    ASSERT_EQ(cluster.failover("planned"), "") << m.mechanism;
    auto after = establish(cfg, pair);
    ASSERT_TRUE(after) << m.mechanism << ": " << after.error().message;
    EXPECT_EQ(after->primary, "west") << m.mechanism;
    EXPECT_EQ(after->secondary, "east") << m.mechanism;
    EXPECT_TRUE(after->reversed) << m.mechanism;

    // What each side said, in its own words.
    auto east = read_side(cfg, "east");
    ASSERT_FALSE(east.error) << m.mechanism << ": " << east.error->message;
    EXPECT_EQ(east.server_name, cluster.name(0));
    // A link's instances each also show their own member AG as PRIMARY: only the DAG row counts.
    int deciding = 0;
    for (const auto& g : east.groups) {
      if (g.mechanism != m.expected) continue;
      ++deciding;
      EXPECT_EQ(g.role, Role::kSecondary) << m.mechanism << " " << g.name;
    }
    EXPECT_GT(deciding, 0) << m.mechanism;
  }
}

// A pair configured over one instance twice is two sides that both report PRIMARY: refused.
TEST(EstablishRoles, TheSameInstanceTwiceIsSplitBrain) {
  emu::ClusterOptions o;
  o.mechanism = "availability_group";
  o.engine_edition = 3;
  emu::Cluster cluster(o);
  setenv(kPasswordEnv, cluster.sa_password().c_str(), 1);
  auto cfg = config_for(cluster, cluster.port(0), cluster.port(0));
  auto r = establish(cfg, **cfg.pair("payments"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kRolesUnknown);
  EXPECT_NE(r.error().message.find("both instances report PRIMARY: split brain"), std::string::npos) << r.error().message;
}

// An instance nobody listens on is what that side "said"; a side without any group is the
// configured direction (the emulator without an HA fixture shows none).
TEST(EstablishRoles, ADarkSideAndNoGroupKeepTheConfiguredDirection) {
  emu::TestServer plain(emu::TestServerOptions{});
  setenv(kPasswordEnv, plain.sa_password().c_str(), 1);
  std::string toml = "store = \"unused.db\"\n[instances.east]\nconnection = \"" + plain.connection_string_without_password() +
                     "\"\npassword_env = \"" + kPasswordEnv + "\"\nlogin_timeout = 3\n"
                     "[instances.west]\nconnection = \"DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=1;UID=sa;TDS_Version=7.4\"\n"
                     "password_env = \"" + kPasswordEnv + "\"\nlogin_timeout = 3\n"
                     "[pairs.payments]\nprimary = \"east\"\nsecondary = \"west\"\n";
  auto cfg = config::load_from_string(toml, "read_test.toml");
  ASSERT_TRUE(cfg) << cfg.error().message;
  auto r = establish(*cfg, **cfg->pair("payments"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->live);
  EXPECT_EQ(r->primary, "east");
  EXPECT_TRUE(r->primary_reachable);
  EXPECT_FALSE(r->secondary_reachable);
}

}  // namespace
}  // namespace understudy::roles
