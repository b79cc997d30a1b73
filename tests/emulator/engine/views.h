// views.h — the list of catalog views the state layer exposes (views.cc), for fidelity tests
// and for anything that needs to enumerate them. Per-database views carry the suffix of their
// SQLite source ("database_principals"); resolve_view() returns the per-database name.
// Thread-safety: immutable after first use.
#pragma once

#include <vector>

#include "engine/context.h"

namespace emu {

const std::vector<ViewDef>& all_views();

}  // namespace emu
