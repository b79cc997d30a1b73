// run_id.h — run ids: what ties a snapshot, a diff, a sync, its journal, its log lines and the
// report rows of one run together, whoever started it (CLI or service).
// Thread-safety: reentrant.
#pragma once

#include <string>

namespace understudy {

// A fresh run id: 16 lower-case hex digits from std::random_device.
std::string new_run_id();

}  // namespace understudy
