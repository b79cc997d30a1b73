// read.h — asking a pair's two instances which of them holds the primary role (roles.h decides).
//
// read_side() opens one connection and makes at most two round trips:
//   1. @@SERVERNAME and the engine edition; every availability group with the local replica's
//      role (sys.availability_groups joined to sys.dm_hadr_availability_replica_states on
//      is_local = 1 — the row each side reports for itself, whichever side it is read on; a
//      group listed without that row is no group of this side: docs/configuration.md says why);
//      the replica server names of each group (sys.availability_replicas); the ONLINE user
//      databases;
//   2. on Azure SQL (engine edition 5 or 8) with user databases: each database's
//      sys.dm_geo_replication_link_status (role_desc, partner_server, partner_database), read in
//      the database itself because the view is empty in master — one UNION ALL.
// A failed connection or query is not an error of read_side: it is what that side "said"
// (Side::error), because one dark instance is a normal day for a DR tool.
//
// establish() reads both sides concurrently and calls decide(). It is what every operation that
// writes, and every comparison, calls first: snapshot of a pair, diff, sync, script, gates.
//
// Thread-safety: reentrant; each call opens its own connections. Ownership: borrows the config.
#pragma once

#include <string>

#include "base/result.h"
#include "roles/roles.h"

namespace understudy::config {
struct Config;
struct Pair;
}  // namespace understudy::config

namespace understudy::roles {

// REQUIRES: `instance` names an instance of `config` (else Side::error is kNotFound).
Side read_side(const config::Config& config, const std::string& instance);

// Both sides of `pair`, read live, decided. Errors: kRolesUnknown (roles.h).
[[nodiscard]] Result<Roles> establish(const config::Config& config, const config::Pair& pair);

}  // namespace understudy::roles
