// journal_writer.cc — see journal_writer.h.
#include "replay/journal_writer.h"

#include <string>

namespace understudy::replay {

JournalWriter::JournalWriter(Journal& journal, int64_t run)
    : journal_(journal), run_(run), thread_([this] { loop(); }) {}

JournalWriter::~JournalWriter() { (void)finish(); }

Status JournalWriter::push(const Action& action, const Outcome& outcome) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_) return failed_;
    queue_.emplace_back(&action, outcome);
  }
  cv_.notify_one();
  return {};
}

void JournalWriter::loop() {
  std::deque<std::pair<const Action*, Outcome>> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // No entry for a group window: the executor waits on the target. The open group is
      // committed rather than held across that wait (Journal::commit_open_group).
      if (!cv_.wait_for(lock, Journal::kGroupWindow, [this] { return closing_ || !queue_.empty(); })) {
        lock.unlock();
        if (auto s = journal_.commit_open_group(); !s) {
          std::lock_guard<std::mutex> failed(mu_);
          failed_ = s;
          queue_.clear();
          closing_ = true;
          return;
        }
        continue;
      }
      if (queue_.empty()) return;  // closing and drained
      batch.swap(queue_);
    }
    for (const auto& [a, o] : batch) {
      JournalAction row{a->seq, std::string(catalog::kind_name(a->kind)), a->key, std::string(operation_name(a->op)),
                        o.status, a->runnable() ? a->batch().render_redacted() : std::string(), o.error_number,
                        o.error_message, o.started_at, o.duration_ms};
      if (auto s = journal_.record(run_, row); !s) {
        std::lock_guard<std::mutex> lock(mu_);
        failed_ = s;
        queue_.clear();
        closing_ = true;  // nothing more is written: the executor stops at its next push
        return;
      }
    }
    batch.clear();
  }
}

Status JournalWriter::finish() {
  if (finished_) return {};
  finished_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_one();
  thread_.join();
  Status ended = journal_.end_apply();
  if (!failed_) return failed_;  // no lock: the thread has ended and join() ordered its writes
  return ended;
}

}  // namespace understudy::replay
