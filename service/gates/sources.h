// sources.h — the inputs of a gate, gathered the way every other command gathers them: the
// latest primary snapshot from the store, and a live read of the target through
// diff/drift.h's read_live (the pair's kinds and include/exclude patterns applied to both).
//
// Errors: kNotFound when the primary has no snapshot (with a hint); connection and read errors as
// drift::read_live reports them (kUnavailable, kSql, kTempFail, kConfig for password sources).
// read_target_against() is read_target() for gates whose checks look only at the drift: the
// target's objects stream past the primary snapshot and those equal to their primary counterpart
// (same kind, match key and fingerprint — fields and password hash) are counted, not kept, as
// `diff --against live` does (diff/drift.cc). At scale the diff then sees only what differs.
//
// PrimaryCache keeps the latest primary snapshot decoded, per pair, so that a gate evaluation
// costs the cheap latest_snapshot() lookup, the live read of the target and the diff — not a
// decode of every stored object each time (docs/benchmarks.md, "Gates").
//
// Thread-safety: read_target is reentrant; each live read opens its own
// connection. The Store is used from the calling thread only (the caller serialises access).
// PrimaryCache is thread-safe (one mutex around its map; the cached snapshots are immutable and
// shared). Ownership: the cache owns its decoded snapshots; callers share them (shared_ptr).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "gates/evaluate.h"
#include "store/store.h"

namespace understudy::gates {

// Connects to the pair's secondary and reads it. `instance` of the result is the server name
// that answered (SERVERPROPERTY('ServerName')).
[[nodiscard]] Result<TargetState> read_target(const config::Config& cfg, const config::Pair& pair);

struct TargetAgainstPrimary {
  TargetState target;                                // the instance object and the objects that differ
  std::vector<catalog::ServerObject> primary_rest;   // primary objects without an equal target object
  size_t equal = 0;                                  // objects equal on both sides
};
[[nodiscard]] Result<TargetAgainstPrimary> read_target_against(const config::Config& cfg, const config::Pair& pair,
                                                               const PrimarySnapshot& primary);

// latest(): the latest complete snapshot of the pair's primary with its objects (no password
// hashes), restricted to the pair's selection; kNotFound when there is none.
//
// Decoded once per snapshot. Safe because a stored snapshot never changes once
// written (store.h: written in one transaction, visible only when complete, never updated), so
// its decoded objects stay valid for as long as it is the latest; each call still asks the store
// which snapshot is the latest (one indexed row), so a newer snapshot — taken by this process or
// by another one (`understudy snapshot` on the same file) — replaces the entry on the next call.
// A snapshot is identified by id, run id and taken_at together, so even a reused row id (a store
// that pruned its newest snapshot) cannot serve stale objects. Bounded: one entry per pair name
// (pairs and their selections are fixed for the life of a Config), so polling does not grow it.
// Errors are never cached. One cache per Config (entries are keyed by pair name). The objects are
// decoded as the pair's secondary should hold them (jobs_on_secondary), which is part of the key.
class PrimaryCache {
 public:
  [[nodiscard]] Result<std::shared_ptr<const PrimarySnapshot>> latest(store::Store& store, const config::Pair& pair);
  // Snapshots decoded so far (a new entry or a replacement each); for tests and metrics.
  size_t decodes() const;

 private:
  struct Entry {
    int64_t id = 0;
    std::string run_id;
    std::string taken_at;
    bool jobs_disabled = true;  // decoded with the pair's jobs_on_secondary (diff/expectation.h)
    std::shared_ptr<const PrimarySnapshot> snapshot;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> by_pair_;
  size_t decodes_ = 0;
};

}  // namespace understudy::gates
