// cutover.h — the inputs of the cutover checks and the live reads that produce them.
//
// The object checks compare server-level objects; the cutover checks look at what a DR runbook
// must prove around a failover:
//   - HaState (replication): the HA state the target exposes per user database — availability
//     groups and the distributed AG of the Managed Instance link (sys.dm_hadr_database_replica_states
//     joined to sys.availability_groups / sys.availability_replicas) and failover groups
//     (sys.dm_geo_replication_link_status, per database, read with one UNION ALL over databases);
//   - Landing (landing): who answers behind the pair's read-write and read-only listeners
//     (@@SERVERNAME, SERVERPROPERTY('ServerName')) and whether its user databases are READ_WRITE
//     or READ_ONLY (DATABASEPROPERTYEX(db, 'Updateability')), plus the server names of the pair's
//     two instances, read directly, to say which one a listener reached;
//   - DatabaseUsers (orphaned_users): database users mapped to SQL or Windows logins whose SID has
//     no login on the target (users map to logins by SID,
// https://learn.microsoft.com/sql/sql-server/failover-clusters/troubleshoot-orphaned-users-sql-server),
//     in every ONLINE user database, one UNION ALL;
//   - primary probe (freshness): can the primary be reached at all right now.
// Each read is at most three round trips on one connection, whatever the number of databases.
// CutoverReads runs the reads a gate's checks declared (check.h kNeed… bits), concurrently, into
// EvalInput.
//
// Errors: connection and SQL errors as odbc reports them (kUnavailable, kSql, kTempFail), config
// errors (kConfig, kNotFound) for password sources and instances. A check whose input is an error
// is unknown with the error's message.
// Thread-safety: the read functions are reentrant; each opens its own connections.
#pragma once

#include <memory>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace understudy::config {
struct Config;
struct Pair;
}  // namespace understudy::config

namespace understudy::gates {

struct EvalInput;  // evaluate.h
struct Gate;       // gate.h

// One user database of the target and the replication it takes part in.
struct DatabaseReplica {
  std::string database;
  // "availability_group", "distributed_availability_group" (the MI link), "failover_group";
  // "" when the database takes part in no replication the instance shows.
  std::string mechanism;
  std::string group;    // AG / DAG name, or the partner "server.database" of a geo link
  std::string role;     // PRIMARY | SECONDARY | "" (unknown)
  std::string state;    // as the view says: SYNCHRONIZING, SYNCHRONIZED, NOT SYNCHRONIZING, CATCH_UP, SEEDING, …
  std::string health;   // HEALTHY | PARTIALLY_HEALTHY | NOT_HEALTHY (geo links: HEALTHY when CATCH_UP)
  std::optional<int64_t> lag_seconds;  // secondary_lag_seconds / replication_lag_sec; nullopt = not reported
  // Who reported lag_seconds: "target", or "primary" for a failover group, whose
  // replication_lag_sec (like last_replication) is filled on the primary database only
  // (https://learn.microsoft.com/sql/relational-databases/system-dynamic-management-views/sys-dm-geo-replication-link-status-azure-sql-database);
  // "" when nobody did.
  std::string lag_reported_by;
};

struct HaState {
  std::string instance;                   // @@SERVERNAME of the target
  std::vector<std::string> databases;     // ONLINE user databases, by name
  std::vector<DatabaseReplica> replicas;  // one or more per database; mechanism "" for none
  // The pair's primary, read for what the target cannot say: its ONLINE user databases (one still
  // seeding is not on the target yet, so only the primary's list reveals it) and the failover-group
  // lag. primary_error is set when the primary could not be read; then those are unknown.
  std::string primary_instance;               // @@SERVERNAME of the primary, "" when unread
  std::vector<std::string> primary_databases;  // its ONLINE user databases
  std::optional<Error> primary_error;
  std::vector<std::string> missing_on_target;  // primary databases the target does not have ONLINE
};

// What one listener connection found.
struct ListenerLanding {
  std::string server_name;           // @@SERVERNAME
  std::string server_property_name;  // SERVERPROPERTY('ServerName')
  std::map<std::string, std::string> updateability;  // user database -> READ_WRITE | READ_ONLY | "" (NULL)
};

struct Landing {
  std::optional<Result<ListenerLanding>> read_write;  // nullopt: no listener configured
  std::optional<Result<ListenerLanding>> read_only;
  Result<std::string> primary_server = std::string();    // @@SERVERNAME of the pair's primary, read directly
  Result<std::string> secondary_server = std::string();  // … of the pair's secondary
};

struct OrphanedUser {
  std::string database;
  std::string user;
  std::string type;      // SQL_USER | WINDOWS_USER
  std::string sid;       // 0x… of the user
  std::string login;     // the target's login of the user's name, "" when none
  std::string login_sid; // its (other) SID, "" when no such login
};

struct DatabaseUsers {
  std::string instance;
  std::vector<std::string> databases;  // user databases checked (ONLINE and readable)
  std::vector<OrphanedUser> orphans;   // sorted by database, user
  // ONLINE user databases that cannot be queried here: the local replica is an availability group
  // secondary without read access (querying one fails with error 976, and would fail the whole
  // UNION ALL). Their users are unknown.
  std::vector<std::string> unreadable;
};

// What a `tsql` check's batch did (check_tsql.cc): error_number 0 = it completed without error.
struct TsqlRun {
  std::string instance;       // @@SERVERNAME of the instance that ran it
  int32_t error_number = 0;   // the batch's error (ERROR_NUMBER()), 0 when none
  std::string error_message;  // ERROR_MESSAGE()
};

// The live reads. `instance` is a configured instance name. read_ha_state reads the target, then
// the primary (`primary`, login timeout at most 5 s) for its database list and failover-group lag;
// a primary that cannot be read is recorded in HaState::primary_error, not returned as an error.
[[nodiscard]] Result<HaState> read_ha_state(const config::Config& cfg, const std::string& instance,
                                            const std::string& primary);
[[nodiscard]] Result<DatabaseUsers> read_database_users(const config::Config& cfg, const std::string& instance);
[[nodiscard]] Landing read_landing(const config::Config& cfg, const config::Pair& pair);
// Connects to the instance and asks for @@SERVERNAME (login timeout at most 5 s).
[[nodiscard]] Result<std::string> probe_server_name(const config::Config& cfg, const std::string& instance);

// The cutover inputs `needs` (kNeed… bits) asks for — ha, landing, users, and primary_reachable
// (kNeedPrimaryProbe) — read concurrently: construction starts every read on a thread of its
// own (each on its own connection), so an evaluation waits for the slowest read, not for their
// sum (across regions, a round trip is tens of milliseconds). The primary is probed once for
// both the landing and the freshness check. finish() waits and moves the results into `in`; the
// destructor waits for reads still running. Never throws.
// Thread-safety: one object per evaluation; `cfg` and `pair` must outlive it.
class CutoverReads {
 public:
  CutoverReads(const config::Config& cfg, const config::Pair& pair, unsigned needs);
  CutoverReads(const CutoverReads&) = delete;
  CutoverReads& operator=(const CutoverReads&) = delete;
  ~CutoverReads();
  void finish(EvalInput& in);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// CutoverReads(cfg, pair, needs).finish(in).
void gather_cutover(const config::Config& cfg, const config::Pair& pair, unsigned needs, EvalInput& in);

// Runs the batch of every `tsql` check of `gate` (on the pair's secondary, or its primary when the
// check says "on": "primary") inside a transaction that is always rolled back, into
// EvalInput::tsql keyed by the check's tsql_input_key(). Never throws.
void gather_tsql(const config::Config& cfg, const config::Pair& pair, const Gate& gate, EvalInput& in);
// The wrapper gather_tsql sends: SET XACT_ABORT ON, BEGIN TRANSACTION, the batch through
// sp_executesql inside TRY…CATCH, ROLLBACK, then one row (server_name, error_number, error_message).
std::string tsql_wrapper(const std::string& batch);

// Request parameters of the cutover checks: state, max_lag_seconds, expect. Returns kUsage naming
// the parameter when one is malformed (the HTTP face answers 400, the CLI exits 64).
[[nodiscard]] Status validate_cutover_params(const std::map<std::string, std::string>& params);

}  // namespace understudy::gates
