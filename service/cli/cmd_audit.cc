// cmd_audit.cc — `understudy audit verify`: walks the hash chain of the audit trail and names
// the first entry that does not hold. Exit 0 intact, 65 broken (bad data), store errors as such.
#include <ostream>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "report/records.h"
#include "store/store.h"

namespace understudy::cli {

int run_audit_verify(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  auto st = store::Store::open((*cfg)->store, {.create = false});
  if (!st) return inv.fail(st.error());
  auto m = report::migrate(**st);
  if (!m) return inv.fail(m.error());
  auto v = report::verify_audit(**st);
  if (!v) return inv.fail(v.error());
  if (v->first_broken)
    return inv.fail(Error(ErrorCode::kDataErr,
                          "audit trail broken at entry " + std::to_string(*v->first_broken) + ": " + v->problem,
                          "entries from " + std::to_string(*v->first_broken) +
                              " on cannot be trusted; compare with a backup of the store"));
  inv.out() << "audit trail intact: " << v->entries << " entr" << (v->entries == 1 ? "y" : "ies") << "\n";
  return 0;
}

}  // namespace understudy::cli
