// cmd_audit.cc — `understudy audit verify [--head HASH]`: walks the hash chain of the audit trail
// and names the first entry that does not hold; prints the head to pin outside the store, and
// with --head proves that an earlier pinned head is still an entry (nothing truncated).
// Exit 0 intact, 65 broken or the pinned head missing (bad data), store errors as such.
#include <ostream>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "ops/audit.h"

namespace understudy::cli {

int run_audit_verify(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  std::string pinned = inv.get("head").value_or("");
  if (!pinned.empty() && (pinned.size() != 64 || pinned.find_first_not_of("0123456789abcdef") != std::string::npos))
    return inv.fail(Error(ErrorCode::kUsage, "--head must be an entry hash: 64 lower-case hex digits",
                          "use the head printed by an earlier `audit verify` or logged by the service"));
  auto ctx = ops::Context::open(**cfg, {.create_store = false});
  if (!ctx) return inv.fail(ctx.error());
  auto v = ops::verify_audit(**ctx, pinned);
  if (!v) return inv.fail(v.error());
  if (v->first_broken)
    return inv.fail(Error(ErrorCode::kDataErr,
                          "audit trail broken at entry " + std::to_string(*v->first_broken) + ": " + v->problem,
                          "entries from " + std::to_string(*v->first_broken) +
                              " on cannot be trusted; compare with a backup of the store"));
  inv.out() << "audit trail intact: " << v->entries << " entr" << (v->entries == 1 ? "y" : "ies") << "\n";
  if (v->head_seq > 0) inv.out() << "head: entry " << v->head_seq << " " << v->head_hash << "\n";
  if (v->pinned_seq)
    inv.out() << "pinned head is entry " << *v->pinned_seq << ": the trail it ended is still a prefix\n";
  return 0;
}

}  // namespace understudy::cli
