// roles::decide — the direction of a run from what each instance of a pair said, as a table:
// every way the roles can be established, and every way they cannot (each refused with
// kRolesUnknown naming what both instances said).
#include <gtest/gtest.h>

#include "config/config.h"
#include "roles/roles.h"

namespace understudy::roles {
namespace {

config::Pair pair_of(std::string ha_group = "") {
  config::Pair p;
  p.name = "payments";
  p.primary = "east";
  p.secondary = "west";
  p.ha_group = std::move(ha_group);
  return p;
}

Group ag(Role r, std::vector<std::string> members = {"PAYMENTS-EAST", "PAYMENTS-WEST"}, std::string name = "ag_payments") {
  return {std::string(kAvailabilityGroup), std::move(name), r, std::move(members), ""};
}
Group dag(Role r, std::string name = "link_payments") { return {std::string(kDistributedAg), std::move(name), r, {}, ""}; }
Group geo(Role r, std::string db, std::string partner) {
  return {std::string(kFailoverGroup), partner + "." + db, r, {partner}, db};
}

Side east(std::vector<Group> g) { return {"east", std::nullopt, "PAYMENTS-EAST", std::move(g)}; }
Side west(std::vector<Group> g) { return {"west", std::nullopt, "PAYMENTS-WEST", std::move(g)}; }
Side dark(const char* instance) {
  return {instance, Error(ErrorCode::kUnavailable, "cannot connect to " + std::string(instance)), "", {}};
}

constexpr Role P = Role::kPrimary;
constexpr Role S = Role::kSecondary;
constexpr Role R = Role::kResolving;

struct Established {
  const char* name;
  Side a, b;
  std::string primary;
  bool live, reversed, primary_reachable, secondary_reachable;
  std::string mechanism;
};

TEST(Decide, EstablishedRoles) {
  const Established cases[] = {
      {"no group on either side: the configured direction", east({}), west({}), "east", false, false, true, true, ""},
      {"availability group, home direction", east({ag(P)}), west({ag(S)}), "east", true, false, true, true,
       "availability_group"},
      {"availability group after a failover: reversed", east({ag(S)}), west({ag(P)}), "west", true, true, true, true,
       "availability_group"},
      {"MI link: the distributed AG decides, not the member AG", east({ag(P, {"PAYMENTS-EAST"}, "ag_local"), dag(S)}),
       west({dag(P)}), "west", true, true, true, true, "distributed_availability_group"},
      {"failover group: every database agrees", east({geo(S, "payments", "PAYMENTS-WEST"), geo(S, "ledger", "PAYMENTS-WEST")}),
       west({geo(P, "payments", "PAYMENTS-EAST"), geo(P, "ledger", "PAYMENTS-EAST")}), "west", true, true, true, true,
       "failover_group"},
      {"failover group partner spelled with a domain", east({geo(P, "payments", "payments-west.zone.database.windows.net")}),
       west({geo(S, "payments", "PAYMENTS-EAST")}), "east", true, false, true, true, "failover_group"},
      {"forced failover, old primary dark: the new primary's word", dark("east"), west({ag(P)}), "west", true, true,
       true, false, "availability_group"},
      {"primary dark, the secondary says so itself", dark("east"), west({ag(S)}), "east", true, false, false, true,
       "availability_group"},
      {"secondary dark, no group: configured direction", east({}), dark("west"), "east", false, false, true, false, ""},
      {"ha_group picks the pair's AG among several", east({ag(P, {"PAYMENTS-EAST", "OTHER"}, "ag_other"), ag(S)}),
       west({ag(P)}), "west", true, true, true, true, "availability_group"},
  };
  for (const auto& c : cases) {
    auto p = pair_of(std::string(c.name).find("ha_group") == 0 ? "ag_payments" : "");
    auto r = decide(p, c.a, c.b);
    ASSERT_TRUE(r) << c.name << ": " << r.error().message;
    EXPECT_EQ(r->primary, c.primary) << c.name;
    EXPECT_EQ(r->secondary, c.primary == "east" ? "west" : "east") << c.name;
    EXPECT_EQ(r->live, c.live) << c.name;
    EXPECT_EQ(r->reversed, c.reversed) << c.name;
    EXPECT_EQ(r->primary_reachable, c.primary_reachable) << c.name;
    EXPECT_EQ(r->secondary_reachable, c.secondary_reachable) << c.name;
    EXPECT_EQ(r->mechanism, c.mechanism) << c.name;
  }
}

struct Refused {
  const char* name;
  Side a, b;
  std::string message;
};

TEST(Decide, RefusedWithWhatEachInstanceSaid) {
  const Refused cases[] = {
      {"split brain", east({ag(P)}), west({ag(P)}),
       "pair payments: the roles cannot be established (both instances report PRIMARY: split brain): east "
       "(PAYMENTS-EAST) reports PRIMARY of availability group ag_payments; west (PAYMENTS-WEST) reports PRIMARY of "
       "availability group ag_payments"},
      {"distributed AG between demote and promote", east({dag(S)}), west({dag(S)}),
       "pair payments: the roles cannot be established (both instances report SECONDARY: mid-failover, or the primary "
       "is another instance): east (PAYMENTS-EAST) reports SECONDARY of distributed availability group (MI link) "
       "link_payments; west (PAYMENTS-WEST) reports SECONDARY of distributed availability group (MI link) link_payments"},
      {"resolving", east({ag(R)}), west({ag(S)}),
       "pair payments: the roles cannot be established (an instance is RESOLVING its role): east (PAYMENTS-EAST) "
       "reports RESOLVING of availability group ag_payments; west (PAYMENTS-WEST) reports SECONDARY of availability "
       "group ag_payments"},
      {"neither answers", dark("east"), dark("west"),
       "pair payments: the roles cannot be established (neither instance answers): east is unreachable: cannot connect "
       "to east; west is unreachable: cannot connect to west"},
      {"the only answer is resolving", dark("east"), west({ag(R)}),
       "pair payments: the roles cannot be established (the only instance that answers is not PRIMARY or SECONDARY): "
       "east is unreachable: cannot connect to east; west (PAYMENTS-WEST) reports RESOLVING of availability group "
       "ag_payments"},
      {"the group names a third instance", east({ag(P, {"PAYMENTS-EAST", "PAYMENTS-NORTH"})}),
       west({ag(S, {"PAYMENTS-EAST", "PAYMENTS-NORTH"})}),
       "pair payments: the roles cannot be established (the HA group of east names PAYMENTS-EAST, PAYMENTS-NORTH, not "
       "PAYMENTS-WEST): east (PAYMENTS-EAST) reports PRIMARY of availability group ag_payments; west (PAYMENTS-WEST) "
       "reports SECONDARY of availability group ag_payments"},
      {"failover group partner is a third instance", east({geo(P, "payments", "PAYMENTS-NORTH")}),
       west({geo(S, "payments", "PAYMENTS-EAST")}),
       "pair payments: the roles cannot be established (the HA group of east names PAYMENTS-NORTH, not PAYMENTS-WEST): "
       "east (PAYMENTS-EAST) reports PRIMARY of failover group geo-replication links of 1 database; west "
       "(PAYMENTS-WEST) reports SECONDARY of failover group geo-replication links of 1 database"},
      {"failover group role switch still running",
       east({geo(P, "payments", "PAYMENTS-WEST"), geo(S, "ledger", "PAYMENTS-WEST")}),
       west({geo(S, "payments", "PAYMENTS-EAST"), geo(P, "ledger", "PAYMENTS-EAST")}),
       "pair payments: the roles cannot be established (a failover is in progress): east (PAYMENTS-EAST) reports mixed "
       "roles in failover group geo-replication links of 2 databases: payments PRIMARY, ledger SECONDARY; west "
       "(PAYMENTS-WEST) reports mixed roles in failover group geo-replication links of 2 databases: payments SECONDARY, "
       "ledger PRIMARY"},
      {"one-way link cutover: only one side still shows the link", east({dag(P)}), west({}),
       "pair payments: the roles cannot be established (only one instance shows the HA group): east (PAYMENTS-EAST) "
       "reports PRIMARY of distributed availability group (MI link) link_payments; west (PAYMENTS-WEST) shows no HA "
       "group"},
      {"cut off from the cluster: each lists only itself, both PRIMARY", east({ag(P, {"PAYMENTS-EAST"})}),
       west({ag(P, {"PAYMENTS-WEST"})}),
       "pair payments: the roles cannot be established (both instances report PRIMARY: split brain): east "
       "(PAYMENTS-EAST) reports PRIMARY of availability group ag_payments; west (PAYMENTS-WEST) reports PRIMARY of "
       "availability group ag_payments"},
      {"different groups", east({ag(P, {"PAYMENTS-EAST", "PAYMENTS-WEST"}, "ag_a")}),
       west({ag(S, {"PAYMENTS-EAST", "PAYMENTS-WEST"}, "ag_b")}),
       "pair payments: the roles cannot be established (the instances show different groups): east (PAYMENTS-EAST) "
       "reports PRIMARY of availability group ag_a; west (PAYMENTS-WEST) reports SECONDARY of availability group ag_b"},
  };
  for (const auto& c : cases) {
    auto r = decide(pair_of(), c.a, c.b);
    ASSERT_FALSE(r) << c.name << ": established " << r->describe();
    EXPECT_EQ(r.error().code, ErrorCode::kRolesUnknown) << c.name;
    EXPECT_EQ(r.error().message, c.message) << c.name;
    EXPECT_FALSE(r.error().hint.empty()) << c.name;
  }
}

TEST(Decide, DescribeSaysWhenTheDirectionIsReversed) {
  auto r = decide(pair_of(), east({ag(S)}), west({ag(P)}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->describe(),
            "roles read live (availability group ag_payments): primary west, secondary east; the reverse of the "
            "configured direction (east -> west)");
  EXPECT_EQ(r->to_json()["source"], "live");
  EXPECT_EQ(r->to_json()["reversed"], true);
  auto home = decide(pair_of(), east({}), west({}));
  ASSERT_TRUE(home);
  EXPECT_EQ(home->describe(), "no HA group visible: the configured direction, east -> west");
}

TEST(SameServer, CaseAndDomainInsensitive) {
  EXPECT_TRUE(same_server("PAYMENTS-WEST", "payments-west"));
  EXPECT_TRUE(same_server("payments-west.zone.database.windows.net", "PAYMENTS-WEST"));
  EXPECT_FALSE(same_server("PAYMENTS-WEST", "PAYMENTS-EAST"));
  EXPECT_FALSE(same_server("", "PAYMENTS-EAST"));
}

}  // namespace
}  // namespace understudy::roles
