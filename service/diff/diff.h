// diff.h — drift: compares a source set of server objects with a target set.
//
// One function of two object sets (design invariant 1): snapshot vs snapshot, or snapshot vs a
// live read of the target. Per (kind, match key):
//   missing       on the source, not on the target (or `incompatible` when the target cannot hold it)
//   extra         on the target, not on the source
//   different     on both, compared fields differ: each change with before/after (the password
//                 hash only as "differs", never its value)
//   sid_mismatch  a login of the same name with another SID: it orphans database users (critical)
//   incompatible  the target cannot hold the object (Windows login or proxy on a Managed Instance,
//                 a step subsystem the target lacks, an unknown linked-server provider …), with
//                 the reason
// The `instance` kind is never a finding: the target's instance object supplies TargetFacts.
// Output order is stable: kind order (catalog::kAllKinds), then match key.
//
// Thread-safety: pure functions over plain values.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "catalog/object.h"

namespace understudy::diff {

enum class Category { kMissing, kExtra, kDifferent, kSidMismatch, kIncompatible };
// Ordered: a higher value is worse.
enum class Severity { kLow, kMedium, kHigh, kCritical };

std::string_view category_name(Category c);   // "missing", "extra", "different", "sid_mismatch", "incompatible"
std::string_view severity_name(Severity s);   // "low", "medium", "high", "critical"

struct FieldChange {
  std::string field;        // "is_disabled", "steps[2].command", "password_hash"
  nlohmann::json before;    // source value (null when absent); "differs" for a secret
  nlohmann::json after;     // target value (null when absent); "differs" for a secret
  bool secret = false;      // true for the password hash: before/after never carry it
};

struct Finding {
  catalog::Kind kind = catalog::Kind::kLogin;
  std::string key;          // as the source spells it (the target's for `extra`)
  Category category = Category::kDifferent;
  Severity severity = Severity::kMedium;
  std::vector<FieldChange> changes;  // `different` and `sid_mismatch` only
  std::string reason;                // one line, lower case: why this severity / why incompatible
  std::string name;                  // catalog::object_name: set only where the key is not the name (schedules)
};

// What the target can hold. Taken from the target set's `instance` object unless given.
struct TargetFacts {
  std::optional<int> engine_edition;          // 8 = Azure SQL Managed Instance
  std::optional<std::set<std::string>> subsystems;  // folded names from msdb.dbo.syssubsystems
  bool is_managed_instance() const { return engine_edition == 8; }
};
TargetFacts facts_from(std::span<const catalog::ServerObject> target);

struct Options {
  std::optional<TargetFacts> target_facts;  // nullopt = facts_from(target)
};

struct Comparison {
  std::vector<Finding> findings;    // stable order
  size_t source_objects = 0;        // compared objects (instance kind excluded)
  size_t target_objects = 0;
  bool drift() const { return !findings.empty(); }
};

// REQUIRES: objects sealed; at most one object per (kind, match key) in each set.
Comparison compare(std::span<const catalog::ServerObject> source, std::span<const catalog::ServerObject> target,
               const Options& options = {});

// Returns the whole objects behind `handles` (ObjectDigest::handle), in the same order.
using Fetch = std::function<Result<std::vector<catalog::ServerObject>>(std::span<const int64_t> handles)>;

// compare() for sets too large to hold whole: the same findings in the same order, from digests
// (sorted: kind order, then match key; `instance` digests are skipped). Whole objects are
// fetched only where the digests differ or have no counterpart, a few thousand at a time.
// Errors: whatever a fetch returns.
[[nodiscard]] Result<Comparison> compare_digests(std::span<const catalog::ObjectDigest> source,
                                                 std::span<const catalog::ObjectDigest> target,
                                                 const Fetch& fetch_source, const Fetch& fetch_target,
                                                 const TargetFacts& facts);

// True when the target lacks `object` by design and the source's object asks nothing of it: an
// sp_configure option a managed instance does not have, at SQL Server's default on the source.
// No finding then (incompatible.cc).
bool absent_by_design(const catalog::ServerObject& object, const TargetFacts& facts);

// Why the target cannot hold `object`, or nullopt when it can.
std::optional<std::string> incompatibility(const catalog::ServerObject& object, const TargetFacts& facts);

// JSON for one finding (reports, HTTP): {kind, key, [name,] category, severity, reason, changes:[…]}.
nlohmann::json to_json(const Finding& f);

}  // namespace understudy::diff
