#include "ops/diff.h"

#include <algorithm>
#include <future>

#include "base/run_id.h"
#include "base/time.h"
#include "catalog/reader.h"
#include "config/secrets.h"
#include "diff/expectation.h"
#include "odbc/connection.h"
#include "roles/read.h"

namespace understudy::ops {

namespace {

// The latest snapshot of `instance` as digests, restricted to the pair's selection.
Result<std::vector<catalog::ObjectDigest>> latest_digests(store::Store& store, const std::string& instance,
                                                          const config::Pair& pair, store::SnapshotInfo* info,
                                                          const std::string& hint) {
  auto latest = store.latest_snapshot(instance);
  if (!latest) return tl::unexpected(latest.error());
  if (!*latest) return fail(ErrorCode::kNotFound, "instance " + instance + " has no snapshot", hint);
  *info = **latest;
  auto digests = store.load_digests(info->id);
  if (!digests) return tl::unexpected(digests.error());
  std::erase_if(*digests, [&](const catalog::ObjectDigest& d) {
    return d.kind != catalog::Kind::kInstance && !pair.selects(catalog::kind_name(d.kind), d.match_key);
  });
  return digests;
}

// Hashes are loaded to compare them; they leave this process only as "differs".
diff::Fetch from_store(store::Store& store) {
  return [&store](std::span<const int64_t> ids) { return store.load_versions(ids, true); };
}

// The live target, read as a stream: an object equal to its source counterpart is only counted
// and its source digest marked, so a diff of two large, nearly equal instances holds just what
// differs.
struct LiveTarget {
  std::vector<catalog::ObjectDigest> digests;  // objects that differ or have no source counterpart
  std::vector<catalog::ServerObject> kept;     // their whole objects; handle = index
  std::vector<char> equal;                     // per source digest: the target holds it unchanged
  size_t equal_count = 0;
  diff::TargetFacts facts;
};

Result<LiveTarget> read_live_target(const config::Config& config, const config::Pair& pair,
                                    const std::vector<catalog::ObjectDigest>& source, Progress& progress) {
  auto conn = config::connect(config, pair.secondary);
  if (!conn) return tl::unexpected(conn.error());
  LiveTarget t;
  t.equal.assign(source.size(), 0);
  // Fingerprinted from the record's text; only an object that differs becomes a tree.
  US_TRY(catalog::read_records(*conn, catalog::read_options(&pair), [&](catalog::ObjectRecord& r) -> Status {
    progress.advance();
    if (r.kind == catalog::Kind::kInstance) {
      auto o = r.to_object();
      if (!o) return tl::unexpected(o.error());
      t.facts = diff::facts_from({&*o, 1});
      return {};
    }
    r.seal();  // once: to_object() below uses it
    catalog::ObjectDigest d{r.kind, r.match_key(), catalog::fingerprint_bytes(r.fingerprint), -1};
    auto it = std::lower_bound(source.begin(), source.end(), d, catalog::digest_less);
    if (it != source.end() && !catalog::digest_less(d, *it) && it->fingerprint == d.fingerprint) {
      t.equal[static_cast<size_t>(it - source.begin())] = 1;
      t.equal_count++;
      return {};
    }
    auto o = r.to_object();
    if (!o) return tl::unexpected(o.error());
    d.handle = static_cast<int64_t>(t.kept.size());
    t.kept.push_back(std::move(*o));
    t.digests.push_back(std::move(d));
    return {};
  }));
  catalog::sort_digests(t.digests);
  return t;
}

Result<drift::PairDrift> pair_drift(const config::Config& config, store::Store& store, const std::string& pair_name,
                                    drift::Against against, const std::string& run_id, Progress& progress) {
  auto pair = config.pair(pair_name);
  if (!pair) return tl::unexpected(pair.error());
  // The pair as the roles are now: primary and secondary swapped after a failover.
  auto roles = roles::establish(config, **pair);
  if (!roles) return tl::unexpected(roles.error());
  const config::Pair p = roles::live_pair(**pair, *roles);
  drift::PairDrift out;
  out.pair = p.name.empty() ? pair_name : p.name;
  out.run_id = run_id;
  out.target_instance = p.secondary;
  out.reversed = roles->reversed;
  out.direction = roles->describe();
  // Against a snapshot, the target's digests load on a second connection while the source's load
  // here: at scale L each is ~0.5 s of SQLite reads and sorting, and they are independent.
  store::SnapshotInfo target_info;
  std::future<Result<std::vector<catalog::ObjectDigest>>> target_future;
  if (against == drift::Against::kSnapshot) {
    target_future = std::async(std::launch::async, [&]() -> Result<std::vector<catalog::ObjectDigest>> {
      auto second = store.reopen({.create = false});
      if (!second) return tl::unexpected(second.error());
      return latest_digests(**second, p.secondary, p, &target_info,
                            "run `understudy snapshot --instance " + p.secondary + "` first, or use --against live");
    });
  }
  auto source =
      latest_digests(store, p.primary, p, &out.source, "run `understudy snapshot --pair " + pair_name + "` first");
  if (!source) return tl::unexpected(source.error());
  // The source as the secondary should hold it (jobs_on_secondary: diff/expectation.h).
  const diff::Fetch source_fetch = drift::expecting(p, from_store(store));
  US_TRY(drift::expect_on_secondary(p, *source, from_store(store)));

  Result<diff::Comparison> cmp = diff::Comparison{};
  if (against == drift::Against::kLive) {
    auto live = read_live_target(config, p, *source, progress);
    if (!live) return tl::unexpected(live.error());
    diff::Fetch kept = [&live](std::span<const int64_t> handles) -> Result<std::vector<catalog::ServerObject>> {
      std::vector<catalog::ServerObject> objects;
      for (int64_t h : handles) objects.push_back(live->kept.at(static_cast<size_t>(h)));
      return objects;
    };
    // Equal pairs make no finding: compare the rest, then count them back in.
    size_t kept_source = 0;
    for (size_t i = 0; i < source->size(); ++i) {
      if (live->equal[i]) continue;
      if (kept_source != i) (*source)[kept_source] = std::move((*source)[i]);  // never a self-move
      ++kept_source;
    }
    source->resize(kept_source);
    cmp = diff::compare_digests(*source, live->digests, source_fetch, kept, live->facts);
    if (cmp) {
      cmp->source_objects += live->equal_count;
      cmp->target_objects += live->equal_count;
    }
  } else {
    auto target = target_future.get();
    if (!target) return tl::unexpected(target.error());
    out.target_snapshot = target_info;
    diff::TargetFacts facts;
    for (const auto& d : *target)
      if (d.kind == catalog::Kind::kInstance) {
        auto inst = store.load_versions({&d.handle, 1}, false);
        if (!inst) return tl::unexpected(inst.error());
        facts = diff::facts_from(*inst);
      }
    cmp = diff::compare_digests(*source, *target, source_fetch, from_store(store), facts);
  }
  if (!cmp) return tl::unexpected(cmp.error());
  out.comparison = std::move(*cmp);
  out.generated_at = utc_now();
  return out;
}

}  // namespace

Result<drift::PairDrift> diff(Context& ctx, const std::string& pair, drift::Against against) {
  // On a store connection of its own: a live read may take minutes, and the service's shared
  // store must keep answering meanwhile (Context::own_store).
  auto own = ctx.own_store();
  if (!own) return tl::unexpected(own.error());
  store::Store& s = **own;
  // Against live, the target's objects are counted as they arrive; the primary's snapshot is
  // the estimate of how many there are.
  int64_t estimate = 0;
  if (auto p = ctx.config().pair(pair); p && ctx.progress_sink())
    if (auto latest = s.latest_snapshot((*p)->primary); latest && *latest) estimate = (*latest)->object_count;
  auto progress = against == drift::Against::kLive ? ctx.progress("diff of " + pair, "objects", estimate) : Progress();
  auto d = pair_drift(ctx.config(), s, pair, against, new_run_id(), progress);
  if (d) progress.finish();
  return d;
}

}  // namespace understudy::ops
