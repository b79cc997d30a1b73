// planner.h — builds a Plan from a drift: which action fixes each finding, in dependency order.
//
//   missing       create (guarded by an existence check, so re-applying is a no-op)
//   different     alter in place, only the differing fields (ALTER LOGIN … HASHED with
//                 CHECK_POLICY off and restored, sp_update_job/jobstep/schedule, sp_serveroption …)
//   sid_mismatch  drop and recreate with the source's SID — only with allow_recreate, and the
//                 action says what is lost; otherwise skipped and blocked with advice
//   different linked-server definition (provider, data source … — sp_serveroption cannot change
//                 it): drop and recreate, re-adding the source's login mappings of that server —
//                 only with allow_recreate, otherwise blocked with advice
//   extra         reported and kept; prune disable disables extra logins and jobs, prune drop drops
//   incompatible  never attempted: listed with the reason and what to do; a Windows login named in
//                 windows_to_entra becomes a create of that Entra login instead
// Order: credentials → logins → server roles → memberships → permissions → linked servers →
// their login mappings → categories → operators → proxies → schedules → jobs; drops last, in
// reverse. (Logins precede server roles because a role's owner may be a login; nothing in a login
// depends on a role.) Actions needing a secret the resolver does not know are blocked
// ("secret unknown"), never planned with a blank.
// Thread-safety: pure function.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "catalog/object.h"
#include "diff/diff.h"
#include "replay/plan.h"

namespace understudy::replay {

struct PlanInput {
  std::string pair;
  std::string target;  // the target instance's config name
  std::string source_instance;  // the source (live primary) instance's config name
  bool reversed = false;        // the live roles are the reverse of the pair's configuration
  std::string direction;        // how the roles were established (roles::Roles::describe)
  // Target objects stranded there by a failover (kind name + '|' + match key -> why): their
  // actions are blocked (Block::kStranded), never run by a sync.
  std::map<std::string, std::string> stranded;
  std::optional<int64_t> source_snapshot;
  std::string created_at;  // "" = now
  std::span<const catalog::ServerObject> source;   // sealed; SQL logins with password hashes
  std::span<const catalog::ServerObject> target_objects;
  const diff::Comparison* drift = nullptr;             // REQUIRES: compare(source, target_objects)
  std::map<std::string, std::string> windows_to_entra;  // "DOMAIN\\user" -> Entra login (MI)
  // Whether a credential / linked-server secret can be found (config secret sources). nullptr =
  // assume yes (the executor checks again). Password hashes are known from `source`.
  std::function<bool(const tsql::SecretRef&)> secret_known;
};

[[nodiscard]] Result<Plan> build_plan(const PlanInput& in, const PlanOptions& options);

}  // namespace understudy::replay
