#include "ops/audit.h"

#include "base/time.h"

namespace understudy::ops {

Status audit_append(Context& ctx, report::AuditEntry e) {
  US_TRY(ctx.refuse_if_damaged());
  US_TRY(ctx.records_ready());
  e.at = format_utc(ctx.now());
  auto r = ctx.with_store([&](store::Store& s) { return report::append_audit(s, std::move(e)); });
  if (!r) return tl::unexpected(r.error());
  if (ctx.audit_listener()) ctx.audit_listener()(*r);
  return {};
}

Result<std::vector<report::AuditEntry>> audit(Context& ctx, int64_t after_seq, int64_t limit) {
  US_TRY(ctx.records_ready());
  return ctx.with_store([&](store::Store& s) { return report::list_audit(s, after_seq, limit); });
}

Result<report::AuditVerdict> verify_audit(Context& ctx, const std::string& pinned_head) {
  US_TRY(ctx.records_ready());
  return ctx.with_store([&](store::Store& s) { return report::verify_audit(s, pinned_head); });
}

Result<std::optional<report::Run>> run(Context& ctx, const std::string& id) {
  US_TRY(ctx.records_ready());
  return ctx.with_store([&](store::Store& s) { return report::get_run(s, id); });
}

}  // namespace understudy::ops
