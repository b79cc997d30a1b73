#include "base/progress.h"

#include <cmath>
#include <cstdio>

namespace understudy {

double ProgressState::eta_seconds() const {
  if (total <= 0 || done <= 0 || done > total || rate() <= 0) return -1;
  return (total - done) / rate();
}

namespace {
std::string seconds_text(double s) {
  char buf[32];
  if (s < 10) std::snprintf(buf, sizeof buf, "%.1fs", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600, static_cast<int>(s) / 60 % 60);
  std::string out = buf;
  if (out.rfind("0m", 0) == 0) out = out.substr(2);
  return out;
}
}  // namespace

std::string progress_line(const ProgressState& s) {
  std::string line = s.what + ": " + std::to_string(s.done);
  bool with_total = s.total > 0 && s.done <= s.total;
  if (with_total) line += "/" + std::to_string(s.total);
  line += " " + s.unit;
  if (s.finished) return line + " in " + seconds_text(s.elapsed_seconds);
  if (with_total) line += " (" + std::to_string(s.done * 100 / s.total) + "%)";
  line += ", " + std::to_string(static_cast<int64_t>(std::llround(s.rate()))) + "/s";
  if (double eta = s.eta_seconds(); eta >= 0) line += ", ETA " + seconds_text(eta);
  return line;
}

Progress::Progress(ProgressSink sink, std::string what, std::string unit, int64_t total,
                   std::chrono::milliseconds interval)
    : sink_(std::move(sink)), interval_(interval), check_every_(unit == "objects" ? 256 : 1) {
  state_.what = std::move(what);
  state_.unit = std::move(unit);
  state_.total = total;
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::advance(int64_t n) {
  state_.done += n;
  if (!sink_) return;
  since_check_ += n;
  if (since_check_ < check_every_) return;  // objects: a clock read per 256 of them
  since_check_ = 0;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < interval_) return;
  last_ = now;
  report(false);
}

void Progress::finish() {
  if (!sink_ || done_) return;
  report(true);
}

void Progress::report(bool finished) {
  state_.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  state_.finished = finished;
  done_ = finished;
  sink_(state_);
}

}  // namespace understudy
