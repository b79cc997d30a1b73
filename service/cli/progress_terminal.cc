#include "cli/progress_terminal.h"

#include <unistd.h>

#include <ostream>

namespace understudy::cli {

void show_progress(const Invocation& inv, ops::Context& ctx) {
  if (inv.flag("quiet") || isatty(STDERR_FILENO) != 1) return;
  std::ostream* err = &inv.err();
  ctx.set_progress(
      [err](const ProgressState& s) {
        *err << '\r' << progress_line(s) << "\x1b[K" << (s.finished ? "\n" : "") << std::flush;
      },
      std::chrono::milliseconds(200));
}

}  // namespace understudy::cli
