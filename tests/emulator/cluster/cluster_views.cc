// cluster_views.cc — Cluster::write_views_locked: the cluster model written into each instance's
// HA views as that instance reports them. The views are plain tables of the emulator's state layer
// (engine/schema.cc). What each side shows follows these pages (MicrosoftDocs/sql-docs paths):
// - sys.dm_hadr_availability_replica_states: a row per local replica, and on the primary a row per
//   remote (secondary) replica; "When queried on a server instance that is hosting a secondary
//   replica … returns only local information"; is_local = 0 occurs only on the primary; role is
//   given for a local or a *connected* remote replica; operational_state and recovery_health are
//   NULL when the replica is not local:
//   docs/relational-databases/system-dynamic-management-views/sys-dm-hadr-availability-replica-states-transact-sql.md
//   (https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-hadr-availability-replica-states-transact-sql).
// - sys.availability_replicas: every replica of the AG; only local rows, endpoint_url NULL, when
//   the instance cannot reach the cluster: docs/relational-databases/system-catalog-views/sys-availability-replicas-transact-sql.md.
// - sys.dm_hadr_database_replica_states: a secondary shows its local databases; the primary shows
//   its own and each secondary's:
//   docs/relational-databases/system-dynamic-management-views/sys-dm-hadr-database-replica-states-transact-sql.md.
// - Distributed AG (the MI link): sys.availability_groups.is_distributed = 1; the DAG's
//   sys.availability_replicas rows are named by member AG, not by instance; the forwarder is the
//   primary replica of the secondary AG (so each side is PRIMARY of its member AG and only the DAG
//   row tells the link role): docs/database-engine/availability-groups/windows/distributed-availability-groups.md.
//   Microsoft's link-role query joins the DAG row to the local replica state on both sides; the
//   health query (is_local = 0 AND role = 2) returns a row only on the primary:
//   azure-sql/managed-instance/managed-instance-link-troubleshoot-how-to.md.
// - sys.dm_geo_replication_link_status: one row per link in each geo-replicated database, on the
//   primary and on the secondary; empty in master; last_replication and replication_lag_sec are
//   reported on the primary only; role 0 PRIMARY / 1 SECONDARY; replication_state 1 SEEDING,
//   2 CATCH_UP, 4 SUSPENDED:
//   docs/relational-databases/system-dynamic-management-views/sys-dm-geo-replication-link-status-azure-sql-database.md
//   (https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-geo-replication-link-status-azure-sql-database).
// Not documented, chosen here: what an isolated old primary reports (it keeps its last role, its
// link rows SUSPENDED); member AG names (`AG_<instance name>`).
#include <algorithm>
#include <cstdio>

#include "cluster/cluster.h"
#include "cluster/cluster_internal.h"

namespace emu {

using cluster_detail::with_cluster_instance;
using cluster_detail::Writer;

namespace {

const char* const kViewStates[] = {"NOT_SYNCHRONIZING", "SYNCHRONIZING", "SYNCHRONIZED", "REVERTING", "INITIALIZING"};
const char* const kViewHealths[] = {"NOT_HEALTHY", "PARTIALLY_HEALTHY", "HEALTHY"};

int view_code(const char* const* names, int n, const std::string& v) {
  for (int i = 0; i < n; ++i)
    if (v == names[i]) return i;
  return 0;
}
// The view spells it with a space: "NOT SYNCHRONIZING".
std::string view_state_desc(const std::string& s) { return s == "NOT_SYNCHRONIZING" ? "NOT SYNCHRONIZING" : s; }

std::string view_guid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "6A0C3D20-0000-4000-8000-%012d", n);
  return buf;
}

std::string view_num(int64_t v) { return std::to_string(v); }

// sys.dm_hadr_availability_replica_states role: 0 RESOLVING, 1 PRIMARY, 2 SECONDARY.
int role_code(ClusterRole r) { return r == ClusterRole::kResolving ? 0 : r == ClusterRole::kPrimary ? 1 : 2; }
const char* role_desc(ClusterRole r) {
  return r == ClusterRole::kResolving ? "RESOLVING" : r == ClusterRole::kPrimary ? "PRIMARY" : "SECONDARY";
}

struct ReplicaStateRow {
  std::string replica_id, group_id;
  bool is_local = true;
  std::optional<ClusterRole> role;  // nullopt: a remote replica that is not connected
  bool connected = true;
  int health = 2;
};

void insert_replica_state(Writer& w, const ReplicaStateRow& r) {
  const std::string role = r.role ? view_num(role_code(*r.role)) : "NULL";
  const std::string desc = r.role ? std::string("'") + role_desc(*r.role) + "'" : "NULL";
  // operational_state: ONLINE for a local PRIMARY/SECONDARY, PENDING while RESOLVING, NULL when not local.
  std::string op = "NULL, NULL";
  if (r.is_local) op = r.role == ClusterRole::kResolving ? "1, 'PENDING'" : "2, 'ONLINE'";
  w.exec("INSERT INTO ha_availability_replica_states (replica_id, group_id, is_local, \"role\", role_desc, "
         "operational_state, operational_state_desc, connected_state, connected_state_desc, recovery_health, "
         "recovery_health_desc, synchronization_health, synchronization_health_desc) VALUES (?1, ?2, " +
             view_num(r.is_local) + ", " + role + ", " + desc + ", " + op + ", " + view_num(r.connected) + ", '" +
             (r.connected ? "CONNECTED" : "DISCONNECTED") + "', " + (r.is_local ? "1, 'ONLINE'" : "NULL, NULL") + ", " +
             view_num(r.health) + ", ?3)",
         {r.replica_id, r.group_id, std::string(kViewHealths[r.health])});
}

void insert_group(Writer& w, const std::string& group_id, const std::string& name, bool distributed) {
  w.exec("INSERT INTO ha_availability_groups (group_id, name, is_distributed, cluster_type, cluster_type_desc, "
         "failure_condition_level, health_check_timeout, db_failover, basic_features, dtc_support) "
         "VALUES (?1, ?2, " + view_num(distributed) + ", 2, 'NONE', 3, 30000, 1, 0, 0)",
         {group_id, name});
}

void insert_replica(Writer& w, const std::string& replica_id, const std::string& group_id, const std::string& server,
                    std::optional<std::string> endpoint) {
  w.exec("INSERT INTO ha_availability_replicas (replica_id, group_id, replica_server_name, endpoint_url, "
         "availability_mode, availability_mode_desc, failover_mode, failover_mode_desc, "
         "secondary_role_allow_connections, secondary_role_allow_connections_desc, seeding_mode, seeding_mode_desc) "
         "VALUES (?1, ?2, ?3, ?4, 0, 'ASYNCHRONOUS_COMMIT', 1, 'MANUAL', 2, 'ALL', 0, 'AUTOMATIC')",
         {replica_id, group_id, server, endpoint});
}

}  // namespace

void Cluster::write_views_locked() {
  const std::string& mech = options_.mechanism;
  const bool connected = connected_locked();
  int worst = 2;
  for (const auto& [_, d] : dbs_) worst = std::min(worst, view_code(kViewHealths, 3, d.health));
  if (!connected) worst = 0;
  const std::string group_id = view_guid(1);
  // Replica ids of the AG (or of the DAG, whose replicas are the member AGs) and member AG ids.
  const std::string replica_id[2] = {view_guid(2), view_guid(3)};
  auto member_ag = [&](int i) { return "AG_" + options_.names[i]; };

  for (int i = 0; i < 2; ++i) {
    const bool is_primary = group_exists_ && role_[i] == ClusterRole::kPrimary;
    with_cluster_instance(servers_[i]->instance(), this, [&](Writer& w) {
      for (const char* t : {"ha_availability_groups", "ha_availability_replicas", "ha_database_replica_states",
                            "ha_availability_replica_states", "t_geo_links"})
        w.exec(std::string("DELETE FROM ") + t);
      if (group_exists_ && mech != "failover_group") {
        insert_group(w, group_id, options_.group, mech == "link");
        if (mech == "link") {
          // This side's member AG: a one-replica AG whose primary is this instance (also on the forwarder).
          const std::string member_id = view_guid(4 + i), member_replica = view_guid(8 + i);
          insert_group(w, member_id, member_ag(i), false);
          insert_replica(w, member_replica, member_id, options_.names[i], "TCP://" + options_.names[i] + ":5022");
          insert_replica_state(w, {member_replica, member_id, true, ClusterRole::kPrimary, true, 2});
        }
        for (int r = 0; r < 2; ++r) {
          // Isolated from its partner (split brain), an AG replica sees only its own row.
          if (r != i && partitioned_ && mech == "availability_group") continue;
          const std::string server = mech == "link" ? member_ag(r) : options_.names[r];
          std::optional<std::string> endpoint;
          if (!partitioned_) endpoint = "TCP://" + options_.names[r] + ":5022";
          insert_replica(w, replica_id[r], group_id, server, endpoint);
        }
        // The local replica's state; a primary also sees its remote (secondary) replica.
        insert_replica_state(w, {replica_id[i], group_id, true, role_[i], is_primary || connected, worst});
        if (is_primary) {
          std::optional<ClusterRole> remote;
          if (connected) remote = role_[1 - i];
          insert_replica_state(w, {replica_id[1 - i], group_id, false, remote, connected, worst});
        }
      }
      int n = 0;
      for (const auto& [name, d] : dbs_) {
        ++n;
        auto id = w.database_id(name);
        if (!id) continue;
        w.exec("UPDATE t_databases SET is_read_only = " + view_num(group_exists_ && !is_primary) +
               " WHERE database_id = " + view_num(*id));
        if (!group_exists_) continue;
        if (mech == "failover_group") {
          const int rs = d.state == "INITIALIZING" ? 1 : (d.state == "SYNCHRONIZED" || d.state == "SYNCHRONIZING") ? 2 : 4;
          const char* rs_desc = rs == 1 ? "SEEDING" : rs == 2 ? "CATCH_UP" : "SUSPENDED";
          w.exec("INSERT INTO t_geo_links (database_id, link_guid, partner_server, partner_database, last_replication, "
                 "replication_lag_sec, replication_state, replication_state_desc, \"role\", role_desc, "
                 "secondary_allow_connections, secondary_allow_connections_desc, last_commit) VALUES (" +
                     view_num(*id) + ", ?1, ?2, ?3, " +
                     (is_primary ? "'2026-11-27 00:00:00.0000000 +00:00'" : "NULL") + ", " +
                     (is_primary ? view_num(d.lag_seconds) : "NULL") + ", " + view_num(rs) + ", '" + rs_desc + "', " +
                     view_num(is_primary ? 0 : 1) + ", '" + (is_primary ? "PRIMARY" : "SECONDARY") +
                     "', 2, 'ALL', '2026-11-27 00:00:00.0000000 +00:00')",
                 {view_guid(100 + n), options_.names[1 - i], name});
          continue;
        }
        // The local replica's database row; the primary also sees the secondary's.
        for (int r = 0; r < 2; ++r) {
          if (r != i && !is_primary) continue;
          const bool r_primary = role_[r] == ClusterRole::kPrimary;
          w.exec("INSERT INTO ha_database_replica_states (database_id, group_id, replica_id, group_database_id, is_local, "
                 "is_primary_replica, synchronization_state, synchronization_state_desc, is_commit_participant, "
                 "synchronization_health, synchronization_health_desc, database_state, database_state_desc, "
                 "is_suspended, secondary_lag_seconds) VALUES (" + view_num(*id) + ", ?1, ?2, ?3, " + view_num(r == i) +
                     ", " + view_num(r_primary) + ", " + view_num(view_code(kViewStates, 5, d.state)) + ", ?4, 0, " +
                     view_num(view_code(kViewHealths, 3, d.health)) + ", ?5, 0, 'ONLINE', " +
                     view_num(d.state == "NOT_SYNCHRONIZING") + ", " +
                     (r_primary ? std::string("NULL") : view_num(d.lag_seconds)) + ")",
                 {group_id, replica_id[r], view_guid(200 + n), view_state_desc(d.state), d.health});
        }
      }
    });
  }
}

}  // namespace emu
