// cluster.h — two emulated instances replicating their user databases, with the two listeners of
// a failover group / MI link, for failover drills (issue 6).
//
// A Cluster hosts instance 0 (initially the primary) and instance 1 (initially the secondary),
// each a TestServer on its own ephemeral loopback port, plus two listener ports: read-write, which serves
// the current primary, and read-only, which serves the current secondary. A listener is a TDS
// server over a routing Instance that hands each new login to whichever instance holds the role
// at that moment — like the failover group's DNS CNAMEs, existing connections stay where they are.
//
// The HA state is a model per replicated database (every user database present on both):
// synchronization state (SYNCHRONIZED, SYNCHRONIZING, NOT_SYNCHRONIZING, INITIALIZING, REVERTING),
// health (HEALTHY, PARTIALLY_HEALTHY, NOT_HEALTHY) and lag in seconds. Every change is written into
// both instances' HA views — sys.availability_groups / availability_replicas /
// dm_hadr_database_replica_states / dm_hadr_availability_replica_states for mechanism "link"
// (a distributed AG, as the MI link builds) or "availability_group", and
// sys.dm_geo_replication_link_status for "failover_group" (CATCH_UP while synchronizing or
// synchronized, SUSPENDED when not, SEEDING while initializing; lag reported on the primary only)
// — and into DATABASEPROPERTYEX(db, 'Updateability'): READ_WRITE on the primary, READ_ONLY on
// the secondary.
//
// failover(planned): only when every database is SYNCHRONIZED, else an error naming the first
// that is not; swaps the roles. failover(forced): swaps immediately; a database that was not
// SYNCHRONIZED is marked as having lost transactions, and every database is left
// NOT_SYNCHRONIZING / NOT_HEALTHY (suspended, as after a forced failover) until set_ha resumes it.
//
// Errors of construction (bad fixture, port in use) throw std::runtime_error (test scaffolding).
// Thread-safety: every public member is thread-safe (one mutex); HA writes take each instance's
// execution lock, so they never interleave with a running statement.
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
};

struct DatabaseHa {
  std::string state = "SYNCHRONIZED";
  std::string health = "HEALTHY";
  int64_t lag_seconds = 0;
  bool lost_transactions = false;  // set by a forced failover of a database that was not synchronized
};

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

  int primary() const;  // index of the instance holding the primary role
  std::vector<std::string> databases() const;

  // Sets the HA state of one database (fields left nullopt keep their value). Returns "" or an
  // error message (unknown database, state or health; negative lag).
  std::string set_ha(const std::string& database, std::optional<std::string> state, std::optional<std::string> health,
                     std::optional<int64_t> lag_seconds);
  // "planned" or "forced". Returns "" or why the failover was refused.
  std::string failover(const std::string& mode);
  // {"primary": name, "secondary": name, "mechanism", "group", "failovers": n,
  //  "databases": [{"name", "state", "health", "lag_seconds", "lost_transactions"}], ports…}
  nlohmann::json state() const;

 private:
  void apply_locked();  // writes the model into both instances

  ClusterOptions options_;
  mutable std::mutex mu_;
  int primary_ = 0;
  int failovers_ = 0;
  std::map<std::string, DatabaseHa> dbs_;  // by name as the primary's catalog spells it
  std::unique_ptr<TestServer> servers_[2];
  RoutingInstance* routes_[2] = {nullptr, nullptr};  // rw, ro (owned by listeners_)
  std::unique_ptr<TestServer> listeners_[2];
};

}  // namespace emu
