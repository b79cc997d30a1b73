// sources.h — the inputs of a gate, gathered the way every other command gathers them: the
// latest primary snapshot from the store, and a live read of the target through
// catalog::read_instance (the pair's kinds and include/exclude patterns applied to both).
//
// Errors: kNotFound when the primary has no snapshot (with a hint); connection and read errors as
// catalog::read_instance reports them (kUnavailable, kSql, kTempFail, kConfig for password sources).
// read_target_against() is read_target() for gates whose checks look only at the drift: the
// target's objects stream past the primary snapshot's digests and those equal to their primary
// counterpart (same kind, match key and fingerprint — fields and password hash) are counted, not
// kept, as `diff --against live` does (ops/diff.cc). Only the primary objects without an equal target object are
// then loaded from the store (by version id). At scale the diff sees only what differs.
//
// PrimaryCache keeps the latest primary snapshot per pair as digests — kind, match key,
// fingerprint and store version id (catalog::ObjectDigest), about 100 bytes an object — so that a
// gate evaluation costs the cheap latest_snapshot() lookup, the live read of the target and the
// diff of what differs, and a service that answered for a pair of 100,000 logins holds tens of MB
// for it, not the decoded objects (~2 KB each as JSON trees). Gates whose checks read the objects
// themselves (required_objects …) get them decoded per evaluation (load_primary()).
//
// Thread-safety: read_target and read_target_against are reentrant; each live read opens its own
// connection. The Store is used from the calling thread only (the caller serialises access; the
// `load` function given to read_target_against is how it reaches the store). PrimaryCache is
// thread-safe (one mutex around its map; the cached digests are immutable and shared).
// Ownership: the cache owns its entries; callers share them (shared_ptr).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "diff/diff.h"
#include "gates/evaluate.h"
#include "store/store.h"

namespace understudy::gates {

// Connects to the pair's secondary and reads it. `instance` of the result is the server name
// that answered (SERVERPROPERTY('ServerName')).
[[nodiscard]] Result<TargetState> read_target(const config::Config& cfg, const config::Pair& pair);

// The latest primary snapshot of a pair in its light form (PrimaryCache's entry).
struct PrimaryDigests {
  PrimarySnapshot header;  // id, instance, taken_at; `objects` empty
  int64_t snapshot_id = 0;
  // The pair's selection, `instance` excluded, as the secondary should hold it (jobs_on_secondary:
  // a job's fingerprint is its expected object's); sorted (catalog::digest_less); handle = version id.
  std::vector<catalog::ObjectDigest> digests;
};

struct TargetAgainstPrimary {
  TargetState target;                                // the instance object and the objects that differ
  std::vector<catalog::ServerObject> primary_rest;   // primary objects without an equal target object
  size_t equal = 0;                                  // objects equal on both sides
};
// `load` returns stored object versions by id (store::Store::load_versions without password
// hashes), through the caller's access to the store; the objects are made what the secondary
// should hold here.
[[nodiscard]] Result<TargetAgainstPrimary> read_target_against(const config::Config& cfg, const config::Pair& pair,
                                                               const PrimaryDigests& primary, const diff::Fetch& load);

// The primary snapshot `primary` names with its objects (no password hashes), the pair's selection
// applied, as the secondary should hold them: for checks that read the objects. Decoded per call.
[[nodiscard]] Result<PrimarySnapshot> load_primary(store::Store& store, const config::Pair& pair,
                                                   const PrimaryDigests& primary);

// latest(): the latest complete snapshot of the pair's primary as digests, restricted to the
// pair's selection; kNotFound when there is none.
//
// Loaded once per snapshot. Safe because a stored snapshot never changes once written (store.h:
// written in one transaction, visible only when complete, never updated), so its digests stay
// valid for as long as it is the latest; each call still asks the store which snapshot is the
// latest (one indexed row), so a newer snapshot — taken by this process or by another one
// (`understudy snapshot` on the same file) — replaces the entry on the next call.
// A snapshot is identified by id, run id and taken_at together, so even a reused row id (a store
// that pruned its newest snapshot) cannot serve stale digests. Bounded: one entry per pair name
// (pairs and their selections are fixed for the life of a Config), so polling does not grow it.
// Errors are never cached. One cache per Config (entries are keyed by pair name). The digests are
// those of the objects as the pair's secondary should hold them (jobs_on_secondary), which is part
// of the key.
class PrimaryCache {
 public:
  [[nodiscard]] Result<std::shared_ptr<const PrimaryDigests>> latest(store::Store& store, const config::Pair& pair);
  // Snapshots loaded so far (a new entry or a replacement each); for tests and metrics.
  size_t decodes() const;

 private:
  struct Entry {
    int64_t id = 0;
    std::string run_id;
    std::string taken_at;
    bool jobs_disabled = true;  // loaded with the pair's jobs_on_secondary (diff/expectation.h)
    std::shared_ptr<const PrimaryDigests> snapshot;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> by_pair_;
  size_t decodes_ = 0;
};

}  // namespace understudy::gates
