// fields.h — field-by-field comparison of two objects' fields (internal to service/diff).
//
// Compares the canonical forms (catalog/canonical.h: names folded) and reports the original
// values. Arrays of objects (job steps) are compared element by element, keyed by `step_id`
// when the elements have one, so a changed command reads "steps[2].command".
// Thread-safety: pure function.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "diff/diff.h"

namespace understudy::diff {

std::vector<FieldChange> field_changes(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace understudy::diff
