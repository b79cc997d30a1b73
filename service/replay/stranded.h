// stranded.h — server-state stranded on a former primary by a failover.
//
// When a pair's roles swap, the instance that was primary (now the target) may hold objects that
// never reached the new primary: created or changed after the last of its state that a sync
// carried across. Like the transactions a forced failover loses, they are *stranded*: a sync must
// neither prune nor overwrite them, and only an operator carries them over (sync --carry-stranded).
//
// How they are found, from the sync journal and the store (no guessing from dates):
//   1. the reference: the source snapshot of the latest applied sync of the pair that went the
//      other way (target = today's source, source snapshot of today's target) — the last state
//      of today's target that reached today's source;
//   2. every source snapshot of the applied syncs since then that wrote onto today's target
//      (what Understudy itself put there after the swap);
//   3. a target object is stranded when its version (fingerprint) is in none of those snapshots.
// No such reference (the pair never synced the other way, or only from live reads): nothing is
// reported stranded. "Last seen" is when the newest snapshot of the target holding exactly that
// version was taken, else "" (only the live read has it).
//
// `expect`: versions are compared as the pair expects them on a secondary (diff/expectation.h:
// an Agent job's `enabled` flag is `activate`'s to set, not a change that can be stranded).
// Thread-safety: one call at a time per Store. Ownership: borrows the store.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/object.h"
#include "config/config.h"
#include "store/store.h"

namespace understudy::replay {

struct StrandedObject {
  catalog::Kind kind = catalog::Kind::kLogin;
  std::string key;
  std::string last_seen;          // UTC RFC 3339 of the target's newest snapshot with this version; "" = live only
  int64_t reference_snapshot = 0;  // the last snapshot of the target that reached the source
};

// `source`, `target`: config instance names of today's live primary and secondary.
[[nodiscard]] Result<std::vector<StrandedObject>> find_stranded(store::Store& store, const std::string& pair,
                                                                const std::string& source, const std::string& target,
                                                                const std::vector<catalog::ServerObject>& target_objects,
                                                                const config::Pair* expect = nullptr);

// How the latest applied sync of `pair` established its direction (its plan's `direction`:
// "roles read live (…)…" or "no HA group visible: …"); nullopt when the pair has none.
[[nodiscard]] Result<std::optional<std::string>> last_applied_direction(store::Store& store, const std::string& pair);

// The planner's form: kind name + '|' + match key -> the blocked reason.
std::map<std::string, std::string> stranded_reasons(const std::vector<StrandedObject>& stranded,
                                                    const std::string& source, const std::string& target);

}  // namespace understudy::replay
