// script.h — a plan as a standalone T-SQL script for sqlcmd (`understudy script`).
//
// One batch per runnable action, each followed by GO, exactly the batch the executor sends
// (Action::batch: own transaction, rollback and error 50000 on failure), so a failing object
// does not stop the script. Secrets are sqlcmd variables US_SECRET_1 … listed in the header with
// what each one is; they are never in the script — set them in the environment (sqlcmd reads
// scripting variables from it) or with -v. Blocked and incompatible actions appear as comments
// with their reason. Batches whose data sqlcmd would interpret are sent as dynamic SQL
// (tsql/sqlcmd.h). Run with `sqlcmd -S … -I -i FILE` (no -b: one failure must not stop the rest).
// Thread-safety: pure function.
#pragma once

#include <string>

#include "replay/plan.h"

namespace understudy::replay {

std::string render_script(const Plan& plan);

}  // namespace understudy::replay
