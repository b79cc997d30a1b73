#include "diff/drift.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <random>
#include <thread>

#include "base/channel.h"
#include "diff/expectation.h"
#include "config/secrets.h"
#include "log/log.h"
#include "odbc/connection.h"
#include "roles/read.h"
#include "store/snapshot_writer.h"

namespace understudy::drift {

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

namespace {

// Reads the instance into a snapshot on two threads: the catalog read (ODBC fetch, objects
// written as text) on a reader thread, the store's inserts on this one. On two cores they overlap
// instead of adding up (a first snapshot of scale L is as much SQLite as fetch). The
// read starts before the writer has loaded what the instance held at its latest snapshot, and
// runs ahead meanwhile. Records travel in batches that come back spent, so their buffers are
// reused, not freed on the other thread. Either side's failure stops the other: a store error
// ends the read, a read error ends the writes, and a writer that is not committed rolls back.
Result<store::SnapshotInfo> read_into_store(odbc::Connection& conn, const catalog::ReadOptions& options,
                                            store::Store& store, const store::SnapshotMeta& meta) {
  constexpr size_t kBatch = 512;
  struct Batch {
    std::vector<catalog::ObjectRecord> records = std::vector<catalog::ObjectRecord>(kBatch);
    size_t size = 0;
  };
  Channel<Batch> full(16), spent(32);  // 16 x 512 objects may wait while the writer begins
  std::atomic<bool> store_failed{false}, writing{false};
  Status read_status;
  std::thread reader([&] {
    Batch batch;
    auto hand_on = [&]() -> bool {
      // The writer lagging (a first snapshot: every object is new, and SQLite is the slower
      // side): this thread fingerprints the batch, which the writer would otherwise do. Not
      // while the writer is still beginning: most objects of a later snapshot are unchanged
      // and never need a fingerprint.
      if (writing.load(std::memory_order_relaxed) && full.size() * 2 >= full.capacity())
        for (size_t i = 0; i < batch.size; ++i) batch.records[i].seal();
      if (!full.push(batch)) return false;
      auto next = spent.try_pop();
      batch = next ? std::move(*next) : Batch{};
      batch.size = 0;
      return true;
    };
    try {
      read_status = catalog::read_records(conn, options, [&](catalog::ObjectRecord& r) -> Status {
        if (store_failed.load(std::memory_order_relaxed) || (batch.size == kBatch && !hand_on()))
          return fail(ErrorCode::kInternal, "snapshot: the store stopped taking objects");  // its error is returned
        std::swap(batch.records[batch.size++], r);
        return {};
      });
      if (read_status && batch.size > 0) full.push(batch);
    } catch (const std::exception& e) {
      read_status = fail(ErrorCode::kInternal, std::string("snapshot: ") + e.what());
    }
    full.close();
  });
  auto stop_reader = [&] {
    store_failed = true;
    full.close();  // unblocks the reader; what is queued is dropped
    reader.join();
  };
  Result<std::unique_ptr<store::SnapshotWriter>> writer = nullptr;
  Status write_status;
  try {  // the reader thread is joined on every way out, an exception's too
    writer = store.begin_snapshot(meta);
    if (!writer) {
      stop_reader();
      return tl::unexpected(writer.error());
    }
    writing = true;
    while (true) {
      // Nothing waiting: the instance is the slower side. Commit so far and wait without a
      // write transaction (SnapshotWriter::pause): other writers of the store go on meanwhile.
      auto batch = full.try_pop();
      if (!batch) {
        write_status = (*writer)->pause();
        if (!write_status) break;
        batch = full.pop();
      }
      if (!batch) break;
      for (size_t i = 0; i < batch->size && write_status; ++i) {
        write_status = (*writer)->add(batch->records[i]);
        batch->records[i].clear();  // a password hash does not wait in a spent batch
      }
      if (!write_status) break;
      spent.push(*batch);
    }
  } catch (const std::exception& e) {
    write_status = fail(ErrorCode::kInternal, std::string("snapshot: ") + e.what());
  }
  if (!write_status) {
    stop_reader();
    return tl::unexpected(write_status.error());
  }
  reader.join();
  if (!read_status) return tl::unexpected(read_status.error());
  return (*writer)->commit();
}

}  // namespace

Result<store::SnapshotInfo> snapshot(const config::Config& config, store::Store& store, const std::string& instance,
                                     const config::Pair* pair, const std::string& run_id) {
  auto lg = log::Logger().with({"run_id", run_id});
  std::string taken_at = log::now_rfc3339();
  lg.info("snapshot started", {{"instance", instance}});
  auto conn = connect(config, instance);
  if (!conn) return tl::unexpected(conn.error());
  // Objects go from the result sets straight into the store's transaction, never all in memory;
  // a failed read rolls the transaction back (the previous snapshot stays the latest).
  auto info = read_into_store(*conn, read_options(pair), store,
                              {.instance = instance, .taken_at = taken_at, .run_id = run_id});
  if (!info) return tl::unexpected(info.error());
  lg.info("snapshot stored", {{"instance", instance}, {"snapshot_id", info->id}, {"objects", info->object_count}});
  return info;
}

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
                                    const std::vector<catalog::ObjectDigest>& source) {
  auto conn = connect(config, pair.secondary);
  if (!conn) return tl::unexpected(conn.error());
  LiveTarget t;
  t.equal.assign(source.size(), 0);
  // Fingerprinted from the record's text; only an object that differs becomes a tree.
  US_TRY(catalog::read_records(*conn, read_options(&pair), [&](catalog::ObjectRecord& r) -> Status {
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

}  // namespace

Result<store::SnapshotInfo> snapshot_pair(const config::Config& config, store::Store& store, const config::Pair& pair,
                                         const std::string& run_id) {
  auto roles = roles::establish(config, pair);
  if (!roles) return tl::unexpected(roles.error());
  return snapshot(config, store, roles->primary, &pair, run_id);
}

Result<PairDrift> pair_drift(const config::Config& config, store::Store& store, const std::string& pair_name,
                             Against against, const std::string& run_id) {
  auto pair = config.pair(pair_name);
  if (!pair) return tl::unexpected(pair.error());
  // The pair as the roles are now: primary and secondary swapped after a failover.
  auto roles = roles::establish(config, **pair);
  if (!roles) return tl::unexpected(roles.error());
  const config::Pair p = roles::live_pair(**pair, *roles);
  PairDrift out;
  out.pair = p.name.empty() ? pair_name : p.name;
  out.run_id = run_id;
  out.target_instance = p.secondary;
  out.reversed = roles->reversed;
  out.direction = roles->describe();
  // Against a snapshot, the target's digests load on a second connection while the source's load
  // here: at scale L each is ~0.5 s of SQLite reads and sorting, and they are independent.
  store::SnapshotInfo target_info;
  std::future<Result<std::vector<catalog::ObjectDigest>>> target_future;
  if (against == Against::kSnapshot) {
    target_future = std::async(std::launch::async, [&]() -> Result<std::vector<catalog::ObjectDigest>> {
      auto second = store::Store::open(store.path(), {.create = false});
      if (!second) return tl::unexpected(second.error());
      return latest_digests(**second, p.secondary, p, &target_info,
                            "run `understudy snapshot --instance " + p.secondary + "` first, or use --against live");
    });
  }
  auto source =
      latest_digests(store, p.primary, p, &out.source, "run `understudy snapshot --pair " + pair_name + "` first");
  if (!source) return tl::unexpected(source.error());
  // The source as the secondary should hold it (jobs_on_secondary: expectation.h).
  const diff::Fetch source_fetch = expecting(p, from_store(store));
  US_TRY(expect_on_secondary(p, *source, from_store(store)));

  Result<diff::Comparison> cmp = diff::Comparison{};
  if (against == Against::kLive) {
    auto live = read_live_target(config, p, *source);
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
  out.generated_at = log::now_rfc3339();
  return out;
}

}  // namespace understudy::drift
