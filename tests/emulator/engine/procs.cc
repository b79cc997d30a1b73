// procs.cc — placeholder until the procedures land.
#include "engine/state.h"

namespace emu {

ProcOutcome CatalogState::call_procedure(ExecContext&, const std::vector<std::string>&, const std::vector<ProcArg>&) {
  return ProcOutcome{};
}

}  // namespace emu
