// cmd_sync.cc — `understudy sync --pair NAME [--apply] [--kinds K,…] [--include P,…] [--exclude P,…]
//               [--stop-on-error] [--allow-recreate] [--prune none|disable|drop] [--format table|json]`.
// Without --apply: prints the plan (summary + T-SQL with secrets as placeholders), changes nothing;
// exit 0 nothing to do, 1 drift to replay. With --apply: exit 0 converged, 4 partial, 3 lock held,
// 69 target lost (replay/sync.h).
#include <ostream>

#include "catalog/object.h"
#include "cli/handlers.h"
#include "cli/invocation.h"
#include "cli/progress_terminal.h"
#include "cli/sync_options.h"
#include "ops/gate.h"
#include "ops/sync.h"

namespace understudy::cli {

int run_sync(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  auto req = sync_request(inv, "sync");
  if (!req) return inv.fail(req.error());
  // Incompatible objects the pair's gates accept (an unexpired exception) do not keep the sync
  // from converging. A bad gate file is refused here as everywhere: it names the file.
  auto gates = ops::load_gates(**cfg);
  if (!gates) return inv.fail(gates.error());
  auto ctx = ops::Context::open(**cfg);
  if (!ctx) return inv.fail(ctx.error());
  show_progress(inv, **ctx);
  // Recorded (run row, audit entries) as the service records its syncs: ops/sync.h.
  auto synced = ops::sync(**ctx, *(*gates)->current(), *req, ops::cli_actor());
  if (!synced) return inv.fail(synced.error());
  print_report(inv, synced->report);
  return synced->report.exit_code();
}

}  // namespace understudy::cli
