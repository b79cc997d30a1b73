// sources.h — where gate inputs come from: the store (latest primary snapshot) and a live read
// of an instance through ODBC and the catalog readers, with the pair's kinds and filters.
//
// Shared by `understudy gate`, `understudy serve` (gates, scheduled and on-demand snapshots) so
// both faces read exactly the same way.
// Errors: kNotFound when the primary has no snapshot; connection and read errors as the odbc and
// catalog modules report them (kUnavailable, kSql, kTempFail); kConfig when a password source
// fails. Thread-safety: reentrant; each call opens its own connection. The Store passed in is
// used from the calling thread only (the caller serialises access).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/object.h"
#include "catalog/reader.h"
#include "config/config.h"
#include "gates/evaluate.h"
#include "store/store.h"

namespace understudy::gates {

// The catalog read options of a pair: its kinds (empty = all) and per-kind name filters.
catalog::ReadOptions read_options_for(const config::Pair& pair);

struct LiveRead {
  std::string server_name;  // SERVERPROPERTY('ServerName') of the instance that answered
  std::vector<catalog::ServerObject> objects;
};

// Connects to `instance_name` (config) and reads its objects with `pair`'s selection.
[[nodiscard]] Result<LiveRead> read_live(const config::Config& cfg, const std::string& instance_name,
                                         const config::Pair& pair);

// The latest complete snapshot of the pair's primary with its objects (no password hashes),
// restricted to the pair's kinds. kNotFound when there is none.
[[nodiscard]] Result<PrimarySnapshot> latest_primary(store::Store& store, const config::Pair& pair);

}  // namespace understudy::gates
