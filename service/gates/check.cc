// The built-in check types. To add one (replication, landing, orphaned_users,
// freshness): a Check subclass, a parser, a row in kTypes, and a Need bit for any new input.
#include "gates/check.h"

#include <algorithm>
#include <set>

#include "gates/check_cutover.h"
#include "gates/evaluate.h"
#include "gates/validate.h"

namespace understudy::gates {
namespace {

namespace v = validate;

// ---- no_drift: the named kinds show none of the named drift problems ----
class NoDrift final : public Check {
 public:
  NoDrift(std::vector<catalog::Kind> kinds, std::vector<std::string> problems)
      : kinds_(std::move(kinds)), problems_(std::move(problems)) {}
  std::string_view type() const override { return "no_drift"; }
  unsigned needs() const override { return kNeedPrimarySnapshot | kNeedTarget; }
  CheckOutcome run(const EvalContext& ctx) const override {
    CheckOutcome out{std::string(type()), Verdict::kPass, {}, {}};
    for (const auto& d : ctx.input.drift) {
      if (std::find(kinds_.begin(), kinds_.end(), d.kind) == kinds_.end()) continue;
      if (std::find(problems_.begin(), problems_.end(), d.problem) == problems_.end()) continue;
      out.failures.push_back({d.kind, d.key, d.problem, d.fields});
    }
    std::sort(out.failures.begin(), out.failures.end(), failure_less);
    if (!out.failures.empty()) {
      out.verdict = Verdict::kFail;
      out.reason = std::to_string(out.failures.size()) + " drift finding(s)";
    } else {
      out.reason = "no drift";
    }
    return out;
  }
  nlohmann::json to_json() const override {
    auto kinds = nlohmann::json::array();
    for (auto k : kinds_) kinds.push_back(catalog::kind_name(k));
    return {{"type", type()}, {"kinds", kinds}, {"problems", problems_}};
  }

 private:
  std::vector<catalog::Kind> kinds_;
  std::vector<std::string> problems_;
};

Result<std::shared_ptr<const Check>> parse_no_drift(const nlohmann::json& j, const std::string& p) {
  US_TRY(v::object(j, p, {"type", "kinds", "problems"}, {"type", "kinds"}));
  auto kinds_json = v::array(j, "kinds", p);
  if (!kinds_json) return tl::unexpected(kinds_json.error());
  std::vector<catalog::Kind> kinds;
  for (size_t i = 0; i < (*kinds_json)->size(); ++i) {
    auto k = v::kind((**kinds_json)[i], v::child(v::child(p, "kinds"), i));
    if (!k) return tl::unexpected(k.error());
    if (std::find(kinds.begin(), kinds.end(), *k) != kinds.end())
      return v::problem(v::child(v::child(p, "kinds"), i), "duplicate kind \"" + std::string(catalog::kind_name(*k)) + "\"");
    kinds.push_back(*k);
  }
  std::vector<std::string> problems = {"missing", "different", "sid_mismatch"};
  if (j.contains("problems")) {
    auto pj = v::array(j, "problems", p);
    if (!pj) return tl::unexpected(pj.error());
    problems.clear();
    std::vector<std::string_view> allowed(std::begin(kDriftProblems), std::end(kDriftProblems));
    for (size_t i = 0; i < (*pj)->size(); ++i) {
      auto pr = v::one_of((**pj)[i], v::child(v::child(p, "problems"), i), allowed, "problem");
      if (!pr) return tl::unexpected(pr.error());
      if (std::find(problems.begin(), problems.end(), *pr) != problems.end())
        return v::problem(v::child(v::child(p, "problems"), i), "duplicate problem \"" + *pr + "\"");
      problems.push_back(*pr);
    }
  }
  return std::make_shared<const NoDrift>(std::move(kinds), std::move(problems));
}

// ---- required_objects: each object exists on the target and matches the primary ----
class RequiredObjects final : public Check {
 public:
  explicit RequiredObjects(std::vector<ObjectRef> objects) : objects_(std::move(objects)) {}
  std::string_view type() const override { return "required_objects"; }
  unsigned needs() const override { return kNeedPrimarySnapshot | kNeedTarget; }
  CheckOutcome run(const EvalContext& ctx) const override {
    CheckOutcome out{std::string(type()), Verdict::kPass, {}, {}};
    auto find = [](const std::vector<catalog::ServerObject>& objs, const ObjectRef& ref) {
      auto key = catalog::fold_name(ref.key);
      return std::find_if(objs.begin(), objs.end(),
                          [&](const catalog::ServerObject& o) { return o.kind == ref.kind && o.match_key() == key; }) !=
             objs.end();
    };
    for (const auto& ref : objects_) {
      bool on_primary = find(ctx.primary->objects, ref);
      bool on_target = find(ctx.target->objects, ref);
      if (!on_primary) {
        out.failures.push_back({ref.kind, ref.key, std::string(kProblemAbsentOnPrimary),
                                {{"present_on_target", on_target}}});
        continue;
      }
      if (!on_target) {
        out.failures.push_back({ref.kind, ref.key, "missing", nlohmann::json::object()});
        continue;
      }
      auto key = catalog::fold_name(ref.key);
      for (const auto& d : ctx.input.drift) {
        if (d.kind == ref.kind && catalog::fold_name(d.key) == key && d.problem != "missing" && d.problem != "extra")
          out.failures.push_back({d.kind, d.key, d.problem, d.fields});
      }
    }
    std::sort(out.failures.begin(), out.failures.end(), failure_less);
    if (!out.failures.empty()) {
      out.verdict = Verdict::kFail;
      out.reason = std::to_string(out.failures.size()) + " of " + std::to_string(objects_.size()) +
                   " required object(s) not ready";
    } else {
      out.reason = "all " + std::to_string(objects_.size()) + " required object(s) present and matching";
    }
    return out;
  }
  nlohmann::json to_json() const override {
    auto objs = nlohmann::json::array();
    for (const auto& o : objects_) objs.push_back({{"kind", catalog::kind_name(o.kind)}, {"key", o.key}});
    return {{"type", type()}, {"objects", objs}};
  }

 private:
  std::vector<ObjectRef> objects_;
};

Result<std::shared_ptr<const Check>> parse_required_objects(const nlohmann::json& j, const std::string& p) {
  US_TRY(v::object(j, p, {"type", "objects"}, {"type", "objects"}));
  auto arr = v::array(j, "objects", p);
  if (!arr) return tl::unexpected(arr.error());
  std::vector<ObjectRef> objects;
  std::set<std::pair<catalog::Kind, std::string>> seen;
  for (size_t i = 0; i < (*arr)->size(); ++i) {
    auto op = v::child(v::child(p, "objects"), i);
    const auto& o = (**arr)[i];
    US_TRY(v::object(o, op, {"kind", "key"}, {"kind", "key"}));
    auto k = v::kind(o.at("kind"), v::child(op, "kind"));
    if (!k) return tl::unexpected(k.error());
    auto key = v::string(o, "key", op);
    if (!key) return tl::unexpected(key.error());
    if (!seen.insert({*k, catalog::fold_name(*key)}).second)
      return v::problem(op, "duplicate object " + std::string(catalog::kind_name(*k)) + " \"" + *key + "\"");
    objects.push_back({*k, *key});
  }
  return std::make_shared<const RequiredObjects>(std::move(objects));
}

constexpr CheckType kTypes[] = {
    {"no_drift", "the listed kinds show none of the listed drift problems between primary snapshot and target",
     &parse_no_drift},
    {"required_objects", "each listed object exists on the target and matches the primary snapshot",
     &parse_required_objects},
    // Cutover checks (check_cutover.h).
    {"replication", "every user database of the target is healthy and synchronizing (or synchronized), lag within a bound",
     &parse_replication},
    {"landing", "the read-write listener reaches the expected primary (READ_WRITE), the read-only one the secondary (READ_ONLY)",
     &parse_landing},
    {"orphaned_users", "no database user on the target is mapped to a login SID the target does not have",
     &parse_orphaned_users},
    {"freshness", "the latest primary snapshot is within the allowed age; says when the primary is unreachable",
     &parse_freshness},
    {"tsql", "a T-SQL batch completes without error on the target (or the primary); run in a transaction that is rolled back",
     &parse_tsql},
    // jobs_active.
    {"jobs_active", "Agent jobs enabled on the live primary only: none enabled on the live secondary, none of those "
                    "enabled on the primary's last snapshot disabled on the live primary",
     &parse_jobs_active},
};

}  // namespace

std::span<const CheckType> check_types() { return kTypes; }

Result<std::shared_ptr<const Check>> parse_check(const nlohmann::json& value, const std::string& pointer) {
  if (!value.is_object()) return v::problem(pointer, "expected an object, found " + v::type_phrase(value));
  if (!value.contains("type")) return v::problem(v::child(pointer, "type"), "required property missing");
  std::vector<std::string_view> names;
  for (const auto& t : kTypes) names.push_back(t.name);
  auto type = v::one_of(value.at("type"), v::child(pointer, "type"), names, "check type");
  if (!type) return tl::unexpected(type.error());
  for (const auto& t : kTypes)
    if (t.name == *type) return t.parse(value, pointer);
  return v::problem(pointer, "unreachable");
}

}  // namespace understudy::gates
