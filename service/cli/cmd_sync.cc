// cmd_sync.cc — `understudy sync --pair NAME [--apply] [--kinds K,…] [--include P,…] [--exclude P,…]
//               [--stop-on-error] [--allow-recreate] [--prune none|disable|drop] [--format table|json]`.
// Without --apply: prints the plan (summary + T-SQL with secrets as placeholders), changes nothing;
// exit 0 nothing to do, 1 drift to replay. With --apply: exit 0 converged, 4 partial, 3 lock held,
// 69 target lost (replay/sync.h).
#include <pwd.h>
#include <unistd.h>

#include <ostream>

#include "catalog/object.h"
#include "cli/handlers.h"
#include "cli/invocation.h"
#include "cli/sync_options.h"
#include "replay/sync.h"
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
  auto report = replay::sync(**cfg, **st, *req);
  if (!report) return inv.fail(report.error());
  if (report->applied) {
    // Every change Understudy makes is in the audit trail, whichever face made it.
    const passwd* pw = getpwuid(geteuid());
    std::string actor = std::string("cli:") + (pw != nullptr ? pw->pw_name : std::to_string(geteuid()));
    auto migrated = report::migrate(**st);
    if (!migrated) return inv.fail(migrated.error());
    auto audited = report::append_audit(**st, {0, "", actor, "sync.apply", req->pair, report->run_id,
                                                report->audit_detail(), "", ""});
    if (!audited) return inv.fail(audited.error());
  }
  if (inv.value("format") == "json") {
    inv.out() << report->to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    inv.out() << report->to_text();
  }
  return report->exit_code();
}

}  // namespace understudy::cli
