// stranded.cc — see stranded.h.
#include "replay/stranded.h"

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "diff/expectation.h"
#include "replay/journal.h"
#include "store/sql.h"

namespace understudy::replay {
namespace {

struct AppliedRun {
  std::string source, target, direction;
  std::optional<int64_t> source_snapshot;
};

// Applied runs of the pair, newest first (plan JSON: source, target, source_snapshot).
Result<std::vector<AppliedRun>> applied_runs(store::Store& st, const std::string& pair) {
  auto journal = Journal::open(st);  // makes sure the tables exist
  if (!journal) return tl::unexpected(journal.error());
  auto q = store::Stmt::prepare(st.db(), "SELECT plan_json FROM sync_run WHERE pair = ?1 AND mode = 'apply' ORDER BY id DESC");
  if (!q) return fail(ErrorCode::kIo, "reading the sync journal: " + q.error().message);
  q->bind(1, pair);
  std::vector<AppliedRun> out;
  while (true) {
    auto row = q->step();
    if (!row) return fail(row.error().code, "reading the sync journal: " + row.error().message);
    if (!*row) break;
    auto j = nlohmann::json::parse(q->is_null(0) ? std::string_view("{}") : q->text_view(0), nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    AppliedRun r;
    r.source = j.value("source", std::string());
    r.target = j.value("target", std::string());
    r.direction = j.value("direction", std::string());
    if (j.contains("source_snapshot") && j["source_snapshot"].is_number_integer())
      r.source_snapshot = j["source_snapshot"].get<int64_t>();
    out.push_back(std::move(r));
  }
  return out;
}

std::string stranded_key(catalog::Kind kind, const std::string& match_key) {
  return std::string(catalog::kind_name(kind)) + "|" + match_key;
}

}  // namespace

Result<std::vector<StrandedObject>> find_stranded(store::Store& st, const std::string& pair, const std::string& source,
                                                  const std::string& target,
                                                  const std::vector<catalog::ServerObject>& target_objects,
                                                  const config::Pair* expect) {
  auto runs = applied_runs(st, pair);
  if (!runs) return tl::unexpected(runs.error());
  // Walk back: syncs onto today's target (their sources are known versions) until the latest sync
  // the other way, whose source snapshot is the reference.
  std::vector<int64_t> known;
  std::optional<int64_t> reference;
  for (const auto& r : *runs) {
    if (r.target == target && r.source_snapshot) known.push_back(*r.source_snapshot);
    if (r.target == source && r.source == target && r.source_snapshot) {
      reference = r.source_snapshot;
      break;
    }
  }
  if (!reference) return std::vector<StrandedObject>();
  known.push_back(*reference);
  std::set<std::string> versions;  // key + fingerprint
  for (int64_t id : known) {
    auto objects = st.load_objects(id);
    if (!objects) continue;  // a snapshot since pruned from history proves nothing either way
    for (const auto& o : *objects)
      versions.insert(stranded_key(o.kind, o.match_key()) + "|" + (expect ? drift::expected_on_secondary(*expect, o) : o).fingerprint);
  }
  // "Last seen": the target's own snapshots, newest first.
  auto history = st.list_snapshots(target);
  std::vector<StrandedObject> out;
  for (const auto& o : target_objects) {
    if (o.kind == catalog::Kind::kInstance) continue;
    const std::string k = stranded_key(o.kind, o.match_key());
    if (versions.count(k + "|" + (expect ? drift::expected_on_secondary(*expect, o) : o).fingerprint)) continue;
    StrandedObject s{o.kind, o.key, "", *reference};
    if (history) {
      for (const auto& snap : *history) {
        auto objects = st.load_objects(snap.id, {.kind = o.kind});
        if (!objects) continue;
        bool found = false;
        for (const auto& x : *objects)
          if (x.match_key() == o.match_key() && x.fingerprint == o.fingerprint) found = true;
        if (found) {
          s.last_seen = snap.taken_at;
          break;
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::optional<std::string>> last_applied_direction(store::Store& st, const std::string& pair) {
  auto runs = applied_runs(st, pair);
  if (!runs) return tl::unexpected(runs.error());
  if (runs->empty()) return std::optional<std::string>();
  return std::optional<std::string>(runs->front().direction);
}

std::map<std::string, std::string> stranded_reasons(const std::vector<StrandedObject>& stranded,
                                                    const std::string& source, const std::string& target) {
  std::map<std::string, std::string> out;
  for (const auto& s : stranded) {
    out[stranded_key(s.kind, catalog::fold_name(s.key))] = fmt::format(
        "stranded on {}: created or changed there after snapshot {}, the last of its state that reached {} ({}); "
        "never pruned or overwritten by a sync",
        target, s.reference_snapshot, source, s.last_seen.empty() ? "seen only live, now" : "last seen " + s.last_seen);
  }
  return out;
}

}  // namespace understudy::replay
