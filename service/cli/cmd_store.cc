// cmd_store.cc — `understudy store copy --from FILE_OR_URL --to FILE_OR_URL`: the whole store onto
// another (ops/store_copy.h). A PostgreSQL URL's password comes from the config's
// store_password_env / store_password_file (else libpq's ~/.pgpass). Exit 0 copied and verified;
// 65 when the target is not empty or the copy does not verify (nothing kept); the stores' errors
// as such.
#include <ostream>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "config/secrets.h"
#include "ops/store_copy.h"
#include "store/sql.h"

namespace understudy::cli {

int run_store_copy(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  const std::string from = inv.value("from"), to = inv.value("to");
  auto password_for = [&](const std::string& where) -> Result<Secret> {
    if (!store::is_postgres_url(where)) return Secret();
    return config::store_password(**cfg);
  };
  auto from_pw = password_for(from);
  if (!from_pw) return inv.fail(from_pw.error());
  auto to_pw = password_for(to);
  if (!to_pw) return inv.fail(to_pw.error());
  auto r = ops::copy_store(from, *from_pw, to, *to_pw);
  if (!r) return inv.fail(r.error());
  inv.out() << "copied " << from << " to " << to << "\n";
  for (const auto& [table, n] : r->rows) inv.out() << "  " << table << ": " << n << "\n";
  inv.out() << "verified: every table's row count matches; audit trail intact on the copy: " << r->audit_entries
            << " entr" << (r->audit_entries == 1 ? "y" : "ies");
  if (!r->audit_head.empty()) inv.out() << ", head " << r->audit_head;
  inv.out() << "\n";
  return 0;
}

}  // namespace understudy::cli
