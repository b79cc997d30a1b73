#include "ops/report.h"

namespace understudy::ops {

Result<report::DriftReport> drift_report(Context& ctx, const gates::GateRegistry& gates, const std::string& pair,
                                         const std::string& since, const std::string& until) {
  US_TRY(ctx.records_ready());
  auto rep = ctx.with_store([&](store::Store& s) { return report::collect(s, pair, since, until); });
  if (!rep) return rep;
  auto set = gates.current();
  for (const auto& [name, g] : *set) {
    if (!g->applies_to(pair)) continue;
    for (const auto& e : g->exceptions)
      if (e.until_unix > ctx.now()) rep->exceptions.push_back({name, e});
  }
  return rep;
}

}  // namespace understudy::ops
