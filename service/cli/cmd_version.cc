// cmd_version.cc — `understudy version`.
#include <ostream>

#include "cli/handlers.h"
#include "cli/help.h"
#include "cli/invocation.h"

namespace understudy::cli {

int run_version(const Invocation& inv) {
  inv.out() << "understudy " << version() << "\n";
  return 0;
}

}  // namespace understudy::cli
