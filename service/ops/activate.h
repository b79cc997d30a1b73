// activate.h — the activate operation: after a role change, the pair's Agent jobs enabled on the
// live primary and disabled on the live secondary (replay/activate.h plans and applies it,
// report/activation.h finds the snapshot of intent and audits it). `understudy activate` and
// POST /v1/pairs/{pair}/activate both call it.
//
// Errors: kLockHeld when a sync of the pair runs in this process; kRolesUnknown when the roles
// cannot be told (nothing written); kNotFound when there is no snapshot of intent; connection
// errors of the primary (kUnavailable). Thread-safety: as Context; under the pair's sync lock, on
// a store connection of its own (Context::own_store: live reads and writes of both instances).
#pragma once

#include <string>

#include "base/result.h"
#include "config/config.h"
#include "ops/context.h"
#include "replay/activate.h"

namespace understudy::ops {

// `actor`: who asked, for the audit entry.
[[nodiscard]] Result<replay::ActivateReport> activate(Context& ctx, const config::Pair& pair, const std::string& actor);

}  // namespace understudy::ops
