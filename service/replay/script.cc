// script.cc — see script.h.
#include "replay/script.h"

#include <map>

#include <fmt/format.h>

#include "tsql/sqlcmd.h"

namespace understudy::replay {

std::string render_script(const Plan& plan) {
  using tsql::sqlcmd_comment;
  std::map<tsql::SecretRef, std::string> vars;
  for (const auto& a : plan.actions) {
    if (!a.runnable()) continue;
    for (const auto& ref : a.secrets()) {
      if (!vars.count(ref)) vars.emplace(ref, fmt::format("US_SECRET_{}", vars.size() + 1));
    }
  }
  const Summary s = plan.summary();
  std::string out;
  out += "-- understudy sync script: pair " + sqlcmd_comment(plan.pair) + " onto " + sqlcmd_comment(plan.target);
  out += plan.target_is_managed_instance ? " (managed instance)\n" : "\n";
  out += "-- generated " + plan.created_at;
  if (plan.source_snapshot) out += fmt::format(" from source snapshot {}", *plan.source_snapshot);
  out += fmt::format("\n-- {} create, {} alter, {} drop, {} disable; {} incompatible, {} blocked, {} skipped\n", s.create,
                     s.alter, s.drop, s.disable, s.incompatible, s.blocked, s.skipped);
  out += "-- run: sqlcmd -S SERVER -I -i THIS_FILE   (each object is its own batch and transaction)\n";
  if (!vars.empty()) {
    out += "-- secrets: set these sqlcmd variables in the environment (or with -v) before running;\n";
    out += "-- a ' inside a secret must be doubled. Password hashes are 0x… values.\n";
    // Sorted by variable number for the reader.
    std::map<size_t, const tsql::SecretRef*> by_number;
    for (const auto& [ref, name] : vars) by_number.emplace(std::stoul(name.substr(10)), &ref);
    for (const auto& [n, ref] : by_number) out += fmt::format("--   US_SECRET_{}  {}\n", n, sqlcmd_comment(ref->label()));
  }
  out += "SET NOCOUNT ON;\nGO\n";
  for (const auto& a : plan.actions) {
    out += fmt::format("\n-- #{} {} {} {} — {}\n", a.seq, operation_name(a.op), catalog::kind_name(a.kind),
                       sqlcmd_comment(a.shown()), sqlcmd_comment(a.reason));
    for (const auto& l : a.loses) out += "-- loses: " + sqlcmd_comment(l) + "\n";
    if (!a.runnable()) {
      if (a.block != Block::kNone) {
        out += fmt::format("-- not run: {}: {}\n", block_name(a.block), sqlcmd_comment(a.blocked));
      }
      if (!a.advice.empty()) out += "-- what to do: " + sqlcmd_comment(a.advice) + "\n";
      continue;
    }
    out += tsql::sqlcmd_batch(a.batch(), vars);
    out += "GO\n";
  }
  return out;
}

}  // namespace understudy::replay
