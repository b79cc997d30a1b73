#include "report/lifecycle.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "base/time.h"
#include "catalog/object.h"

namespace understudy::report {
namespace {

std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Seconds since the epoch; -1 when unreadable (sorts first, never matches a window).
int64_t seconds_of(const std::string& t) { return parse_utc(t).value_or(-1); }

using Id = std::tuple<std::string, std::string, std::string, std::string>;  // gate, kind, folded key, problem

}  // namespace

Lifecycles lifecycles(const std::vector<EvaluationInput>& evaluations, const std::vector<SyncInput>& syncs,
                      std::string (*detail_of)(const nlohmann::json& fields)) {
  Lifecycles out;
  std::map<Id, size_t> open;  // -> index into out.findings

  // The last applied sync in [from, to] (seconds) that applied a change to (kind, folded key).
  auto changed_by = [&](const std::string& kind, const std::string& folded, int64_t from, int64_t to) -> const SyncInput* {
    const SyncInput* found = nullptr;
    for (const auto& s : syncs) {
      if (!s.applied) continue;
      int64_t t = seconds_of(s.time);
      if (t < from || t > to || !s.actions.is_array()) continue;
      for (const auto& a : s.actions)
        if (text_of(a, "outcome") == "applied" && text_of(a, "kind") == kind &&
            catalog::fold_name(text_of(a, "key")) == folded) {
          found = &s;
          break;
        }
    }
    return found;
  };

  // Evaluations and applied syncs merged in time order (an evaluation first on a tie: it saw the
  // state before the sync of the same second).
  size_t si = 0;
  auto emit_syncs_until = [&](int64_t t) {
    for (; si < syncs.size() && (t < 0 || seconds_of(syncs[si].time) < t); ++si) {
      const auto& s = syncs[si];
      if (!s.applied) continue;
      int n = 0;
      if (s.actions.is_array())
        for (const auto& a : s.actions) n += text_of(a, "outcome") == "applied";
      out.series.push_back({s.time, static_cast<int>(open.size()), n});
    }
  };

  for (const auto& e : evaluations) {
    const auto& b = e.body;
    const std::string time = text_of(b, "checked_at");
    const std::string gate = text_of(b, "gate");
    const std::string status = text_of(b, "status");
    emit_syncs_until(seconds_of(time));
    std::set<Id> listed;
    if (b.contains("failures") && b["failures"].is_array()) {
      for (const auto& f : b["failures"]) {
        const nlohmann::json fields = f.contains("fields") && f["fields"].is_object() ? f["fields"] : nlohmann::json::object();
        Id id{gate, text_of(f, "kind"), catalog::fold_name(text_of(f, "key")), text_of(f, "problem")};
        if (!listed.insert(id).second) continue;
        auto it = open.find(id);
        if (it == open.end()) {
          FindingLife life;
          life.gate = gate;
          life.kind = std::get<1>(id);
          life.key = text_of(f, "key");
          life.name = text_of(fields, "name");
          life.problem = std::get<3>(id);
          life.first_seen = time;
          life.status = "open";
          it = open.emplace(id, out.findings.size()).first;
          out.findings.push_back(std::move(life));
        }
        FindingLife& life = out.findings[it->second];
        life.last_seen = time;
        ++life.evaluations;
        life.detail = detail_of(fields);
      }
    }
    if (status == "pass" || status == "fail") {
      for (auto it = open.begin(); it != open.end();) {
        if (std::get<0>(it->first) != gate || listed.count(it->first)) {
          ++it;
          continue;
        }
        FindingLife& life = out.findings[it->second];
        life.status = "resolved";
        life.resolved_at = time;
        life.resolved_in = e.id;
        if (const SyncInput* s = changed_by(life.kind, std::get<2>(it->first), seconds_of(life.last_seen), seconds_of(time))) {
          life.resolved_by_run = s->run_id;
          life.resolved_by = s->actor;
        }
        it = open.erase(it);
      }
    }
    out.series.push_back({time, static_cast<int>(open.size()), 0});
  }
  emit_syncs_until(-1);

  std::stable_sort(out.findings.begin(), out.findings.end(), [](const FindingLife& a, const FindingLife& b) {
    if ((a.status == "open") != (b.status == "open")) return a.status == "open";
    return std::tie(a.first_seen, a.gate, a.kind, a.key, a.problem) <
           std::tie(b.first_seen, b.gate, b.kind, b.key, b.problem);
  });
  return out;
}

}  // namespace understudy::report
