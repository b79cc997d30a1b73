// cmd_gate.cc — `understudy gate GATE --pair P`: the same evaluation the service answers
// (ops::evaluate_gate) without the service. Exit 0 pass, 1 fail, 2 unknown; 64 usage,
// 66 unknown gate or pair, 65 a bad gate file, 78 configuration.
#include <iomanip>
#include <ostream>

#include "catalog/label.h"
#include "cli/handlers.h"
#include "cli/invocation.h"
#include "gates/cutover.h"
#include "ops/gate.h"

namespace understudy::cli {

namespace {

std::string shown_key(const gates::Failure& f) {
  return catalog::display_key(f.key, f.fields.is_object() ? f.fields.value("name", "") : "");
}

void print_table(std::ostream& out, const gates::GateResult& r) {
  std::string status(gates::verdict_name(r.verdict));
  for (auto& ch : status) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  out << "gate " << r.gate << " for pair " << r.pair << ": " << status << "\n";
  out << "reason: " << r.reason << "\n";
  if (!r.direction.empty()) out << "direction: " << r.direction << "\n";
  if (r.primary_snapshot_id)
    out << "primary snapshot " << *r.primary_snapshot_id << " (" << r.primary_instance << "), age "
        << r.primary_snapshot_age_seconds.value_or(0) << " s of at most " << r.max_age_seconds << " s\n";
  else
    out << "primary snapshot: none\n";
  out << "primary reachable: " << (r.primary_reachable ? "yes" : "no") << "; target: "
      << (r.target_instance.empty() ? "(not reached)" : r.target_instance) << "\n";
  for (const auto& c : r.checks) out << "  check " << c.type << ": " << gates::verdict_name(c.verdict) << " — " << c.reason << "\n";
  if (!r.failures.empty()) {
    size_t kw = 4, keyw = 3;
    for (const auto& f : r.failures) {
      kw = std::max(kw, gates::failure_kind(f).size());
      keyw = std::max(keyw, shown_key(f).size());
    }
    out << std::left << std::setw(static_cast<int>(kw + 2)) << "KIND" << std::setw(static_cast<int>(keyw + 2)) << "KEY"
        << "PROBLEM\n";
    for (const auto& f : r.failures)
      out << std::setw(static_cast<int>(kw + 2)) << gates::failure_kind(f) << std::setw(static_cast<int>(keyw + 2))
          << shown_key(f) << f.problem << "\n";
  }
  for (const auto& w : r.waived)
    out << "waived: " << gates::failure_kind(w.failure) << " " << shown_key(w.failure) << " " << w.failure.problem
        << " (" << w.reason << "; approved by " << w.approved_by << " until " << w.until << ")\n";
}

}  // namespace

int run_gate(const Invocation& inv) {
  auto name = inv.value("gate");
  auto pair_name = inv.get("pair");
  if (!pair_name) return inv.fail(Error(ErrorCode::kUsage, "--pair is required", "understudy gate GATE --pair NAME"));
  auto format = inv.get("format").value_or("table");  // table or json (the option table's allowed values)
  std::optional<int64_t> max_age;
  if (auto m = inv.get("max-age")) {
    try {
      max_age = std::stoll(*m);
    } catch (const std::exception&) {
    }
    if (!max_age || *max_age < 1) return inv.fail(Error(ErrorCode::kUsage, "--max-age must be a positive number of seconds"));
  }
  // Parameters of the cutover checks (gates/cutover.h), as the HTTP face takes them.
  std::map<std::string, std::string> params;
  if (auto v = inv.get("state")) params["state"] = *v;
  if (auto v = inv.get("max-lag-seconds")) params["max_lag_seconds"] = *v;
  if (auto v = inv.get("expect")) params["expect"] = *v;
  if (auto st = gates::validate_cutover_params(params); !st) return inv.fail(st.error());
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());
  auto pair = (*cfg)->pair(*pair_name);
  if (!pair) return inv.fail(pair.error());
  auto registry = ops::load_gates(**cfg);
  if (!registry) return inv.fail(registry.error());
  auto gate = ops::find_gate(**registry, name, *pair_name);
  if (!gate) return inv.fail(gate.error());
  auto ctx = ops::Context::open(**cfg);
  if (!ctx) return inv.fail(ctx.error());
  gates::PrimaryCache primaries;
  auto r = ops::evaluate_gate(**ctx, primaries, **gate, **pair, max_age, params).result;
  if (format == "json")
    inv.out() << gates::to_json(r).dump(2) << "\n";
  else
    print_table(inv.out(), r);
  switch (r.verdict) {
    case gates::Verdict::kPass: return 0;
    case gates::Verdict::kFail: return 1;
    case gates::Verdict::kUnknown: return 2;
  }
  return 2;
}

}  // namespace understudy::cli
