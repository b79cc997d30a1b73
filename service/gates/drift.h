// drift.h — turns diff's findings into the Drift values gates evaluate.
//
// fields of a drift entry carry what an auditor needs and nothing secret: severity, the reason,
// the names of the changed fields with before/after for non-secret ones (as diff renders them:
// a secret only as "differs"), and booleans sid_matches / password_hash_matches.
// Thread-safety: pure.
#pragma once

#include <vector>

#include "diff/diff.h"
#include "gates/evaluate.h"

namespace understudy::gates {

std::vector<Drift> drift_from(const diff::Comparison& comparison);

}  // namespace understudy::gates
