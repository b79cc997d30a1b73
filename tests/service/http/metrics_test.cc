// Metrics: Prometheus text, bounded labels only, summaries as _sum/_count; coalescing.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http/metrics.h"
#include "http/single_flight.h"

namespace understudy::http {
namespace {

TEST(Metrics, RendersCountersGaugesSummaries) {
  Metrics m;
  m.inc("understudy_gate_checks_total", {{"gate", "logins"}, {"result", "fail"}});
  m.inc("understudy_gate_checks_total", {{"gate", "logins"}, {"result", "fail"}});
  m.observe("understudy_gate_evaluation_duration_seconds", {{"gate", "logins"}}, 0.25);
  m.set("understudy_drift_objects", {{"kind", "login"}}, 3);
  auto text = m.render();
  EXPECT_NE(text.find("# TYPE understudy_gate_checks_total counter\n"
                      "understudy_gate_checks_total{gate=\"logins\",result=\"fail\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("understudy_gate_evaluation_duration_seconds_count{gate=\"logins\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("understudy_gate_evaluation_duration_seconds_sum{gate=\"logins\"} 0.25\n"), std::string::npos);
  EXPECT_NE(text.find("understudy_drift_objects{kind=\"login\"} 3\n"), std::string::npos);
}

TEST(Metrics, RefusesUnboundedLabelsAndUnknownNames) {
  Metrics m;
  EXPECT_THROW(m.inc("understudy_gate_checks_total", {{"object", "app_svc"}}), std::logic_error);
  EXPECT_THROW(m.inc("understudy_made_up_total"), std::logic_error);
}

TEST(SingleFlight, ConcurrentCallersShareOneRun) {
  SingleFlight<int> sf;
  std::atomic<int> runs{0};
  std::atomic<bool> started{false};
  std::vector<int> got(8, 0);
  std::vector<char> shared(8, 0);  // not vector<bool>: its elements share bytes, and 7 threads write them
  std::thread first([&] {
    got[0] = sf.run("k", [&] {
      started = true;
      while (sf.waiters("k") < 7) std::this_thread::yield();  // every other caller has joined
      return ++runs;
    });
  });
  while (!started) std::this_thread::yield();
  std::vector<std::thread> others;
  for (int i = 1; i < 8; ++i)
    others.emplace_back([&, i] {
      bool s = false;
      got[i] = sf.run("k", [&] { return ++runs; }, &s);
      shared[i] = s;
    });
  first.join();
  for (auto& t : others) t.join();
  EXPECT_EQ(runs.load(), 1);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(got[i], 1) << i;
  for (int i = 1; i < 8; ++i) EXPECT_TRUE(shared[i]) << i;
  // Nothing is cached: a call after it finished runs again.
  EXPECT_EQ(sf.run("k", [&] { return ++runs; }), 2);
  EXPECT_EQ(sf.run("other", [&] { return 42; }), 42);
}

}  // namespace
}  // namespace understudy::http
