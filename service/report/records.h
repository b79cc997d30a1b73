// records.h — what the service writes to the store besides snapshots: runs, gate evaluations
// and the hash-chained audit trail. Tables are the "service" component's migrations
// (docs/store-schema.md); each record is written in one transaction (design invariant 6).
// Durability: runs and audit entries commit at the store's synchronous=FULL; a gate evaluation row
// is history, not a change, and commits at synchronous=NORMAL in WAL mode (records.cc says why).
//
// The audit trail: every change Understudy made (sync actions applied, snapshots taken on request,
// gate set reloads) is one entry whose hash is SHA-256 over its content and the previous entry's
// hash (genesis: 64 zeros). verify_audit() walks the chain and names the first entry whose hash or
// link does not hold, so an edit, a deletion or a reordering is detected.
// Thread-safety: the Store is used from one thread at a time (callers serialise).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "gates/verdict.h"
#include "store/store.h"

namespace understudy::report {

std::span<const store::Migration> service_migrations();
[[nodiscard]] Status migrate(store::Store& store);

// A unit of work started through the service or the CLI (snapshot, sync, drift).
struct Run {
  std::string id;           // new_run_id() (base/run_id.h): 16 hex digits
  std::string type;         // "snapshot" | "sync" | "drift"
  std::string pair;
  std::string status;       // "running" | "succeeded" | "failed"
  std::string actor;        // token name, or "scheduler", or "cli"
  std::string started_at;   // RFC 3339 UTC
  std::string finished_at;  // "" while running
  nlohmann::json result = nlohmann::json::object();
};
[[nodiscard]] Status save_run(store::Store& store, const Run& run);
[[nodiscard]] Result<std::optional<Run>> get_run(store::Store& store, const std::string& id);
nlohmann::json to_json(const Run& run);

[[nodiscard]] Status record_evaluation(store::Store& store, const gates::GateResult& result);

struct EvaluationRecord {
  int64_t id = 0;
  nlohmann::json body;  // the gate body as answered (gates::to_json)
};
// Evaluations of `pair` with since <= checked_at < until (RFC 3339; "" = open), oldest first.
[[nodiscard]] Result<std::vector<EvaluationRecord>> list_evaluations(store::Store& store, const std::string& pair,
                                                                     const std::string& since,
                                                                     const std::string& until);
// Runs of `pair` of `type` in the window, oldest first.
[[nodiscard]] Result<std::vector<Run>> list_runs(store::Store& store, const std::string& pair, const std::string& type,
                                                 const std::string& since, const std::string& until);

// The latest evaluation of each gate of `pair` (highest id per gate), by gate name.
[[nodiscard]] Result<std::vector<EvaluationRecord>> latest_evaluations(store::Store& store, const std::string& pair);
// The latest run of `pair` of `type` (latest started_at), whoever started it; nullopt when none.
[[nodiscard]] Result<std::optional<Run>> latest_run(store::Store& store, const std::string& pair, const std::string& type);

struct AuditEntry {
  int64_t seq = 0;
  std::string at;      // RFC 3339 UTC
  std::string actor;   // token name / "scheduler" / "cli"
  std::string action;  // "sync.apply", "snapshot", "gates.reload", …
  std::string pair;
  std::string run_id;
  nlohmann::json detail = nlohmann::json::object();  // never a secret
  std::string prev_hash;
  std::string hash;
};
// Appends (seq, prev_hash, hash and `at` when empty are filled in) inside one transaction.
[[nodiscard]] Result<AuditEntry> append_audit(store::Store& store, AuditEntry entry);
[[nodiscard]] Result<std::vector<AuditEntry>> list_audit(store::Store& store, int64_t after_seq, int64_t limit);
// Calls `f` with every entry in order, a page of 1000 at a time.
[[nodiscard]] Status for_each_audit(store::Store& store, const std::function<void(const AuditEntry&)>& f);
nlohmann::json to_json(const AuditEntry& e);
std::string audit_hash(const AuditEntry& e);  // over every field but `hash`

struct AuditVerdict {
  int64_t entries = 0;
  std::optional<int64_t> first_broken;  // seq of the first entry that does not hold
  std::string problem;                  // why, lower case
  int64_t head_seq = 0;                 // the last entry (0: none)
  std::string head_hash;                // its hash: what an auditor pins outside the store
  std::optional<int64_t> pinned_seq;    // the entry whose hash is `pinned_head`, when found
};
// Walks the chain. Truncation (the last entries deleted, or the tail rewritten and re-chained)
// leaves a chain that holds; `pinned_head` — a head hash kept outside the store (the service
// logs each entry's hash; `audit verify` prints the head) — catches it: it must be the hash of
// an entry of the intact chain, which proves that the trail it ended is still a prefix.
// Otherwise `problem` says so and `first_broken` is the entry after the last one that remains
// (head_seq + 1) when the pinned head is missing.
[[nodiscard]] Result<AuditVerdict> verify_audit(store::Store& store, const std::string& pinned_head = "");

}  // namespace understudy::report
