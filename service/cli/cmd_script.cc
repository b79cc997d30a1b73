// cmd_script.cc — `understudy script --pair NAME [--output FILE] [narrowing options of sync]`:
// the plan as a standalone sqlcmd script (replay/script.h). Changes nothing, journals nothing.
// Exit 0 when written (whether or not it has actions).
#include <fstream>
#include <ostream>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "cli/sync_options.h"
#include "ops/context.h"
#include "replay/script.h"
#include "replay/sync.h"
#include "store/store.h"

namespace understudy::cli {

int run_script(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  auto req = sync_request(inv, "script");
  if (!req) return inv.fail(req.error());
  auto st = ops::open_store(**cfg);
  if (!st) return inv.fail(st.error());
  auto plan = replay::plan_pair(**cfg, **st, *req);
  if (!plan) return inv.fail(plan.error());
  const std::string script = replay::render_script(*plan);
  const std::string path = inv.value("output");
  if (path.empty() || path == "-") {
    inv.out() << script;
    return 0;
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << script;
  f.close();
  if (!f) return inv.fail(Error(ErrorCode::kIo, "cannot write " + path));
  return 0;
}

}  // namespace understudy::cli
