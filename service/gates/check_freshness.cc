// freshness: the latest complete snapshot of the pair's primary is no older than the allowed age
// (?max_age=, else the gate's max_snapshot_age_seconds, else the pair's max_snapshot_age). The
// primary is probed live: when it cannot be reached (the region is dark) the check still answers
// from the snapshot and says so — primary_reachable false, snapshot id and age — and fails once
// the snapshot is older than allowed, never a silent pass on stale state.
// No snapshot at all fails (problem missing); a store error is unknown.
#include "base/time.h"
#include "gates/check_cutover.h"
#include "gates/validate.h"

namespace understudy::gates {
namespace {

namespace v = validate;

constexpr std::string_view kType = "freshness";

class Freshness final : public Check {
 public:
  std::string_view type() const override { return kType; }
  unsigned needs() const override { return kNeedPrimaryAnyAge | kNeedPrimaryProbe; }

  CheckOutcome run(const EvalContext& ctx) const override {
    const auto& in = ctx.input;
    const int64_t max_age =
        in.max_age_seconds.value_or(ctx.gate.max_snapshot_age_seconds.value_or(in.pair_max_age_seconds));
    const std::string reach = in.primary_reachable ? "primary reachable" : "primary unreachable";
    CheckOutcome out{std::string(kType), Verdict::kPass, {}, {}, nullptr};
    out.details = {{"primary_reachable", in.primary_reachable}, {"max_age_seconds", max_age}};
    if (!in.primary) return cutover::unknown(kType, "no snapshot of the primary was read");
    if (!*in.primary) {
      if (in.primary->error().code != ErrorCode::kNotFound)
        return cutover::unknown(kType, "primary snapshot unreadable: " + in.primary->error().message);
      out.failures.push_back({catalog::Kind::kInstance, in.primary_instance, "missing",
                              {{"primary_reachable", in.primary_reachable}, {"max_age_seconds", max_age}}, "snapshot"});
      cutover::conclude(out, "freshness finding(s): " + in.primary->error().message + " (" + reach + ")", "");
      return out;
    }
    const PrimarySnapshot& s = **in.primary;
    const int64_t age = std::max<int64_t>(0, in.now - s.taken_at);
    nlohmann::json fields = {{"snapshot_id", s.id},
                             {"taken_at", format_utc(s.taken_at)},
                             {"age_seconds", age},
                             {"max_age_seconds", max_age},
                             {"primary_reachable", in.primary_reachable}};
    out.details = fields;
    const std::string instance = s.instance.empty() ? in.primary_instance : s.instance;
    const std::string facts = "primary snapshot " + s.id + " is " + std::to_string(age) + " s old";
    if (age > max_age) {
      out.failures.push_back({catalog::Kind::kInstance, instance, "stale", fields, "snapshot"});
      cutover::conclude(out, "freshness finding(s): " + facts + ", more than the allowed " + std::to_string(max_age) +
                                 " s (" + reach + ")",
                        "");
      return out;
    }
    cutover::conclude(out, "", facts + ", within " + std::to_string(max_age) + " s (" + reach +
                                   (in.primary_reachable ? ")" : "; gates compare against this snapshot)"));
    return out;
  }

  nlohmann::json to_json() const override { return {{"type", kType}}; }
};

}  // namespace

Result<std::shared_ptr<const Check>> parse_freshness(const nlohmann::json& j, const std::string& p) {
  US_TRY(v::object(j, p, {"type"}, {"type"}));
  return std::make_shared<const Freshness>();
}

}  // namespace understudy::gates
