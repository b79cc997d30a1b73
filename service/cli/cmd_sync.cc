// cmd_sync.cc — `understudy sync --pair NAME [--apply] [--kinds K,…] [--include P,…] [--exclude P,…]
//               [--stop-on-error] [--allow-recreate] [--prune none|disable|drop] [--format table|json]`.
// Without --apply: prints the plan (summary + T-SQL with secrets as placeholders), changes nothing;
// exit 0 nothing to do, 1 drift to replay. With --apply: exit 0 converged, 4 partial, 3 lock held,
// 69 target lost (replay/sync.h).
#include <chrono>
#include <ostream>

#include "catalog/object.h"
#include "cli/handlers.h"
#include "cli/invocation.h"
#include "cli/sync_options.h"
#include "gates/loader.h"
#include "http/app.h"
#include "replay/sync.h"
#include "report/activation.h"
#include "report/records.h"
#include "store/store.h"

namespace understudy::cli {

int run_sync(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  auto req = sync_request(inv, "sync");
  if (!req) return inv.fail(req.error());
  if (inv.value("format") == "csv") {
    return inv.fail(Error(ErrorCode::kUsage, "sync prints table or json", "use --format table or --format json"));
  }
  auto st = store::Store::open((*cfg)->store);
  if (!st) return inv.fail(st.error());
  auto pair = (*cfg)->pair(req->pair);
  if (!pair) return inv.fail(pair.error());
  auto due = report::activation_due(**cfg, **st, **pair);  // a role change: activate the jobs first
  if (!due) return inv.fail(due.error());
  req->activation = *due;
  // Incompatible objects the pair's gates accept (an unexpired exception) do not keep the sync
  // from converging. A bad gate file is refused here as everywhere: it names the file.
  auto gate_set = gates::load_gate_dirs(http::gate_dirs_for(**cfg));
  if (!gate_set) return inv.fail(gate_set.error());
  req->accepted = http::accepted_exceptions(
      *gate_set, req->pair,
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  // Every change Understudy makes is in the audit trail, whichever face made it: the intent
  // before the first write, the outcome at the end (replay/sync.h).
  auto migrated = report::migrate(**st);
  if (!migrated) return inv.fail(migrated.error());
  const std::string actor = cli_actor();
  store::Store& store = **st;
  req->audit = [&](const std::string& action, const std::string& run_id, const nlohmann::json& detail) -> Status {
    auto a = report::append_audit(store, {0, "", actor, action, req->pair, run_id, detail, "", ""});
    if (!a) return tl::unexpected(a.error());
    return {};
  };
  auto report = replay::sync(**cfg, store, *req);
  if (!report) return inv.fail(report.error());
  if (report->applied && report->activation) {
    auto recorded = report::record_activation(store, req->pair, actor, report->run_id, *report->activation);
    if (!recorded) return inv.fail(recorded.error());
  }
  print_report(inv, *report);
  return report->exit_code();
}

}  // namespace understudy::cli
