// read_ahead.cc — see read_ahead.h.
#include "catalog/read_ahead.h"

#include <atomic>
#include <thread>
#include <vector>

#include "base/channel.h"

namespace understudy::catalog {

Status read_records_ahead(odbc::Connection& conn, const ReadOptions& options, const RecordBatchSink& sink) {
  constexpr size_t kBatchSize = 512;
  struct RecordBatch {
    std::vector<ObjectRecord> records = std::vector<ObjectRecord>(kBatchSize);
    size_t size = 0;
  };
  // Batches go to this thread full and come back spent: their buffers are reused, not freed on
  // the other thread.
  Channel<RecordBatch> full(8), spent(16);
  std::atomic<bool> stopped{false};
  Status read_status;
  std::thread reader([&] {
    RecordBatch batch;
    try {
      read_status = read_records(conn, options, [&](ObjectRecord& r) -> Status {
        if (stopped.load(std::memory_order_relaxed)) return fail(ErrorCode::kInternal, "catalog: the read was stopped");
        if (batch.size == kBatchSize) {
          if (!full.push(batch)) return fail(ErrorCode::kInternal, "catalog: the read was stopped");
          auto next = spent.try_pop();
          batch = next ? std::move(*next) : RecordBatch{};
          batch.size = 0;
        }
        std::swap(batch.records[batch.size++], r);
        return {};
      });
      if (read_status && batch.size > 0) full.push(batch);
    } catch (const std::exception& e) {
      read_status = fail(ErrorCode::kInternal, std::string("catalog: ") + e.what());
    }
    full.close();
  });
  Status sink_status;
  try {  // the reader is joined on every way out
    while (auto batch = full.pop()) {
      sink_status = sink(std::span<ObjectRecord>(batch->records.data(), batch->size));
      for (size_t i = 0; i < batch->size; ++i) batch->records[i].clear();  // no hash waits in a spent batch
      if (!sink_status) break;
      spent.push(*batch);
    }
  } catch (const std::exception& e) {
    sink_status = fail(ErrorCode::kInternal, std::string("catalog: ") + e.what());
  }
  if (!sink_status) {
    stopped = true;
    full.close();  // unblocks the reader; what is queued is dropped
  }
  reader.join();
  if (!sink_status) return sink_status;
  return read_status;
}

}  // namespace understudy::catalog
