// read_ahead.h — the catalog read on a thread of its own, its records handed over in batches to
// the calling thread: on two cores the ODBC fetch and the caller's work on each object (a gate
// fingerprints every object of the target and looks it up) overlap instead of adding up, as a
// snapshot's read and the store's inserts do.
//
// Errors: the read's (reader.h), or the first error `sink` returns, which stops the read.
// Thread-safety: `conn` is used by the read's thread only, until read_records_ahead returns;
// `sink` runs on the calling thread. Ownership: borrows `conn`; the batches' records are reused
// once `sink` returns (it may take their contents).
#pragma once

#include <functional>
#include <span>

#include "base/result.h"
#include "catalog/reader.h"
#include "catalog/record.h"

namespace understudy::catalog {

using RecordBatchSink = std::function<Status(std::span<ObjectRecord>)>;

[[nodiscard]] Status read_records_ahead(odbc::Connection& conn, const ReadOptions& options,
                                        const RecordBatchSink& sink);

}  // namespace understudy::catalog
