// ddl.cc — placeholder until the DDL parser lands (CREATE/ALTER/DROP LOGIN, SERVER ROLE, GRANT…).
#include "engine/state.h"

namespace emu {

bool CatalogState::is_ddl_start(const std::vector<Token>&, size_t) { return false; }

bool CatalogState::execute_ddl(ExecContext& ctx, const std::vector<Token>&, size_t*) {
  ctx.error(40000, "DDL not implemented yet");
  return false;
}

}  // namespace emu
