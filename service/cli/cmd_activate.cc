// cmd_activate.cc — `understudy activate --pair NAME [--format table|json]`: Agent jobs enabled on
// the live primary and disabled on the live secondary (ops/activate.h).
// Exit 0 done or nothing to do; 4 a change failed or the secondary could not be read; 5 the roles
// cannot be told (nothing written); 66 unknown pair or no snapshot; 69 the primary unreachable. Every applied activation is audited.
#include <ostream>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "ops/activate.h"

namespace understudy::cli {

int run_activate(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  const std::string pair = inv.value("pair");
  if (pair.empty()) return inv.fail(Error(ErrorCode::kUsage, "activate needs --pair NAME"));
  auto p = (*cfg)->pair(pair);
  if (!p) return inv.fail(p.error());
  auto ctx = ops::Context::open(**cfg);
  if (!ctx) return inv.fail(ctx.error());
  auto report = ops::activate(**ctx, **p, ops::cli_actor());
  if (!report) return inv.fail(report.error());
  print_report(inv, *report);
  return report->exit_code();
}

}  // namespace understudy::cli
