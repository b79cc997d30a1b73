// cluster.h — two emulated instances replicating their user databases, with the two listeners of
// a failover group / MI link, for failover drills and role detection (issues 6 and 11).
//
// A Cluster hosts instance 0 (initially the primary) and instance 1 (initially the secondary),
// each a TestServer on its own ephemeral loopback port, plus two listener ports: read-write, which
// serves the instance the last failover made primary, and read-only, which serves the other. A
// listener is a TDS server over a routing Instance that hands each new login to its instance —
// like the failover group's DNS CNAMEs, existing connections stay where they are. A listener whose
// instance is stopped refuses connections, as a name that resolves to a dark region does.
//
// The model: each instance's role as *it* reports it (PRIMARY, SECONDARY, RESOLVING — two
// instances may disagree: split brain), whether it is reachable (stopped = connection refused),
// whether the two replicas are connected, and per replicated database (every user database present
// on both) the synchronization state, health and lag. Every change rewrites both instances' HA
// views as each side reports them (the citations are in cluster.cc next to the code):
//   mechanism "availability_group" (SQL Server AG): sys.availability_groups, availability_replicas,
//     dm_hadr_availability_replica_states (remote rows on the primary only), dm_hadr_database_replica_states;
//   mechanism "link" (the MI link: a distributed AG over one member AG per side): both member AGs'
//     and the DAG's rows — each instance is PRIMARY of its own member AG, only the DAG row
//     (is_distributed = 1) carries the link role; the DAG's replicas are named by member AG;
//   mechanism "failover_group" (MI failover group, engine edition 8 only): one
//     sys.dm_geo_replication_link_status row per replicated database, on both sides, with the
//     primary-only columns (last_replication, replication_lag_sec) NULL on the secondary;
// and DATABASEPROPERTYEX(db, 'Updateability'): READ_WRITE where the instance reports PRIMARY (or no
// group), READ_ONLY elsewhere.
//
// Transitions (each returns "" or why it was refused, and changes nothing when refused):
//   failover("planned")     both reachable and connected, one PRIMARY, every database SYNCHRONIZED
//                           and HEALTHY: the roles swap.
//   failover("forced", to)  `to` (default: the reachable instance not reporting PRIMARY) becomes PRIMARY at
//                           once; databases not SYNCHRONIZED are marked lost_transactions and all are
//                           left NOT_SYNCHRONIZING / NOT_HEALTHY (suspended) until set_ha resumes them.
//                           A reachable, connected old primary becomes SECONDARY; a stopped or
//                           partitioned one keeps reporting PRIMARY until it returns.
//   stop(i) / start(i)      instance i unreachable (its port closed, connections dropped) / back. A
//                           returning old primary that missed a forced failover rejoins as SECONDARY
//                           (AG, failover group) or stays PRIMARY — split brain — (link), as the
//                           documentation says; otherwise its databases resynchronize.
//   split_brain()           both report PRIMARY and cannot reach each other.
//   set_role(i, r)          instance i reports SECONDARY (ALTER AVAILABILITY GROUP … SET (ROLE =
//                           SECONDARY), Microsoft's fix for a split link; the DAG failover window
//                           when the other is SECONDARY too) or RESOLVING (AG, link).
//   remove_group()          the group is gone (MI link one-way cutover, failover group deleted): no
//                           HA rows on either side, every database READ_WRITE.
//
// Errors of construction (bad fixture, port in use, bad options) throw std::runtime_error (test
// scaffolding). Thread-safety: every public member is thread-safe (one mutex); HA writes take each
// instance's execution lock, so they never interleave with a running statement.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace emu {

struct ClusterOptions {
  std::string fixtures[2];  // JSON fixtures of instance 0 and 1 ("" = empty instance)
  std::string names[2] = {"MI-PROD-EASTUS2", "MI-PROD-WESTUS2"};  // @@SERVERNAME of each
  int engine_edition = 8;
  std::string mechanism = "link";  // link | availability_group | failover_group
  std::string group = "fog-prod-sqlmi";  // AG / DAG / failover group name
  std::string sa_password = "Emu-Passw0rd!";
  // TLS for both instances and both listeners, as TestServerOptions (harness.h).
  std::string tls_cert, tls_key;
  bool require_encryption = false;
};

struct DatabaseHa {
  std::string state = "SYNCHRONIZED";
  std::string health = "HEALTHY";
  int64_t lag_seconds = 0;
  bool lost_transactions = false;  // set by a forced failover of a database that was not synchronized
};

enum class ClusterRole { kPrimary, kSecondary, kResolving };

class RoutingInstance;

class Cluster {
 public:
  explicit Cluster(ClusterOptions options);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  uint16_t port(int instance) const;
  uint16_t rw_port() const;
  uint16_t ro_port() const;
  const std::string& name(int instance) const { return options_.names[instance]; }
  // DRIVER={FreeTDS};SERVER=…;PORT=<port>;UID=sa;TDS_Version=7.4;ClientCharset=UTF-8 (no PWD).
  std::string connection_string_without_password(uint16_t port) const;
  const std::string& sa_password() const { return options_.sa_password; }
  TestServer& server(int instance) { return *servers_[instance]; }

  // Index of the one reachable instance reporting PRIMARY; -1 when none or both do, or the group is gone.
  int primary() const;
  std::vector<std::string> databases() const;
  // Instance index by name (case-insensitive) or "0"/"1"; -1 when neither.
  int instance_index(const std::string& name_or_index) const;

  // Sets the HA state of one database (fields left nullopt keep their value). Returns "" or an
  // error message (unknown database, state or health; negative lag).
  std::string set_ha(const std::string& database, std::optional<std::string> state, std::optional<std::string> health,
                     std::optional<int64_t> lag_seconds);
  // "planned" or "forced" (to: instance name or index; "" = the instance not reporting PRIMARY).
  std::string failover(const std::string& mode, const std::string& to = "");
  std::string stop(const std::string& instance);
  std::string start(const std::string& instance);
  std::string split_brain();
  std::string set_role(const std::string& instance, const std::string& role);  // SECONDARY | RESOLVING
  std::string remove_group();
  // {"primary": name|null, "secondary": name|null, "mechanism", "group", "group_exists", "connected",
  //  "failovers": n, "instances": [{"name", "role" (null without group), "reachable", "port"}],
  //  "databases": [{"name", "state", "health", "lag_seconds", "lost_transactions"}], ports…}
  nlohmann::json state() const;

 private:
  bool connected_locked() const;
  int primary_locked() const;
  void suspend_databases_locked(bool forced);
  void apply_locked();        // write_views_locked, then points the listeners (open or closed)
  void write_views_locked();  // the model into both instances' HA views (cluster_views.cc)

  ClusterOptions options_;
  mutable std::mutex mu_;
  ClusterRole role_[2] = {ClusterRole::kPrimary, ClusterRole::kSecondary};
  bool reachable_[2] = {true, true};
  bool partitioned_ = false;        // split brain: the replicas cannot reach each other
  bool missed_forced_[2] = {false, false};  // a stopped old primary that a forced failover replaced
  bool group_exists_ = true;
  int rw_target_ = 0;               // the instance behind the read-write listener
  int failovers_ = 0;
  std::map<std::string, DatabaseHa> dbs_;  // by name as the primary's catalog spells it
  std::unique_ptr<TestServer> servers_[2];
  RoutingInstance* routes_[2] = {nullptr, nullptr};  // rw, ro (owned by listeners_)
  std::unique_ptr<TestServer> listeners_[2];
};

}  // namespace emu
