#include "gates/sources.h"

#include <algorithm>

#include "base/time.h"
#include "catalog/canonical.h"
#include "catalog/read_ahead.h"
#include "catalog/reader.h"
#include "config/secrets.h"
#include "odbc/connection.h"
#include "diff/expectation.h"

namespace understudy::gates {

namespace {
std::string server_name_of(const std::vector<catalog::ServerObject>& objects) {
  for (const auto& o : objects)
    if (o.kind == catalog::Kind::kInstance && o.fields.contains("server_name") && o.fields["server_name"].is_string())
      return o.fields["server_name"].get<std::string>();
  return "";
}

// The pair's selection applied to stored objects, as the reader applies it to live ones.
bool selected(const catalog::ReadOptions& opts, const catalog::ServerObject& o) {
  if (o.kind == catalog::Kind::kInstance) return true;
  if (!opts.kinds.empty() && std::find(opts.kinds.begin(), opts.kinds.end(), o.kind) == opts.kinds.end())
    return false;
  auto f = opts.filters.find(o.kind);
  if (f == opts.filters.end()) return true;
  for (const auto& p : f->second.exclude)
    if (catalog::name_matches(p, o.key)) return false;
  if (f->second.include.empty()) return true;
  return std::any_of(f->second.include.begin(), f->second.include.end(),
                     [&](const std::string& p) { return catalog::name_matches(p, o.key); });
}

Error no_snapshot(const config::Pair& pair) {
  return Error(ErrorCode::kNotFound, "no snapshot of primary instance '" + pair.primary + "' in the store",
               "take one: understudy snapshot --instance " + pair.primary);
}

Result<int64_t> parse_taken_at(const store::SnapshotInfo& info) {
  auto t = parse_utc(info.taken_at);
  if (!t) return fail(ErrorCode::kDataErr, "snapshot " + std::to_string(info.id) + " has an unreadable taken_at");
  return *t;
}

// The snapshot's digests: the pair's selection, jobs as the secondary should hold them.
Result<PrimaryDigests> load_digests(store::Store& store, const config::Pair& pair, const store::SnapshotInfo& info) {
  PrimaryDigests out;
  out.snapshot_id = info.id;
  out.header.id = std::to_string(info.id);
  out.header.instance = info.server_name;
  auto t = parse_taken_at(info);
  if (!t) return tl::unexpected(t.error());
  out.header.taken_at = *t;
  auto digests = store.load_digests(info.id);
  if (!digests) return tl::unexpected(digests.error());
  std::erase_if(*digests, [&](const catalog::ObjectDigest& d) {
    return d.kind == catalog::Kind::kInstance || !pair.selects(catalog::kind_name(d.kind), d.match_key);
  });
  US_TRY(drift::expect_on_secondary(pair, *digests, [&store](std::span<const int64_t> ids) {
    return store.load_versions(ids, false);
  }));
  digests->shrink_to_fit();  // kept for as long as the snapshot is the latest
  out.digests = std::move(*digests);
  return out;
}
}  // namespace

Result<TargetState> read_target(const config::Config& cfg, const config::Pair& pair) {
  auto objs = catalog::read_instance(cfg, pair.secondary, &pair);
  if (!objs) return tl::unexpected(objs.error());
  TargetState t;
  t.instance = server_name_of(*objs);
  if (t.instance.empty()) t.instance = pair.secondary;
  t.objects = std::move(*objs);
  return t;
}

Result<TargetAgainstPrimary> read_target_against(const config::Config& cfg, const config::Pair& pair,
                                                 const PrimaryDigests& primary, const diff::Fetch& load) {
  auto conn = config::connect(cfg, pair.secondary);
  if (!conn) return tl::unexpected(conn.error());
  const auto& digests = primary.digests;
  TargetAgainstPrimary out;
  std::vector<char> equal(digests.size(), 0);
  catalog::ObjectDigest probe;
  // Fingerprinted from the record's text, on this thread while the read goes on (read_ahead.h);
  // only an object that differs becomes a tree.
  US_TRY(catalog::read_records_ahead(*conn, catalog::read_options(&pair), [&](std::span<catalog::ObjectRecord> batch) -> Status {
    for (catalog::ObjectRecord& r : batch) {
      r.seal();  // once: to_object() below uses it
      if (r.kind != catalog::Kind::kInstance) {
        probe.kind = r.kind;
        probe.match_key = catalog::fold_name(r.key);
        auto it = std::lower_bound(digests.begin(), digests.end(), probe, catalog::digest_less);
        if (it != digests.end() && it->kind == r.kind && it->match_key == probe.match_key &&
            it->fingerprint == catalog::fingerprint_bytes(r.fingerprint)) {
          equal[static_cast<size_t>(it - digests.begin())] = 1;
          ++out.equal;
          continue;
        }
      }
      auto o = r.to_object();
      if (!o) return tl::unexpected(o.error());
      out.target.objects.push_back(std::move(*o));
    }
    return {};
  }));
  catalog::sort_objects(out.target.objects);
  out.target.instance = server_name_of(out.target.objects);
  if (out.target.instance.empty()) out.target.instance = pair.secondary;
  // The primary's side of what differs, from the store (as the secondary should hold it).
  std::vector<int64_t> rest;
  for (size_t i = 0; i < digests.size(); ++i)
    if (!equal[i]) rest.push_back(digests[i].handle);
  if (!rest.empty()) {
    auto objects = drift::expecting(pair, load)(rest);
    if (!objects) return tl::unexpected(objects.error());
    out.primary_rest = std::move(*objects);
  }
  return out;
}

Result<PrimarySnapshot> load_primary(store::Store& store, const config::Pair& pair, const PrimaryDigests& primary) {
  auto objs = store.load_objects(primary.snapshot_id);
  if (!objs) return tl::unexpected(objs.error());
  PrimarySnapshot snap = primary.header;
  auto opts = catalog::read_options(&pair);
  for (auto& o : *objs)
    if (selected(opts, o)) snap.objects.push_back(std::move(o));
  drift::expect_on_secondary(pair, snap.objects);  // compared with the secondary (diff/expectation.h)
  return snap;
}

Result<std::shared_ptr<const PrimaryDigests>> PrimaryCache::latest(store::Store& store, const config::Pair& pair) {
  auto latest = store.latest_snapshot(pair.primary);
  if (!latest) return tl::unexpected(latest.error());
  if (!*latest) return fail(no_snapshot(pair));
  const auto& info = **latest;
  {
    std::lock_guard lock(mu_);
    auto it = by_pair_.find(pair.name);
    if (it != by_pair_.end() && it->second.id == info.id && it->second.run_id == info.run_id &&
        it->second.taken_at == info.taken_at && it->second.jobs_disabled == drift::jobs_disabled_on_secondary(pair))
      return it->second.snapshot;
  }
  // Loaded outside the cache's lock: other pairs are served meanwhile.
  auto snap = load_digests(store, pair, info);
  if (!snap) return tl::unexpected(snap.error());
  auto shared = std::make_shared<const PrimaryDigests>(std::move(*snap));
  std::lock_guard lock(mu_);
  by_pair_[pair.name] = {info.id, info.run_id, info.taken_at, drift::jobs_disabled_on_secondary(pair), shared};  // the older entry is released here
  ++decodes_;
  return shared;
}

size_t PrimaryCache::decodes() const {
  std::lock_guard lock(mu_);
  return decodes_;
}

}  // namespace understudy::gates
