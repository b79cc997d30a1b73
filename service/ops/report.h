// report.h — the drift report operation: a pair's drift history (report/drift_report.h: every
// gate evaluation and every sync, from the CLI or the service, with what it changed) and the gate
// exceptions in force now. GET /v1/reports/drift calls it; report/drift_report.h renders it.
// Thread-safety: as Context. Errors: the store's (kIo, kDataErr).
#pragma once

#include <string>

#include "base/result.h"
#include "gates/loader.h"
#include "ops/context.h"
#include "report/drift_report.h"

namespace understudy::ops {

// `since`/`until`: RFC 3339 UTC (base/time.h), "" = open.
[[nodiscard]] Result<report::DriftReport> drift_report(Context& ctx, const gates::GateRegistry& gates,
                                                       const std::string& pair, const std::string& since,
                                                       const std::string& until);

}  // namespace understudy::ops
