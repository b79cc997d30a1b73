#include "diff/diff.h"

#include <algorithm>
#include <iterator>

#include "catalog/canonical.h"
#include "catalog/label.h"
#include "diff/fields.h"

namespace understudy::diff {

using catalog::Kind;
using catalog::ServerObject;

std::string_view category_name(Category c) {
  switch (c) {
    case Category::kMissing: return "missing";
    case Category::kExtra: return "extra";
    case Category::kDifferent: return "different";
    case Category::kSidMismatch: return "sid_mismatch";
    case Category::kIncompatible: return "incompatible";
  }
  return "unknown";
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "unknown";
}

namespace {

struct Entry {
  size_t kind;
  std::string match_key;
  const ServerObject* object;
  bool operator<(const Entry& o) const { return kind != o.kind ? kind < o.kind : match_key < o.match_key; }
};

std::vector<Entry> index_of(std::span<const ServerObject> set) {
  std::vector<Entry> out;
  out.reserve(set.size());
  for (const auto& o : set)
    if (o.kind != Kind::kInstance) out.push_back({catalog::kind_order(o.kind), o.match_key(), &o});
  // Sets from the store and the readers arrive sorted: then this is one linear check.
  if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
  return out;
}

// Fields whose change makes a `different` finding high: access is granted, denied or disabled.
bool is_access_field(const std::string& field) {
  return field == "password_hash" || field == "is_disabled" || field == "deny_connect_sql" || field == "state" ||
         field == "enabled" || field == "type";
}

std::optional<Finding> compare_pair(const ServerObject& src, const ServerObject& tgt, const TargetFacts& facts) {
  if (src.fingerprint == tgt.fingerprint && !src.fingerprint.empty()) return std::nullopt;
  Finding f;
  f.kind = src.kind;
  f.key = src.key;
  f.name = catalog::object_name(src);
  f.changes = field_changes(src.fields, tgt.fields);
  if (facts.is_managed_instance() && src.kind == Kind::kAgentJob) {
    // "Eventlog isn't supported" on a managed instance: its Agent keeps notify_level_eventlog at
    // 0 whatever is asked, so a source's event log level is no difference there.
    // https://learn.microsoft.com/azure/azure-sql/managed-instance/job-automation-managed-instance
    std::erase_if(f.changes, [](const FieldChange& c) { return c.field == "notify_level_eventlog" && c.after == 0; });
  }
  bool hash_known = src.password_hash.has_value() && tgt.password_hash.has_value();
  bool hash_differs = false;
  if (hash_known) {
    hash_differs = catalog::fold_name(src.password_hash->reveal()) != catalog::fold_name(tgt.password_hash->reveal());
  } else if (src.password_hash.has_value() != tgt.password_hash.has_value()) {
    hash_differs = true;
  }
  if (hash_differs) f.changes.push_back({"password_hash", "differs", "differs", true});
  if (f.changes.empty()) return std::nullopt;
  std::sort(f.changes.begin(), f.changes.end(), [](const FieldChange& a, const FieldChange& b) { return a.field < b.field; });

  bool sid_changed = src.kind == Kind::kLogin && std::any_of(f.changes.begin(), f.changes.end(),
                                                             [](const FieldChange& c) { return c.field == "sid"; });
  if (sid_changed) {
    f.category = Category::kSidMismatch;
    f.severity = Severity::kCritical;
    f.reason = "same login name with another sid: database users mapped to it are orphaned";
    return f;
  }
  if (auto why = incompatibility(src, facts)) {  // the target cannot hold the source's definition
    f.category = Category::kIncompatible;
    f.severity = Severity::kHigh;
    f.reason = *why;
    return f;
  }
  f.category = Category::kDifferent;
  bool access = std::any_of(f.changes.begin(), f.changes.end(), [](const FieldChange& c) { return is_access_field(c.field); });
  f.severity = access ? Severity::kHigh : Severity::kMedium;
  f.reason = access ? "access differs (password, state, enabled or permission state)" : "definition differs";
  return f;
}

}  // namespace

TargetFacts facts_from(std::span<const ServerObject> target) {
  TargetFacts facts;
  for (const auto& o : target) {
    if (o.kind != Kind::kInstance) continue;
    const auto& f = o.fields;
    if (f.contains("engine_edition") && f["engine_edition"].is_number_integer())
      facts.engine_edition = f["engine_edition"].get<int>();
    if (f.contains("subsystems") && f["subsystems"].is_array()) {
      std::set<std::string> subs;
      for (const auto& s : f["subsystems"])
        if (s.is_string()) subs.insert(catalog::fold_name(s.get<std::string>()));
      if (!subs.empty()) facts.subsystems = std::move(subs);  // empty = not readable: unknown
    }
  }
  return facts;
}

namespace {

std::optional<Finding> missing_finding(const ServerObject& o, const TargetFacts& facts) {
  if (absent_by_design(o, facts)) return std::nullopt;
  Finding f;
  f.kind = o.kind;
  f.key = o.key;
  f.name = catalog::object_name(o);
  f.severity = Severity::kHigh;
  if (auto why = incompatibility(o, facts)) {
    f.category = Category::kIncompatible;
    f.reason = *why;
  } else {
    f.category = Category::kMissing;
    f.reason = "on the source, not on the target";
  }
  return f;
}

Finding extra_finding(const ServerObject& o) {
  Finding f;
  f.kind = o.kind;
  f.key = o.key;
  f.name = catalog::object_name(o);
  f.category = Category::kExtra;
  f.severity = Severity::kLow;
  f.reason = "on the target, not on the source";
  return f;
}

// The one merge of two sorted sets both compare() and compare_digests() walk: calls
// only_a(i), only_b(j) or both(i, j) in stable order. `less(x, y)` orders elements of either set.
template <typename A, typename B, typename Less, typename OnlyA, typename OnlyB, typename Both>
void merge_join(const A& a, const B& b, Less less, OnlyA only_a, OnlyB only_b, Both both) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && less(a[i], b[j]))) {
      only_a(i++);
    } else if (i == a.size() || less(b[j], a[i])) {
      only_b(j++);
    } else {
      both(i++, j++);
    }
  }
}

}  // namespace

Comparison compare(std::span<const ServerObject> source, std::span<const ServerObject> target, const Options& options) {
  TargetFacts facts = options.target_facts ? *options.target_facts : facts_from(target);
  auto a = index_of(source);
  auto b = index_of(target);
  Comparison out;
  out.source_objects = a.size();
  out.target_objects = b.size();
  merge_join(
      a, b, [](const Entry& x, const Entry& y) { return x < y; },
      [&](size_t i) {
        if (auto f = missing_finding(*a[i].object, facts)) out.findings.push_back(std::move(*f));
      },
      [&](size_t j) { out.findings.push_back(extra_finding(*b[j].object)); },
      [&](size_t i, size_t j) {
        if (auto f = compare_pair(*a[i].object, *b[j].object, facts)) out.findings.push_back(std::move(*f));
      });
  return out;
}

Result<Comparison> compare_digests(std::span<const catalog::ObjectDigest> source,
                                   std::span<const catalog::ObjectDigest> target, const Fetch& fetch_source,
                                   const Fetch& fetch_target, const TargetFacts& facts) {
  // Pass 1, digests only: what differs. Equal fingerprints are equal objects (seal()), which at
  // scale is nearly everything, and costs no fetch.
  enum class What : unsigned char { kMissing, kExtra, kBoth };
  struct Work {
    What what;
    size_t i, j;
  };
  auto skip_instance = [](std::span<const catalog::ObjectDigest> set) {
    std::vector<const catalog::ObjectDigest*> out;
    out.reserve(set.size());
    for (const auto& d : set)
      if (d.kind != Kind::kInstance) out.push_back(&d);
    return out;
  };
  auto a = skip_instance(source), b = skip_instance(target);
  auto less = [](const catalog::ObjectDigest* x, const catalog::ObjectDigest* y) { return catalog::digest_less(*x, *y); };
  std::vector<Work> work;
  merge_join(
      a, b, less, [&](size_t i) { work.push_back({What::kMissing, i, 0}); },
      [&](size_t j) { work.push_back({What::kExtra, 0, j}); },
      [&](size_t i, size_t j) {
        if (a[i]->fingerprint != b[j]->fingerprint) work.push_back({What::kBoth, i, j});
      });

  // Pass 2, in chunks so that a target missing everything never holds the whole source.
  constexpr size_t kChunk = 4096;
  Comparison out;
  out.source_objects = a.size();
  out.target_objects = b.size();
  for (size_t start = 0; start < work.size(); start += kChunk) {
    size_t end = std::min(work.size(), start + kChunk);
    std::vector<int64_t> src_handles, tgt_handles;
    for (size_t k = start; k < end; ++k) {
      if (work[k].what != What::kExtra) src_handles.push_back(a[work[k].i]->handle);
      if (work[k].what != What::kMissing) tgt_handles.push_back(b[work[k].j]->handle);
    }
    auto src = fetch_source(src_handles);
    if (!src) return tl::unexpected(src.error());
    auto tgt = fetch_target(tgt_handles);
    if (!tgt) return tl::unexpected(tgt.error());
    if (src->size() != src_handles.size() || tgt->size() != tgt_handles.size())
      return fail(ErrorCode::kInternal, "diff: a fetch returned another number of objects than asked");
    size_t si = 0, ti = 0;
    for (size_t k = start; k < end; ++k) {
      switch (work[k].what) {
        case What::kMissing:
          if (auto f = missing_finding((*src)[si++], facts)) out.findings.push_back(std::move(*f));
          break;
        case What::kExtra: out.findings.push_back(extra_finding((*tgt)[ti++])); break;
        case What::kBoth:
          if (auto f = compare_pair((*src)[si++], (*tgt)[ti++], facts)) out.findings.push_back(std::move(*f));
          break;
      }
    }
  }
  return out;
}

nlohmann::json to_json(const Finding& f) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : f.changes) {
    changes.push_back({{"field", c.field},
                       {"before", c.secret ? nlohmann::json("differs") : c.before},
                       {"after", c.secret ? nlohmann::json("differs") : c.after}});
  }
  nlohmann::json j = {{"kind", catalog::kind_name(f.kind)}, {"key", f.key}};
  if (!f.name.empty()) j["name"] = f.name;
  j["category"] = category_name(f.category);
  j["severity"] = severity_name(f.severity);
  j["reason"] = f.reason;
  j["changes"] = std::move(changes);
  return j;
}

}  // namespace understudy::diff
