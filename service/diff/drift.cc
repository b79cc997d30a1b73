#include "diff/drift.h"

#include <algorithm>
#include <random>

#include "config/secrets.h"
#include "log/log.h"
#include "odbc/connection.h"
#include "store/snapshot_writer.h"

namespace understudy::drift {

namespace {

// Keeps the objects the pair selects (kinds, include/exclude) — for sets loaded from the store,
// which were read with the instance's own options.
void restrict_to_pair(std::vector<catalog::ServerObject>& objects, const config::Pair& pair) {
  std::erase_if(objects, [&](const catalog::ServerObject& o) {
    return o.kind != catalog::Kind::kInstance && !pair.selects(catalog::kind_name(o.kind), o.key);
  });
}

Result<std::vector<catalog::ServerObject>> load_latest(store::Store& store, const std::string& instance,
                                                        store::SnapshotInfo* info, const std::string& hint) {
  auto latest = store.latest_snapshot(instance);
  if (!latest) return tl::unexpected(latest.error());
  if (!*latest) return fail(ErrorCode::kNotFound, "instance " + instance + " has no snapshot", hint);
  *info = **latest;
  // Hashes are loaded to compare them; they leave this process only as "differs".
  return store.load_objects(info->id, {.kind = std::nullopt, .with_password_hashes = true});
}

}  // namespace

std::string new_run_id() {
  std::random_device rd;
  std::uniform_int_distribution<int> nibble(0, 15);
  std::string id;
  for (int i = 0; i < 16; ++i) id.push_back("0123456789abcdef"[nibble(rd)]);
  return id;
}

catalog::ReadOptions read_options(const config::Pair* pair) {
  catalog::ReadOptions opts;
  if (!pair) return opts;
  for (const auto& k : pair->kinds)
    if (auto kind = catalog::kind_from_name(k)) opts.kinds.push_back(*kind);
  for (const auto& [k, f] : pair->filters)
    if (auto kind = catalog::kind_from_name(k)) opts.filters[*kind] = {f.include, f.exclude};
  return opts;
}

namespace {

Result<odbc::Connection> connect(const config::Config& config, const std::string& instance) {
  auto in = config.instance(instance);
  if (!in) return tl::unexpected(in.error());
  auto password = config::instance_password(**in);
  if (!password) return tl::unexpected(password.error());
  return odbc::Connection::connect({.connection_string = (*in)->connection,
                                    .password = std::move(*password),
                                    .label = instance,
                                    .login_timeout_seconds = (*in)->login_timeout_seconds,
                                    .query_timeout_seconds = (*in)->query_timeout_seconds});
}

}  // namespace

Result<std::vector<catalog::ServerObject>> read_live(const config::Config& config, const std::string& instance,
                                                     const config::Pair* pair) {
  auto conn = connect(config, instance);
  if (!conn) return tl::unexpected(conn.error());
  return catalog::read_objects(*conn, read_options(pair));
}

Result<store::SnapshotInfo> snapshot(const config::Config& config, store::Store& store, const std::string& instance,
                                     const config::Pair* pair, const std::string& run_id) {
  auto lg = log::Logger().with({"run_id", run_id});
  std::string taken_at = log::now_rfc3339();
  lg.info("snapshot started", {{"instance", instance}});
  auto conn = connect(config, instance);
  if (!conn) return tl::unexpected(conn.error());
  // Objects go from the result sets straight into the store's transaction, never all in memory;
  // a failed read destroys the writer, which rolls back (the previous snapshot stays the latest).
  auto writer = store.begin_snapshot({.instance = instance, .taken_at = taken_at, .run_id = run_id});
  if (!writer) return tl::unexpected(writer.error());
  US_TRY(catalog::read_objects(*conn, read_options(pair),
                               [&](catalog::ServerObject&& o) { return (*writer)->add(o); }));
  auto info = (*writer)->commit();
  if (!info) return tl::unexpected(info.error());
  lg.info("snapshot stored", {{"instance", instance}, {"snapshot_id", info->id}, {"objects", info->object_count}});
  return info;
}

Result<PairDrift> pair_drift(const config::Config& config, store::Store& store, const std::string& pair_name,
                             Against against, const std::string& run_id) {
  auto pair = config.pair(pair_name);
  if (!pair) return tl::unexpected(pair.error());
  const config::Pair& p = **pair;
  PairDrift out;
  out.pair = p.name.empty() ? pair_name : p.name;
  out.run_id = run_id;
  out.target_instance = p.secondary;
  auto source = load_latest(store, p.primary, &out.source, "run `understudy snapshot --pair " + pair_name + "` first");
  if (!source) return tl::unexpected(source.error());
  restrict_to_pair(*source, p);

  std::vector<catalog::ServerObject> target;
  if (against == Against::kLive) {
    auto live = read_live(config, p.secondary, &p);
    if (!live) return tl::unexpected(live.error());
    target = std::move(*live);
  } else {
    store::SnapshotInfo info;
    auto snap = load_latest(store, p.secondary, &info,
                            "run `understudy snapshot --instance " + p.secondary + "` first, or use --against live");
    if (!snap) return tl::unexpected(snap.error());
    out.target_snapshot = info;
    target = std::move(*snap);
    restrict_to_pair(target, p);
  }
  out.comparison = diff::compare(*source, target);
  out.generated_at = log::now_rfc3339();
  return out;
}

}  // namespace understudy::drift
