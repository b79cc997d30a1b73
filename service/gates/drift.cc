#include "gates/drift.h"

namespace understudy::gates {

std::vector<Drift> drift_from(const diff::Comparison& comparison) {
  std::vector<Drift> out;
  out.reserve(comparison.findings.size());
  for (const auto& f : comparison.findings) {
    Drift d;
    d.kind = f.kind;
    d.key = f.key;
    d.problem = std::string(diff::category_name(f.category));
    if (!f.name.empty()) d.fields["name"] = f.name;
    d.fields["severity"] = diff::severity_name(f.severity);
    if (!f.reason.empty()) d.fields["reason"] = f.reason;
    if (!f.changes.empty()) {
      auto changes = nlohmann::json::array();
      for (const auto& c : f.changes) {
        if (c.secret) {
          changes.push_back({{"field", c.field}, {"before", "differs"}, {"after", "differs"}});
          if (c.field == "password_hash") d.fields["password_hash_matches"] = false;
        } else {
          changes.push_back({{"field", c.field}, {"before", c.before}, {"after", c.after}});
        }
        if (c.field == "sid") d.fields["sid_matches"] = false;
      }
      d.fields["changes"] = changes;
    }
    if (f.category == diff::Category::kSidMismatch) d.fields["sid_matches"] = false;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace understudy::gates
