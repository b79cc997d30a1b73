// replication: every user database of the target takes part in replication, is HEALTHY and in the
// required state (?state=synchronizing, the default, or ?state=synchronized before a planned
// failover), with its lag within ?max_lag_seconds= when a bound is set.
//
// Availability groups and the MI link's distributed AG report synchronization_state_desc
// (SYNCHRONIZING / SYNCHRONIZED / NOT SYNCHRONIZING / REVERTING / INITIALIZING) and a health.
// Failover-group links report replication_state_desc; CATCH_UP is "synchronizing", and since a geo
// link has no synchronized state, it counts as synchronized only with a reported lag of 0.
// A lag bound with no reported lag fails (lag_unknown): the gate never passes on what it cannot see.
// A failover group's replication_lag_sec is filled on the primary database only, so it is read
// there (cutover_sources.cc); the primary's list of ONLINE user databases is compared with the
// target's, since a database still seeding is not on the target yet (missing_on_target). When the
// primary cannot be read, what it alone can tell is unknown: the check then never passes (unknown,
// naming the primary's error) but still fails on what the target itself shows.
#include "gates/check_cutover.h"
#include "gates/validate.h"

namespace understudy::gates {
namespace {

namespace v = validate;

constexpr std::string_view kType = "replication";

bool meets_state(const DatabaseReplica& d, const std::string& required) {
  if (d.mechanism == "failover_group") {
    if (d.state != "CATCH_UP") return false;
    return required == "synchronizing" || (d.lag_seconds && *d.lag_seconds == 0);
  }
  if (d.state == "SYNCHRONIZED") return true;
  return required == "synchronizing" && d.state == "SYNCHRONIZING";
}

nlohmann::json describe(const DatabaseReplica& d) {
  return {{"database", d.database},
          {"mechanism", d.mechanism.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.mechanism)},
          {"group", d.group.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.group)},
          {"role", d.role.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.role)},
          {"state", d.state.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.state)},
          {"health", d.health.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.health)},
          {"lag_seconds", d.lag_seconds ? nlohmann::json(*d.lag_seconds) : nlohmann::json(nullptr)},
          {"lag_reported_by", d.lag_reported_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.lag_reported_by)}};
}

nlohmann::json primary_side(const HaState& ha) {
  if (ha.primary_error) return {{"instance", nullptr}, {"error", ha.primary_error->message}};
  return {{"instance", ha.primary_instance}, {"databases", ha.primary_databases}};
}

class Replication final : public Check {
 public:
  Replication(std::string state, std::optional<int64_t> max_lag) : state_(std::move(state)), max_lag_(max_lag) {}
  std::string_view type() const override { return kType; }
  unsigned needs() const override { return kNeedReplication; }

  CheckOutcome run(const EvalContext& ctx) const override {
    const auto& in = ctx.input;
    if (!in.ha) return cutover::unknown(kType, "the replication state of the target was not read");
    if (!*in.ha) return cutover::unknown(kType, "replication state unreadable: " + in.ha->error().message);
    const HaState& ha = **in.ha;
    const std::string required = cutover::param_or(in, "state", state_);
    const auto max_lag = cutover::lag_param_or(in, max_lag_);
    const std::string state_problem = required == "synchronized" ? "not_synchronized" : "not_synchronizing";

    CheckOutcome out{std::string(kType), Verdict::kPass, {}, {}, nullptr};
    auto databases = nlohmann::json::array();
    for (const auto& d : ha.replicas) {
      nlohmann::json fields = describe(d);
      fields["required_state"] = required;
      fields["max_lag_seconds"] = max_lag ? nlohmann::json(*max_lag) : nlohmann::json(nullptr);
      const std::string key = d.group.empty() ? d.database : d.database + "|" + d.group;
      auto add = [&](const char* problem) { out.failures.push_back({catalog::Kind::kInstance, key, problem, fields, "database"}); };
      if (d.mechanism.empty()) {
        add("not_replicated");
      } else {
        if (d.health != "HEALTHY") add("unhealthy");
        if (!meets_state(d, required)) add(state_problem.c_str());
        if (max_lag && !d.lag_seconds) add("lag_unknown");
        if (max_lag && d.lag_seconds && *d.lag_seconds > *max_lag) add("lag_above_bound");
      }
      databases.push_back(describe(d));
    }
    for (const auto& db : ha.missing_on_target) {
      nlohmann::json fields = {{"database", db}, {"primary", ha.primary_instance}};
      out.failures.push_back({catalog::Kind::kInstance, db, "missing_on_target", std::move(fields), "database"});
    }
    out.details = {{"instance", ha.instance}, {"required_state", required},
                   {"max_lag_seconds", max_lag ? nlohmann::json(*max_lag) : nlohmann::json(nullptr)},
                   {"databases", databases}, {"primary", primary_side(ha)}};
    if (ha.databases.empty()) {
      // Nothing replicates: a DR target without user databases is not ready, say so.
      out.failures.push_back({catalog::Kind::kInstance, ha.instance, "no_user_databases", nlohmann::json::object(), "database"});
    }
    cutover::conclude(out, "replication finding(s)",
                      "all " + std::to_string(ha.databases.size()) + " user database(s) healthy and " + required +
                          (max_lag ? ", lag within " + std::to_string(*max_lag) + " s" : ""));
    if (out.verdict == Verdict::kPass && ha.primary_error) {
      out.verdict = Verdict::kUnknown;
      out.reason = "the primary could not be read (" + ha.primary_error->message +
                   "): databases it has that the target lacks, and failover-group lag, are reported there only";
    }
    return out;
  }

  nlohmann::json to_json() const override {
    nlohmann::json j = {{"type", kType}, {"state", state_}};
    if (max_lag_) j["max_lag_seconds"] = *max_lag_;
    return j;
  }

 private:
  std::string state_;
  std::optional<int64_t> max_lag_;
};

}  // namespace

Result<std::shared_ptr<const Check>> parse_replication(const nlohmann::json& j, const std::string& p) {
  US_TRY(v::object(j, p, {"type", "state", "max_lag_seconds"}, {"type"}));
  std::string state = "synchronizing";
  if (j.contains("state")) {
    auto s = v::one_of(j.at("state"), v::child(p, "state"), {"synchronizing", "synchronized"}, "state");
    if (!s) return tl::unexpected(s.error());
    state = *s;
  }
  std::optional<int64_t> max_lag;
  if (j.contains("max_lag_seconds")) {
    auto m = v::integer(j, "max_lag_seconds", p, 0, 86400);
    if (!m) return tl::unexpected(m.error());
    max_lag = *m;
  }
  return std::make_shared<const Replication>(std::move(state), max_lag);
}

}  // namespace understudy::gates
