// metrics.h — the service's Prometheus metrics, rendered in the text exposition format.
//
// Names follow the Prometheus book: `understudy_` prefix, `_total` for counters, `_seconds` for
// durations, base units. Labels are bounded: only `kind`, `gate`, `result`, and `pair` and
// `instance` with the names of the config file are accepted — never an object name or anything
// chosen by data (other label names throw, so a bad label is a programming error caught by tests).
// Thread-safety: thread-safe; render() takes a consistent copy.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace understudy::http {

using Labels = std::vector<std::pair<std::string, std::string>>;  // name, value; names from {kind, gate, result, pair, instance}

class Metrics {
 public:
  enum class Type { kCounter, kGauge, kSummary };
  Metrics();
  void inc(std::string_view name, const Labels& labels = {}, double by = 1);
  void set(std::string_view name, const Labels& labels, double value);
  // Summaries: adds one observation (name_sum, name_count).
  void observe(std::string_view name, const Labels& labels, double value);
  std::string render() const;
  double value(std::string_view name, const Labels& labels = {}) const;  // tests

 private:
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, double> series;  // rendered label set -> value (summaries: "_sum"/"_count" suffixed keys)
  };
  void define(std::string name, Type type, std::string help);
  static std::string label_text(const Labels& labels);
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace understudy::http
