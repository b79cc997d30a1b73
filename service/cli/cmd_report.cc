// cmd_report.cc — `understudy report --pair P`: the drift report (ops::drift_report, the same
// operation GET /v1/reports/drift calls) as JSON, CSV or the HTML page, on standard output.
// Exit 0; 64 usage (a bad time, --table without csv); 66 unknown pair or no store; store errors as such.
#include <ostream>

#include "base/time.h"
#include "cli/handlers.h"
#include "cli/invocation.h"
#include "ops/gate.h"
#include "ops/report.h"

namespace understudy::cli {

namespace {

Result<std::string> report_time(const Invocation& inv, const char* name) {
  auto v = inv.get(name);
  if (!v) return std::string();
  auto t = parse_utc(*v);
  if (!t)
    return fail(ErrorCode::kUsage, std::string("--") + name + " must be an RFC 3339 UTC time such as 2026-11-27T00:00:00Z");
  return format_utc(*t);
}

}  // namespace

int run_report(const Invocation& inv) {
  auto pair_name = inv.get("pair");
  if (!pair_name) return inv.fail(Error(ErrorCode::kUsage, "--pair is required", "understudy report --pair NAME"));
  auto since = report_time(inv, "since");
  if (!since) return inv.fail(since.error());
  auto until = report_time(inv, "until");
  if (!until) return inv.fail(until.error());
  const std::string format = inv.value("format");
  const std::string table = inv.value("table");
  if (inv.origin("table") != "default" && format != "csv")
    return inv.fail(Error(ErrorCode::kUsage, "--table applies to --format csv only"));
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  if (auto pair = (*cfg)->pair(*pair_name); !pair) return inv.fail(pair.error());
  auto registry = ops::load_gates(**cfg);
  if (!registry) return inv.fail(registry.error());
  auto ctx = ops::Context::open(**cfg, {.create_store = false});
  if (!ctx) return inv.fail(ctx.error());
  auto rep = ops::drift_report(**ctx, **registry, *pair_name, *since, *until);
  if (!rep) return inv.fail(rep.error());
  if (format == "csv")
    inv.out() << report::to_csv(*rep, table);
  else if (format == "html")
    inv.out() << report::to_html(*rep);
  else
    inv.out() << report::to_json(*rep).dump(2) << "\n";
  return 0;
}

}  // namespace understudy::cli
