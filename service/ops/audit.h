// audit.h — the audit trail and the run records, read and written the same way by every face.
//
//   audit_append(): one entry of the hash-chained trail (report/records.h), stamped with the
//                   Context's clock. Every change an operation makes goes through it.
//   audit():        entries after `after_seq`, at most `limit`.
//   verify_audit(): walks the chain (`understudy audit verify`, GET /v1/audit/verify).
//   run():          one recorded run by id.
// Thread-safety: as Context. Errors: the store's (kIo, kDataErr).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ops/context.h"
#include "report/records.h"

namespace understudy::ops {

[[nodiscard]] Status audit_append(Context& ctx, report::AuditEntry entry);
[[nodiscard]] Result<std::vector<report::AuditEntry>> audit(Context& ctx, int64_t after_seq, int64_t limit);
// `pinned_head`: a head hash kept outside the store, which must still be an entry of the chain.
[[nodiscard]] Result<report::AuditVerdict> verify_audit(Context& ctx, const std::string& pinned_head = "");
[[nodiscard]] Result<std::optional<report::Run>> run(Context& ctx, const std::string& id);

}  // namespace understudy::ops
