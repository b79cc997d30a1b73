// progress.h — progress of a long run (snapshot, diff, sync): objects done of a total, the rate
// and the time left, handed to a sink at most every `interval`.
//
// The faces choose the sink: the CLI draws one line on stderr when stderr is a terminal and
// --quiet is not given (progress_line()), the service logs a line per interval. An operation
// only counts (advance()); a Progress without a sink costs a branch per call.
// The total may be unknown (0): then there is no ETA. An estimate (the previous snapshot's size)
// may be exceeded: done is then shown without a total.
//
// Thread-safety: one Progress is advanced from one thread. Ownership: holds a copy of the sink.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace understudy {

struct ProgressState {
  std::string what;       // "snapshot of primary", "sync of payments", "diff of payments"
  std::string unit;       // "objects", "actions"
  int64_t done = 0;
  int64_t total = 0;      // 0 = unknown
  double elapsed_seconds = 0;
  bool finished = false;  // the last report of the run
  double rate() const { return elapsed_seconds > 0 ? done / elapsed_seconds : 0; }
  // Seconds left at the current rate; < 0 when unknown (no total, no rate, or past the total).
  double eta_seconds() const;
};

using ProgressSink = std::function<void(const ProgressState&)>;

// "snapshot of primary: 12000/40000 objects (30%), 5120/s, ETA 5s" — "…: 12000 objects, 5120/s"
// without a total; "…: 40000 objects in 7.8s" when finished.
std::string progress_line(const ProgressState& s);

class Progress {
 public:
  Progress(ProgressSink sink, std::string what, std::string unit, int64_t total,
           std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  Progress() = default;  // no sink: counts, reports nothing
  void advance(int64_t n = 1);
  // Reports the final state once (no-op without a sink or when already finished).
  void finish();

 private:
  void report(bool finished);
  ProgressSink sink_;
  ProgressState state_;
  std::chrono::steady_clock::time_point start_, last_;
  std::chrono::milliseconds interval_{200};
  int64_t check_every_ = 1;
  int64_t since_check_ = 0;
  bool done_ = false;
};

}  // namespace understudy
