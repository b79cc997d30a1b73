#include "ops/activate.h"

#include "report/activation.h"

namespace understudy::ops {

Result<replay::ActivateReport> activate(Context& ctx, const config::Pair& pair, const std::string& actor) {
  auto pair_lock = ctx.try_lock_pair(pair.name);
  if (!pair_lock.owns_lock())
    return fail(ErrorCode::kLockHeld, "a sync of pair '" + pair.name + "' is running", "wait for it and retry");
  US_TRY(ctx.records_ready());
  auto own = ctx.own_store();
  if (!own) return tl::unexpected(own.error());
  return report::activate_pair(ctx.config(), **own, pair, actor);
}

}  // namespace understudy::ops
