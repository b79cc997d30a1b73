// cmd_diff.cc — `understudy diff --pair NAME [--against live|snapshot] [--format table|json|csv]`.
// Exit 0: no drift; 1: drift; otherwise the error's code (docs/errors.md).
#include <ostream>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "cli/progress_terminal.h"
#include "diff/report.h"
#include "ops/diff.h"

namespace understudy::cli {

int run_diff(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  auto pair = inv.value("pair");
  if (pair.empty()) return inv.fail(Error(ErrorCode::kUsage, "diff needs --pair NAME", "`understudy config check` lists the pairs"));
  auto p = (*cfg)->pair(pair);
  if (!p) return inv.fail(p.error());
  auto ctx = ops::Context::open(**cfg, {.create_store = false});
  if (!ctx) {
    auto e = ctx.error();
    if (e.code == ErrorCode::kNotFound) e.hint = "run `understudy snapshot --pair " + pair + "` first";
    return inv.fail(e);
  }
  auto against = inv.value("against") == "snapshot" ? drift::Against::kSnapshot : drift::Against::kLive;
  show_progress(inv, **ctx);
  auto d = ops::diff(**ctx, pair, against);
  if (!d) return inv.fail(d.error());
  auto format = inv.value("format");
  if (format == "json")
    inv.out() << drift::report_json(*d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else if (format == "csv")
    inv.out() << drift::report_csv(*d);
  else
    inv.out() << drift::report_table(*d);
  return d->comparison.drift() ? error_info(ErrorCode::kDrift).exit_code : 0;
}

}  // namespace understudy::cli
