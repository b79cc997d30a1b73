// roles.h — who holds the primary role of a pair right now: the pure decision.
//
// A pair names two instances; its configuration (`primary`, `secondary`) is only the *home*
// direction. Before anything is written, and before anything is compared, the instances are
// asked which of them is primary (read.h gathers what each says into a Side) and decide() turns
// the two answers into the run's direction, or refuses:
//
//   - both answer, neither shows an HA group            → the configured (home) direction;
//   - both show the pair's group, one PRIMARY, one SECONDARY → that direction (reversed when the
//     live primary is the configured secondary);
//   - one is dark, the other says PRIMARY or SECONDARY  → the answering side's word decides
//     (the dark one holds the other role); the dark side is marked unreachable;
//   - one is dark, the other shows no group             → the configured direction;
//   - everything else is ErrorCode::kRolesUnknown, naming what each instance said: neither
//     answers; both PRIMARY (split brain: a forced failover whose old primary came back, or a
//     partition); both SECONDARY (a distributed AG / MI link between its demote and promote
//     steps); RESOLVING (quorum lost, lease expired, failover in progress); the databases of a
//     failover group disagree (the role switch still running); one side shows a group the other
//     does not; the two sides show different groups; the group names a third instance.
//
// Which group counts (per side): the pair's `ha_group` when configured (by name, AG/DAG only);
// else a distributed AG (the MI link) before a plain AG — a link's member AG says nothing of the
// link's direction — and a plain AG before failover-group links. Several groups of the chosen
// kind must all report the same role.
//
// Microsoft's documentation behind each reading (read.h has the queries):
//   AG / DAG role: sys.dm_hadr_availability_replica_states, the row with is_local = 1 — a
//     secondary sees only its own row; role 0 RESOLVING, 1 PRIMARY, 2 SECONDARY
//     https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-hadr-availability-replica-states-transact-sql
//   AG members: sys.availability_replicas.replica_server_name (for a distributed AG the member
//     AG names, not instances, so no membership check there)
//     https://learn.microsoft.com/sql/relational-databases/system-catalog-views/sys-availability-replicas-transact-sql
//   MI link role, both sides, and "both PRIMARY is split brain": the link troubleshooting page
//     https://learn.microsoft.com/azure/azure-sql/managed-instance/managed-instance-link-troubleshoot-how-to
//   Failover group: sys.dm_geo_replication_link_status.role_desc, per user database (empty in
//     master), partner_server names the other side
//     https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-geo-replication-link-status-azure-sql-database
//
// Thread-safety: plain values and a pure function. Ownership: values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace understudy::config {
struct Pair;
}

namespace understudy::roles {

enum class Role { kPrimary, kSecondary, kResolving };
std::string_view role_name(Role r);  // PRIMARY | SECONDARY | RESOLVING

// Mechanism names, as they appear in output and docs.
inline constexpr std::string_view kAvailabilityGroup = "availability_group";
inline constexpr std::string_view kDistributedAg = "distributed_availability_group";  // also the MI link
inline constexpr std::string_view kFailoverGroup = "failover_group";

// One HA group (or, for a failover group, one database's geo-replication link) an instance shows.
struct Group {
  std::string mechanism;             // one of the three names above
  std::string name;                  // AG / DAG name; failover group: "partner_server.partner_database"
  Role role = Role::kResolving;      // the local replica's role as the instance reports it
  std::vector<std::string> members;  // server names it names: AG replicas, the geo link's partner; empty = not shown
  std::string database;              // failover group: the local database of this link
};

// What one instance said.
struct Side {
  std::string instance;        // the configured instance name
  std::optional<Error> error;  // set when it could not be asked (unreachable, login or query failed)
  std::string server_name;     // @@SERVERNAME
  std::vector<Group> groups;   // every group it shows; empty = no HA group visible
};

// The direction of one run.
struct Roles {
  std::string pair;
  std::string primary;    // configured instance names, as the roles are now
  std::string secondary;
  bool live = false;      // decided by an HA group; false = the configured direction (no group visible)
  bool reversed = false;  // the live primary is the pair's configured secondary
  bool primary_reachable = true;
  bool secondary_reachable = true;
  std::string mechanism;  // of the deciding group; "" when not live
  std::string group;      // its name (failover group: "geo-replication links of N databases")
  std::string home_primary, home_secondary;  // the pair's configured direction
  std::vector<std::string> said;             // what each instance said, configured primary first

  // One line: "roles read live from availability group ag_payments: primary PAYMENTS-WEST
  // (instance west), secondary PAYMENTS-EAST (instance east); reverse of the configured direction".
  std::string describe() const;
  nlohmann::json to_json() const;
};

// What one side said, in one phrase: "east (PAYMENTS-EAST) reports PRIMARY of availability group
// ag_payments", "east is unreachable: …", "east (PAYMENTS-EAST) shows no HA group".
std::string said(const Side& side);

// Pure. `home_primary` is what the pair's configured primary said, `home_secondary` the other.
// Errors: kRolesUnknown with a message naming what each instance said and a hint.
[[nodiscard]] Result<Roles> decide(const config::Pair& pair, const Side& home_primary, const Side& home_secondary);

// `pair` with primary and secondary as the roles are now (swapped when `roles.reversed`): what
// the modules that compare a primary with a secondary take, so that they need not know roles.
config::Pair live_pair(const config::Pair& pair, const Roles& roles);

// Compares server names as SQL Server reports them: case-insensitive, and by the first DNS label
// when either carries a domain (a geo link's partner_server may be spelled as a host name).
bool same_server(std::string_view a, std::string_view b);

}  // namespace understudy::roles
