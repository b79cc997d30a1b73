// The cluster emulator's HA views as each side reports them, read over TDS through unixODBC +
// FreeTDS, through planned and forced failovers, an unreachable side, a returning old primary, a
// split brain and a removed group. The documentation each expectation follows is cited in
// cluster.cc / cluster_views.cc; the key sentences are repeated next to the assertions.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster.h"
#include "tds/odbc_client.h"
#include "tds/test_pki.h"

namespace {

using emu::Cluster;
using emu::ClusterOptions;
using emu::tds::testing::OdbcConnection;
using Rows = std::vector<std::vector<std::optional<std::string>>>;

const std::string kFixtureDir = std::string(UNDERSTUDY_SOURCE_DIR) + "/tests/emulator/cluster/fixtures/";

std::unique_ptr<Cluster> make_cluster(const std::string& mechanism, int edition) {
  ClusterOptions o;
  o.fixtures[0] = kFixtureDir + "ha-primary.json";
  o.fixtures[1] = kFixtureDir + "ha-secondary.json";
  o.names[0] = "EAST";
  o.names[1] = "WEST";
  o.mechanism = mechanism;
  o.engine_edition = edition;
  o.group = "payments-ag";
  return std::make_unique<Cluster>(o);
}

std::string cluster_cs(const Cluster& c, uint16_t port) {
  return "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=" + std::to_string(port) + ";UID=sa;PWD={" + c.sa_password() +
         "};TDS_Version=7.4;ClientCharset=UTF-8";
}

// Runs `sql` on the instance behind `port` and returns the first result set's rows.
Rows query(const Cluster& c, uint16_t port, const std::string& sql) {
  OdbcConnection conn;
  EXPECT_TRUE(conn.connect(cluster_cs(c, port))) << (conn.diags().empty() ? "" : conn.diags()[0].message);
  auto out = conn.exec(sql);
  EXPECT_TRUE(SQL_SUCCEEDED(out.rc)) << (out.diags.empty() ? sql : out.diags[0].message);
  return out.results.empty() ? Rows{} : out.results[0].rows;
}

bool reachable(const Cluster& c, uint16_t port) {
  OdbcConnection conn;
  return conn.connect(cluster_cs(c, port));
}

// Microsoft's role query (the link troubleshooting page; for a plain AG the same join with
// is_distributed = 0): the local replica's role_desc per group.
const char* kRoleSql =
    "SELECT ag.name, CAST(ag.is_distributed AS int), rs.role_desc FROM sys.availability_groups AS ag "
    "JOIN sys.dm_hadr_availability_replica_states AS rs ON rs.group_id = ag.group_id "
    "WHERE rs.is_local = 1 ORDER BY ag.name";
// The link health query, "run on the primary": on the secondary it returns no row.
const char* kRemoteSql =
    "SELECT ag.name, rs.role_desc, rs.connected_state_desc, rs.synchronization_health_desc "
    "FROM sys.availability_groups AS ag JOIN sys.dm_hadr_availability_replica_states AS rs "
    "ON rs.group_id = ag.group_id WHERE rs.is_local = 0";
const char* kGeoSql =
    "SELECT partner_server, role_desc, replication_state_desc, replication_lag_sec, "
    "CASE WHEN last_replication IS NULL THEN 'null' ELSE 'set' END FROM payments.sys.dm_geo_replication_link_status";
const char* kUpdateabilitySql = "SELECT CAST(DATABASEPROPERTYEX('payments', 'Updateability') AS nvarchar(20))";

std::string role_of(const Rows& rows, const std::string& group) {
  for (const auto& r : rows)
    if (r[0] == group) return r[2].value_or("NULL");
  return "(no row)";
}

TEST(ClusterViews, AvailabilityGroupPrimarySeesBothReplicasSecondaryOnlyItself) {
  auto c = make_cluster("availability_group", 3);
  // "When queried on a server instance that is hosting a secondary replica … returns only local information."
  EXPECT_EQ(query(*c, c->port(0), "SELECT COUNT(*) FROM sys.dm_hadr_availability_replica_states"), (Rows{{"2"}}));
  EXPECT_EQ(query(*c, c->port(1), "SELECT COUNT(*) FROM sys.dm_hadr_availability_replica_states"), (Rows{{"1"}}));
  EXPECT_EQ(role_of(query(*c, c->port(0), kRoleSql), "payments-ag"), "PRIMARY");
  EXPECT_EQ(role_of(query(*c, c->port(1), kRoleSql), "payments-ag"), "SECONDARY");
  EXPECT_EQ(query(*c, c->port(0), kRemoteSql), (Rows{{"payments-ag", "SECONDARY", "CONNECTED", "HEALTHY"}}));
  EXPECT_EQ(query(*c, c->port(1), kRemoteSql), Rows{});
  // sys.availability_replicas lists every replica on both sides, by instance name.
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(query(*c, c->port(i), "SELECT replica_server_name FROM sys.availability_replicas ORDER BY 1"),
              (Rows{{"EAST"}, {"WEST"}}));
  EXPECT_EQ(query(*c, c->port(0), kUpdateabilitySql), (Rows{{"READ_WRITE"}}));
  EXPECT_EQ(query(*c, c->port(1), kUpdateabilitySql), (Rows{{"READ_ONLY"}}));
  // The primary's database rows include the secondary's; the secondary shows its own only.
  EXPECT_EQ(query(*c, c->port(0), "SELECT COUNT(*) FROM sys.dm_hadr_database_replica_states WHERE is_local = 0"),
            (Rows{{"2"}}));
  EXPECT_EQ(query(*c, c->port(1), "SELECT COUNT(*) FROM sys.dm_hadr_database_replica_states WHERE is_local = 0"),
            (Rows{{"0"}}));
}

TEST(ClusterViews, LinkRoleIsOnTheDistributedGroupRowNotTheMemberGroup) {
  auto c = make_cluster("link", 8);
  // Each side is PRIMARY of its own member AG (the forwarder is the primary replica of the
  // secondary AG); only the DAG row (is_distributed = 1) tells the link role.
  EXPECT_EQ(query(*c, c->port(0), kRoleSql), (Rows{{"AG_EAST", "0", "PRIMARY"}, {"payments-ag", "1", "PRIMARY"}}));
  EXPECT_EQ(query(*c, c->port(1), kRoleSql), (Rows{{"AG_WEST", "0", "PRIMARY"}, {"payments-ag", "1", "SECONDARY"}}));
  // The DAG's replicas are named by member AG.
  EXPECT_EQ(query(*c, c->port(1),
                  "SELECT ar.replica_server_name FROM sys.availability_replicas AS ar JOIN sys.availability_groups AS ag "
                  "ON ag.group_id = ar.group_id WHERE ag.is_distributed = 1 ORDER BY 1"),
            (Rows{{"AG_EAST"}, {"AG_WEST"}}));
  // The health query returns a row on the primary only.
  EXPECT_EQ(query(*c, c->port(0), kRemoteSql), (Rows{{"payments-ag", "SECONDARY", "CONNECTED", "HEALTHY"}}));
  EXPECT_EQ(query(*c, c->port(1), kRemoteSql), Rows{});
}

TEST(ClusterViews, FailoverGroupLinkRowsOnBothSidesPrimaryOnlyColumns) {
  auto c = make_cluster("failover_group", 8);
  // One row per link in each geo-replicated database, on both sides; last_replication and
  // replication_lag_sec on the primary only; nothing in master.
  ASSERT_EQ(c->set_ha("payments", "SYNCHRONIZING", std::nullopt, 7), "");
  EXPECT_EQ(query(*c, c->port(0), kGeoSql), (Rows{{"WEST", "PRIMARY", "CATCH_UP", "7", "set"}}));
  EXPECT_EQ(query(*c, c->port(1), kGeoSql), (Rows{{"EAST", "SECONDARY", "CATCH_UP", std::nullopt, "null"}}));
  EXPECT_EQ(query(*c, c->port(0), "SELECT COUNT(*) FROM master.sys.dm_geo_replication_link_status"), (Rows{{"0"}}));
  // No AG rows for a failover group.
  EXPECT_EQ(query(*c, c->port(0), "SELECT COUNT(*) FROM sys.availability_groups"), (Rows{{"0"}}));
  EXPECT_THROW(make_cluster("failover_group", 3), std::runtime_error);  // MI only
}

TEST(ClusterTransitions, PlannedFailoverSwapsWhatEachSideReports) {
  auto c = make_cluster("availability_group", 3);
  ASSERT_EQ(c->set_ha("orders", "SYNCHRONIZING", std::nullopt, std::nullopt), "");
  EXPECT_NE(c->failover("planned"), "");  // refused: orders is not SYNCHRONIZED
  EXPECT_EQ(c->primary(), 0);
  ASSERT_EQ(c->set_ha("orders", "SYNCHRONIZED", std::nullopt, std::nullopt), "");
  ASSERT_EQ(c->failover("planned"), "");
  EXPECT_EQ(c->primary(), 1);
  EXPECT_EQ(role_of(query(*c, c->port(0), kRoleSql), "payments-ag"), "SECONDARY");
  EXPECT_EQ(role_of(query(*c, c->port(1), kRoleSql), "payments-ag"), "PRIMARY");
  EXPECT_EQ(query(*c, c->rw_port(), "SELECT @@SERVERNAME"), (Rows{{"WEST"}}));
  EXPECT_EQ(query(*c, c->ro_port(), "SELECT @@SERVERNAME"), (Rows{{"EAST"}}));
  EXPECT_EQ(query(*c, c->port(0), kUpdateabilitySql), (Rows{{"READ_ONLY"}}));
}

TEST(ClusterTransitions, StoppedPrimaryForcedFailoverThenAgOldPrimaryReturnsAsSecondary) {
  auto c = make_cluster("availability_group", 3);
  ASSERT_EQ(c->stop("EAST"), "");
  EXPECT_FALSE(reachable(*c, c->port(0)));
  EXPECT_FALSE(reachable(*c, c->rw_port()));  // the listener points at the dark primary
  EXPECT_NE(c->failover("planned"), "");       // a planned failover needs the primary
  ASSERT_EQ(c->failover("forced"), "");
  EXPECT_EQ(c->primary(), 1);
  EXPECT_EQ(query(*c, c->rw_port(), "SELECT @@SERVERNAME"), (Rows{{"WEST"}}));
  // The new primary sees its partner as a remote replica that is not connected: no role.
  EXPECT_EQ(query(*c, c->port(1), kRemoteSql), (Rows{{"payments-ag", std::nullopt, "DISCONNECTED", "NOT_HEALTHY"}}));
  // "After a forced failover, when the former primary replica comes online, it transitions to the secondary role."
  ASSERT_EQ(c->start("EAST"), "");
  EXPECT_EQ(role_of(query(*c, c->port(0), kRoleSql), "payments-ag"), "SECONDARY");
  EXPECT_EQ(c->primary(), 1);
  EXPECT_EQ(c->state()["databases"][0]["state"], "NOT_SYNCHRONIZING");  // suspended until resumed
  EXPECT_EQ(query(*c, c->port(0), kUpdateabilitySql), (Rows{{"READ_ONLY"}}));
}

TEST(ClusterTransitions, FailoverGroupOldPrimaryReconnectsAsSecondary) {
  auto c = make_cluster("failover_group", 8);
  ASSERT_EQ(c->stop("0"), "");
  ASSERT_EQ(c->failover("forced"), "");
  EXPECT_EQ(query(*c, c->port(1), kGeoSql).at(0).at(1), "PRIMARY");
  ASSERT_EQ(c->start("0"), "");
  EXPECT_EQ(query(*c, c->port(0), kGeoSql).at(0).at(1), "SECONDARY");
  EXPECT_EQ(c->state()["secondary"], "EAST");
}

TEST(ClusterTransitions, LinkOldPrimaryReturnsPrimaryUntilSetSecondary) {
  auto c = make_cluster("link", 8);
  ASSERT_EQ(c->stop("EAST"), "");
  ASSERT_EQ(c->failover("forced"), "");
  ASSERT_EQ(c->start("EAST"), "");
  // "If both sides return PRIMARY, the link is in split brain."
  EXPECT_EQ(role_of(query(*c, c->port(0), kRoleSql), "payments-ag"), "PRIMARY");
  EXPECT_EQ(role_of(query(*c, c->port(1), kRoleSql), "payments-ag"), "PRIMARY");
  EXPECT_EQ(c->primary(), -1);
  EXPECT_TRUE(c->state()["primary"].is_null());
  EXPECT_NE(c->failover("planned"), "");
  // Microsoft's fix: SET (ROLE = SECONDARY) on the old primary.
  ASSERT_EQ(c->set_role("EAST", "SECONDARY"), "");
  EXPECT_EQ(c->primary(), 1);
  EXPECT_EQ(role_of(query(*c, c->port(0), kRoleSql), "payments-ag"), "SECONDARY");
  EXPECT_EQ(query(*c, c->port(1), kRemoteSql).at(0).at(1), "SECONDARY");
}

TEST(ClusterTransitions, SplitBrainOnDemandBothReportPrimary) {
  for (const char* mech : {"availability_group", "failover_group"}) {
    auto c = make_cluster(mech, 8 - 5 * (std::string(mech) == "availability_group"));
    ASSERT_EQ(c->split_brain(), "");
    EXPECT_EQ(c->primary(), -1) << mech;
    EXPECT_FALSE(c->state()["connected"].get<bool>());
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(query(*c, c->port(i), kUpdateabilitySql), (Rows{{"READ_WRITE"}})) << mech;
      if (std::string(mech) == "failover_group") {
        EXPECT_EQ(query(*c, c->port(i), kGeoSql).at(0).at(1), "PRIMARY");
      } else {
        EXPECT_EQ(role_of(query(*c, c->port(i), kRoleSql), "payments-ag"), "PRIMARY");
        // Cut off from the cluster: only its own replica row.
        EXPECT_EQ(query(*c, c->port(i), "SELECT COUNT(*) FROM sys.availability_replicas"), (Rows{{"1"}}));
      }
    }
    EXPECT_NE(c->failover("forced"), "");  // ambiguous without to=
  }
}

TEST(ClusterTransitions, DagFailoverWindowBothSecondaryThenForcedToForwarder) {
  auto c = make_cluster("link", 8);
  ASSERT_EQ(c->set_role("EAST", "SECONDARY"), "");
  EXPECT_EQ(role_of(query(*c, c->port(0), kRoleSql), "payments-ag"), "SECONDARY");
  EXPECT_EQ(role_of(query(*c, c->port(1), kRoleSql), "payments-ag"), "SECONDARY");
  EXPECT_EQ(c->primary(), -1);
  EXPECT_NE(c->failover("forced"), "");
  ASSERT_EQ(c->failover("forced", "WEST"), "");
  EXPECT_EQ(c->primary(), 1);
  EXPECT_EQ(c->set_role("WEST", "PRIMARY"), "role must be SECONDARY or RESOLVING (a replica becomes PRIMARY by a failover)");
  EXPECT_NE(c->stop("NORTH"), "");
}

TEST(ClusterTransitions, RemovedGroupLeavesNoRowsAndBothReadWrite) {
  auto c = make_cluster("link", 8);
  ASSERT_EQ(c->failover("planned"), "");
  c->remove_group();  // MI link one-way cutover: the link and the DAG are dropped
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(query(*c, c->port(i), "SELECT COUNT(*) FROM sys.availability_groups"), (Rows{{"0"}}));
    EXPECT_EQ(query(*c, c->port(i), "SELECT COUNT(*) FROM sys.dm_hadr_availability_replica_states"), (Rows{{"0"}}));
    EXPECT_EQ(query(*c, c->port(i), kUpdateabilitySql), (Rows{{"READ_WRITE"}}));
  }
  EXPECT_TRUE(c->state()["instances"][0]["role"].is_null());
  EXPECT_NE(c->failover("planned"), "");
}

// The pair as production reaches it: both instances and both listeners hold the certificate and
// require encryption (tests/emulator/README.md, Encryption); FreeTDS verifies it against the CA.
TEST(ClusterTls, InstancesAndListenersRequireEncryption) {
  emu::tds::testing::install_freetds_conf();
  ClusterOptions o;
  o.fixtures[0] = kFixtureDir + "ha-primary.json";
  o.fixtures[1] = kFixtureDir + "ha-secondary.json";
  o.names[0] = "EAST";
  o.names[1] = "WEST";
  o.mechanism = "availability_group";
  o.engine_edition = 3;
  o.tls_cert = emu::tds::testing::test_pki().cert;
  o.tls_key = emu::tds::testing::test_pki().key;
  o.require_encryption = true;
  Cluster c(o);
  for (uint16_t port : {c.port(0), c.port(1), c.rw_port(), c.ro_port()}) {
    OdbcConnection verified;
    EXPECT_TRUE(verified.connect("DRIVER={FreeTDS};Servername=emu_verified;Port=" + std::to_string(port) +
                                 ";UID=sa;PWD={" + c.sa_password() + "};ClientCharset=UTF-8"))
        << port << ": " << ::testing::PrintToString(verified.diags());
    OdbcConnection plain;
    EXPECT_FALSE(plain.connect(cluster_cs(c, port) + ";Encryption=off")) << port;
  }
  EXPECT_EQ(c.server(0).stats().logins_tls.load() + c.server(1).stats().logins_tls.load(), 4u);
}

}  // namespace
