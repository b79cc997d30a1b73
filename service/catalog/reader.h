// reader.h — reads an instance's server-level state into ServerObjects, set-based.
//
// One batch, one round trip: every kind's query (a handful of set-based SELECTs over sys.* and
// msdb.dbo.*) is sent together and the result sets are streamed in order; steps, schedule
// attachments and job servers are read as their own sets and assembled into jobs in C++. The
// cost does not grow with the number of objects (design invariant 2). Objects come sealed, with
// default exclusions and per-kind filters applied (docs/object-model.md): either all at once in
// stable order (kind order, then match key), or streamed to a sink as each is complete, so that
// a snapshot of hundreds of thousands of objects never holds them all.
//
// Errors: whatever the connection reports (kUnavailable, kSql with SQLSTATE and native number,
// kTempFail on a query timeout); kSql with a message naming the kind when a result set is missing
// or malformed.
// Thread-safety: uses the connection from the calling thread only. Ownership: borrows `conn`.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/object.h"
#include "config/config.h"
#include "catalog/record.h"

namespace understudy::odbc {
class Connection;
}

namespace understudy::catalog {

// Name patterns on an object's key: '*' any run, '?' one character, compared case-insensitively
// (fold_name). A key matching an include pattern is kept even when a default exclusion would drop
// it; when `include` is non-empty, keys matching none of it are dropped; `exclude` always drops.
struct NameFilter {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
};

struct ReadOptions {
  std::vector<Kind> kinds;               // empty = all kinds
  std::map<Kind, NameFilter> filters;    // per kind
  bool default_exclusions = true;
};

// The reader options a pair implies (its kinds, per-kind include/exclude); defaults when `pair`
// is null. Every read of a pair's instances — snapshot, diff, gate, sync — uses these.
ReadOptions read_options(const config::Pair* pair);

// Connects to the configured `instance` (config/secrets.h: connect_options) and reads it with
// read_options(pair), sorted. Errors: kNotFound/kConfig from the config, the connection's and
// the read's (kUnavailable, kSql, kTempFail).
[[nodiscard]] Result<std::vector<ServerObject>> read_instance(const config::Config& config, const std::string& instance,
                                                              const config::Pair* pair);

// Reads the instance. The `instance` object is always read (the diff needs the target's facts).
[[nodiscard]] Result<std::vector<ServerObject>> read_objects(odbc::Connection& conn, const ReadOptions& options = {});

// Receives each object once it is complete, as text (record.h): the form a snapshot stores and
// a streamed diff fingerprints without building a tree. The sink may take the record's contents
// (move or swap them out); the reader clears the record before it writes the next object into
// it. An error the sink returns stops the read and is returned.
using RecordSink = std::function<Status(ObjectRecord&)>;

// The same read, streamed: records reach `sink` in batch order (not sorted); no fingerprint is
// computed — the store fingerprints only the versions it has not seen before, which on an
// unchanged instance is none. Two objects whose names differ only in case fail the read
// (kDataErr) after the last row, before it returns success: until then the sink may have seen
// part of the instance, and on any error the caller discards what it saw (the store's snapshot
// writer rolls back).
[[nodiscard]] Status read_records(odbc::Connection& conn, const ReadOptions& options, const RecordSink& sink);

// Receives each object as a tree, sealed.
using ObjectSink = std::function<Status(ServerObject&&)>;
// read_records with each record made a tree (ObjectRecord::to_object): for callers that keep
// every object anyway.
[[nodiscard]] Status read_objects(odbc::Connection& conn, const ReadOptions& options, const ObjectSink& sink);

// True when `key` matches the glob `pattern` (case-insensitive, '*' and '?').
bool name_matches(std::string_view pattern, std::string_view key);

}  // namespace understudy::catalog
