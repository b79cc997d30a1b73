// sources.h — the inputs of a gate, gathered the way every other command gathers them: the
// latest primary snapshot from the store, and a live read of the target through
// diff/drift.h's read_live (the pair's kinds and include/exclude patterns applied to both).
//
// Errors: kNotFound when the primary has no snapshot (with a hint); connection and read errors as
// drift::read_live reports them (kUnavailable, kSql, kTempFail, kConfig for password sources).
// Thread-safety: reentrant; each live read opens its own connection. The Store is used from the
// calling thread only (the caller serialises access).
#pragma once

#include <string>

#include "base/result.h"
#include "config/config.h"
#include "gates/evaluate.h"
#include "store/store.h"

namespace understudy::gates {

// Connects to the pair's secondary and reads it. `instance` of the result is the server name
// that answered (SERVERPROPERTY('ServerName')).
[[nodiscard]] Result<TargetState> read_target(const config::Config& cfg, const config::Pair& pair);

// The latest complete snapshot of the pair's primary with its objects (no password hashes),
// restricted to the pair's selection. kNotFound when there is none.
[[nodiscard]] Result<PrimarySnapshot> latest_primary(store::Store& store, const config::Pair& pair);

}  // namespace understudy::gates
