// cmd_activate.cc — `understudy activate --pair NAME [--format table|json]`: Agent jobs enabled on
// the live primary and disabled on the live secondary (report/activation.h, replay/activate.h).
// Exit 0 done or nothing to do; 4 a change failed or the secondary could not be read; 5 the roles
// cannot be told (nothing written); 66 unknown pair or no snapshot; 69 the primary unreachable. Every applied activation is audited.
#include <ostream>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "replay/activate.h"
#include "report/activation.h"
#include "store/store.h"

namespace understudy::cli {

int run_activate(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  const std::string pair = inv.value("pair");
  if (pair.empty()) return inv.fail(Error(ErrorCode::kUsage, "activate needs --pair NAME"));
  if (inv.value("format") == "csv") {
    return inv.fail(Error(ErrorCode::kUsage, "activate prints table or json", "use --format table or --format json"));
  }
  auto p = (*cfg)->pair(pair);
  if (!p) return inv.fail(p.error());
  auto st = store::Store::open((*cfg)->store);
  if (!st) return inv.fail(st.error());
  auto report = report::activate_pair(**cfg, **st, **p, cli_actor());
  if (!report) return inv.fail(report.error());
  print_report(inv, *report);
  return report->exit_code();
}

}  // namespace understudy::cli
