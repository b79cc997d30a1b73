#include "gates/sources.h"

#include <algorithm>
#include <unordered_map>

#include "catalog/canonical.h"
#include "catalog/reader.h"
#include "config/secrets.h"
#include "odbc/connection.h"
#include "diff/drift.h"
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

Result<PrimarySnapshot> decode(store::Store& store, const config::Pair& pair, const store::SnapshotInfo& info) {
  auto objs = store.load_objects(info.id);
  if (!objs) return tl::unexpected(objs.error());
  PrimarySnapshot snap;
  snap.id = std::to_string(info.id);
  snap.instance = info.server_name;
  auto t = parse_rfc3339_utc(info.taken_at);
  if (!t) return fail(ErrorCode::kDataErr, "snapshot " + snap.id + " has an unreadable taken_at");
  snap.taken_at = *t;
  auto opts = drift::read_options(&pair);
  for (auto& o : *objs)
    if (selected(opts, o)) snap.objects.push_back(std::move(o));
  drift::expect_on_secondary(pair, snap.objects);  // compared with the secondary (diff/expectation.h)
  return snap;
}
}  // namespace

Result<TargetState> read_target(const config::Config& cfg, const config::Pair& pair) {
  auto objs = drift::read_live(cfg, pair.secondary, &pair);
  if (!objs) return tl::unexpected(objs.error());
  TargetState t;
  t.instance = server_name_of(*objs);
  if (t.instance.empty()) t.instance = pair.secondary;
  t.objects = std::move(*objs);
  return t;
}

Result<TargetAgainstPrimary> read_target_against(const config::Config& cfg, const config::Pair& pair,
                                                 const PrimarySnapshot& primary) {
  auto in = cfg.instance(pair.secondary);
  if (!in) return tl::unexpected(in.error());
  auto opts = config::connect_options(**in);
  if (!opts) return tl::unexpected(opts.error());
  auto conn = odbc::Connection::connect(*opts);
  if (!conn) return tl::unexpected(conn.error());
  // (kind, match key) -> index into primary.objects
  std::unordered_map<std::string, size_t> index;
  index.reserve(primary.objects.size());
  auto key_of = [](catalog::Kind kind, const std::string& match_key) {
    return std::to_string(static_cast<int>(kind)) + '\x1f' + match_key;
  };
  for (size_t i = 0; i < primary.objects.size(); ++i) {
    const auto& p = primary.objects[i];
    if (p.kind != catalog::Kind::kInstance) index.emplace(key_of(p.kind, p.match_key()), i);
  }
  TargetAgainstPrimary out;
  std::vector<char> equal(primary.objects.size(), 0);
  // Fingerprinted from the record's text; only an object that differs becomes a tree.
  US_TRY(catalog::read_records(*conn, drift::read_options(&pair), [&](catalog::ObjectRecord& r) -> Status {
    r.seal();  // once: to_object() below uses it
    if (r.kind != catalog::Kind::kInstance) {
      auto it = index.find(key_of(r.kind, r.match_key()));
      if (it != index.end() && primary.objects[it->second].fingerprint == r.fingerprint) {
        equal[it->second] = 1;
        ++out.equal;
        return {};
      }
    }
    auto o = r.to_object();
    if (!o) return tl::unexpected(o.error());
    out.target.objects.push_back(std::move(*o));
    return {};
  }));
  catalog::sort_objects(out.target.objects);
  out.target.instance = server_name_of(out.target.objects);
  if (out.target.instance.empty()) out.target.instance = pair.secondary;
  for (size_t i = 0; i < primary.objects.size(); ++i)
    if (!equal[i]) out.primary_rest.push_back(primary.objects[i]);
  return out;
}

Result<std::shared_ptr<const PrimarySnapshot>> PrimaryCache::latest(store::Store& store, const config::Pair& pair) {
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
  // Decoded outside the cache's lock: other pairs are served meanwhile.
  auto snap = decode(store, pair, info);
  if (!snap) return tl::unexpected(snap.error());
  auto shared = std::make_shared<const PrimarySnapshot>(std::move(*snap));
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
