// diff.h — the diff operation: the latest snapshot of a pair's primary against its secondary,
// read live now (`--against live`, the default) or its latest snapshot (`--against snapshot`),
// restricted to the pair's kinds and include/exclude patterns. `understudy diff` and
// GET /v1/pairs/{pair}/drift both call it; diff/report.h renders the result.
//
// Against live, the target streams past the primary's digests and objects equal to their
// counterpart are only counted, so a diff of two large, nearly equal instances holds just what
// differs (diff::compare_digests does the comparison, a pure function).
//
// Errors: kNotFound for an unknown pair or when an instance has no snapshot yet (with a hint
// naming the command that takes one), connection and SQL errors (kUnavailable, kSql, kTempFail),
// store errors (kIo, kDataErr). Thread-safety: as Context; on a store connection of its own
// (Context::own_store), so the shared one is never held across the live read.
#pragma once

#include <string>

#include "base/result.h"
#include "diff/drift.h"
#include "ops/context.h"

namespace understudy::ops {

[[nodiscard]] Result<drift::PairDrift> diff(Context& ctx, const std::string& pair, drift::Against against);

}  // namespace understudy::ops
