// progress_terminal.h — the progress line of long commands (snapshot, diff, sync) on a terminal.
//
// When stderr is a terminal and --quiet is not given, the operation's progress (base/progress.h)
// is drawn as one line on stderr, redrawn in place ("\r", erase to end of line) five times a
// second and ended with a newline when the run finishes. Nothing otherwise: a pipe, a file or a
// cron mail gets no progress. stdout (the command's answer) is never touched.
// Thread-safety: the sink writes to the invocation's err() from the operation's thread.
#pragma once

#include "cli/invocation.h"
#include "ops/context.h"

namespace understudy::cli {

void show_progress(const Invocation& inv, ops::Context& ctx);

}  // namespace understudy::cli
