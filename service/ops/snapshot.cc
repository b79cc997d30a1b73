#include "ops/snapshot.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include "base/time.h"
#include "base/channel.h"
#include "base/run_id.h"
#include "catalog/reader.h"
#include "ops/audit.h"
#include "report/records.h"
#include "roles/read.h"
#include "config/secrets.h"
#include "log/log.h"
#include "odbc/connection.h"
#include "store/snapshot_writer.h"

namespace understudy::ops {

namespace {

// Reads the instance into a snapshot on two threads: the catalog read (ODBC fetch, objects
// written as text) on a reader thread, the store's inserts on this one. On two cores they overlap
// instead of adding up (a first snapshot of scale L is as much SQLite as fetch). The
// read starts before the writer has loaded what the instance held at its latest snapshot, and
// runs ahead meanwhile. Records travel in batches that come back spent, so their buffers are
// reused, not freed on the other thread. Either side's failure stops the other: a store error
// ends the read, a read error ends the writes, and a writer that is not committed rolls back.
Result<store::SnapshotInfo> read_into_store(odbc::Connection& conn, const catalog::ReadOptions& options,
                                            store::Store& store, const store::SnapshotMeta& meta, Progress& progress) {
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
      progress.advance(static_cast<int64_t>(batch->size));
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

Result<store::SnapshotInfo> take_snapshot_into(Context& ctx, store::Store& st, const std::string& instance,
                                               const config::Pair* pair, const std::string& run_id) {
  auto lg = log::Logger().with({"run_id", run_id});
  std::string taken_at = utc_now();
  lg.info("snapshot started", {{"instance", instance}});
  auto info = [&]() -> Result<store::SnapshotInfo> {
    auto conn = config::connect(ctx.config(), instance);
    if (!conn) return tl::unexpected(conn.error());
    // Objects go from the result sets straight into the store's transaction, never all in memory;
    // a failed read rolls the transaction back (the previous snapshot stays the latest).
    // The total is an estimate: what the instance held at its latest snapshot.
    int64_t estimate = 0;
    if (ctx.progress_sink())
      if (auto latest = st.latest_snapshot(instance); latest && *latest) estimate = (*latest)->object_count;
    auto progress = ctx.progress("snapshot of " + instance, "objects", estimate);
    auto r = read_into_store(*conn, catalog::read_options(pair), st,
                             {.instance = instance, .taken_at = taken_at, .run_id = run_id}, progress);
    if (r) progress.finish();
    return r;
  }();
  // Only an unreachable instance counts as "primary unreachable"; a store error does not.
  if (info || info.error().code == ErrorCode::kUnavailable) ctx.set_primary_reachable(instance, static_cast<bool>(info));
  if (!info) return tl::unexpected(info.error());
  lg.info("snapshot stored", {{"instance", instance}, {"snapshot_id", info->id}, {"objects", info->object_count}});
  return info;
}

Result<store::SnapshotInfo> take_snapshot(Context& ctx, const std::string& instance, const config::Pair* pair,
                                          const std::string& run_id) {
  // On a store connection of its own: the live read may take minutes, and the shared store must
  // keep answering the service's /readyz and the other pairs' gates meanwhile.
  auto own = ctx.own_store();
  if (!own) return tl::unexpected(own.error());
  return take_snapshot_into(ctx, **own, instance, pair, run_id);
}

Result<store::SnapshotInfo> take_pair_snapshot(Context& ctx, const config::Pair& pair, const std::string& run_id) {
  auto roles = roles::establish(ctx.config(), pair);
  if (!roles) {
    // Only an unreachable instance counts as "primary unreachable"; roles that cannot be told do not.
    if (roles.error().code == ErrorCode::kUnavailable) ctx.set_primary_reachable(pair.primary, false);
    return tl::unexpected(roles.error());
  }
  return take_snapshot(ctx, roles->primary, &pair, run_id);
}

Result<SnapshotRun> snapshot(Context& ctx, const std::string& instance, const config::Pair* pair,
                             const std::string& actor) {
  US_TRY(ctx.records_ready());
  SnapshotRun out;
  report::Run& run = out.run;
  run.id = new_run_id();
  run.type = "snapshot";
  run.pair = pair ? pair->name : "";
  run.actor = actor;
  run.started_at = format_utc(ctx.now());
  // A pair's snapshot is of its live primary (roles read from both instances first).
  auto info = pair ? take_pair_snapshot(ctx, *pair, run.id) : take_snapshot(ctx, instance, nullptr, run.id);
  run.finished_at = format_utc(ctx.now());
  if (!info) {
    run.status = "failed";
    run.result = {{"instance", pair ? pair->primary : instance}, {"error", info.error().message}};
  } else {
    run.status = "succeeded";
    run.result = {{"snapshot", {{"id", info->id},
                                {"instance", info->instance},
                                {"taken_at", info->taken_at},
                                {"server_name", info->server_name},
                                {"object_count", info->object_count},
                                {"counts", info->counts}}}};
    out.info = *info;
  }
  US_TRY(ctx.with_store([&](store::Store& s) { return report::save_run(s, run); }));
  US_TRY(audit_append(ctx, {0, "", actor, "snapshot", run.pair, run.id,
                            {{"instance", info ? info->instance : instance}, {"status", run.status}},
                            "", ""}));
  if (!info) return tl::unexpected(info.error());
  return out;
}

}  // namespace understudy::ops
