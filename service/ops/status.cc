#include "ops/status.h"

#include <set>
#include <tuple>

namespace understudy::ops {

Result<PairStatus> pair_status(Context& ctx, const config::Pair& pair) {
  US_TRY(ctx.records_ready());
  PairStatus out;
  out.pair = pair.name;
  out.primary = pair.primary;
  return ctx.with_store([&](store::Store& s) -> Result<PairStatus> {
    auto latest = s.latest_snapshot(pair.primary);
    if (!latest) return tl::unexpected(latest.error());
    out.primary_snapshot = *latest;
    auto evals = report::latest_evaluations(s, pair.name);
    if (!evals) return tl::unexpected(evals.error());
    std::set<std::tuple<std::string, std::string, std::string>> findings;
    for (const auto& e : *evals) {
      const auto& b = e.body;
      out.gates.push_back({b.value("gate", ""), b.value("status", ""), b.value("checked_at", "")});
      if (b.contains("failures") && b["failures"].is_array())
        for (const auto& f : b["failures"])
          findings.insert({f.value("kind", ""), f.value("key", ""), f.value("problem", "")});
    }
    for (const auto& [kind, key, problem] : findings) out.open_findings[kind]++;
    auto sync = report::latest_run(s, pair.name, "sync");
    if (!sync) return tl::unexpected(sync.error());
    out.last_sync = *sync;
    return out;
  });
}

}  // namespace understudy::ops
