// journal_writer.h — writes an apply's action rows on a thread of its own, so the executor's
// thread never waits for SQLite while SQL Server could be working on the next object.
//
//   US_TRY(journal.begin_apply());            // group commit (journal.h)
//   JournalWriter w(journal, run);
//   eo.on_outcome = [&](const Action& a, const Outcome& o) { return w.push(a, o); };
//   execute(...);
//   Status s = w.finish();                    // drains the queue, joins, then journal.end_apply()
//
// push() queues a pointer to the Action (which must outlive finish(): the plan does) and a copy
// of the Outcome; the thread renders the redacted batch and records the row. A failed journal
// write is returned by the next push() (so the executor stops, as with a synchronous journal) and
// by finish(). Rows reach the store in plan order, at most a few queued rows behind the executor;
// a killed process can lose those as well as the open group — see docs/replay.md, "Journal
// durability".
// Thread-safety: push() and finish() from the executor's thread only. Between construction and
// finish() the Journal (and its Store) belong to the writer's thread: the caller must not use them.
// Ownership: borrows the Journal.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "base/result.h"
#include "replay/executor.h"
#include "replay/journal.h"

namespace understudy::replay {

class JournalWriter {
 public:
  JournalWriter(Journal& journal, int64_t run);
  ~JournalWriter();  // finish() if the caller did not
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  [[nodiscard]] Status push(const Action& action, const Outcome& outcome);
  [[nodiscard]] Status finish();

 private:
  void loop();

  Journal& journal_;
  const int64_t run_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<const Action*, Outcome>> queue_;  // guarded by mu_
  bool closing_ = false;                                 // guarded by mu_
  Status failed_;                                        // guarded by mu_: the first journal error
  bool finished_ = false;                                // the caller's thread only
  std::thread thread_;                                   // last: starts after the members above exist
};

}  // namespace understudy::replay
