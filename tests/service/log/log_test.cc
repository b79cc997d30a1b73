// Tests of service/log: line formats, levels, run id fields, thread safety, no Secret overload.
#include "base/time.h"
#include "log/log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <thread>

namespace understudy::log {
namespace {

static_assert(!std::is_constructible_v<Field, std::string_view, const Secret&>, "a Secret must not be loggable");
static_assert(!std::is_constructible_v<Field, std::string_view, Secret>, "a Secret must not be loggable");

const std::vector<Field> kFields = {{"run_id", "7f3a"}, {"instance", "primary"}, {"objects", 1234},
                                    {"ok", true},       {"name", "O'Brien \"x\"=1"}, {"ratio", 0.5}};

TEST(Log, PlainLine) {
  EXPECT_EQ(format_line(Format::kPlain, Level::kInfo, "2026-11-27T07:00:43.123Z", "snapshot stored", kFields),
            "2026-11-27T07:00:43.123Z info  snapshot stored run_id=7f3a instance=primary objects=1234 ok=true "
            "name=\"O'Brien \\\"x\\\"=1\" ratio=0.5");
}

TEST(Log, JsonLine) {
  EXPECT_EQ(format_line(Format::kJson, Level::kWarn, "2026-11-27T07:00:43.123Z", "snapshot stored", kFields),
            R"({"ts":"2026-11-27T07:00:43.123Z","level":"warn","msg":"snapshot stored","run_id":"7f3a",)"
            R"("instance":"primary","objects":1234,"ok":true,"name":"O'Brien \"x\"=1","ratio":0.5})");
  EXPECT_EQ(format_line(Format::kJson, Level::kError, "t", "bad \xff utf8", {}),
            "{\"ts\":\"t\",\"level\":\"error\",\"msg\":\"bad \xef\xbf\xbd utf8\"}");
}

TEST(Log, TimestampIsUtcRfc3339) {
  EXPECT_TRUE(std::regex_match(utc_now(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

class Captured : public ::testing::Test {
 protected:
  void SetUp() override {
    set_sink([this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(line);
    });
  }
  void TearDown() override {
    set_sink(nullptr);
    configure(Format::kPlain, Level::kInfo);
  }
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(Captured, LevelFilterAndBaseFields) {
  configure(Format::kJson, Level::kWarn);
  Logger lg = Logger().with({"run_id", "r1"});
  lg.info("dropped");
  lg.warn("kept", {{"n", 1}});
  ASSERT_EQ(lines_.size(), 1u);
  std::string tail = lines_[0].substr(lines_[0].find("\"level\""));
  EXPECT_EQ(tail, R"("level":"warn","msg":"kept","run_id":"r1","n":1})");
}

TEST_F(Captured, ConcurrentWritersProduceWholeLines) {
  configure(Format::kPlain, Level::kDebug);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([t] {
      Logger lg = Logger().with({"thread", t});
      for (int i = 0; i < 200; ++i) lg.debug("tick", {{"i", i}});
    });
  for (auto& th : threads) th.join();
  ASSERT_EQ(lines_.size(), 1600u);
  const std::regex whole(R"(\S+ debug tick thread=\d i=\d+)");
  for (const auto& l : lines_) EXPECT_TRUE(std::regex_match(l, whole)) << l;
}

TEST(Log, ParseLevel) {
  Level l = Level::kInfo;
  EXPECT_TRUE(parse_level("debug", &l));
  EXPECT_EQ(l, Level::kDebug);
  EXPECT_FALSE(parse_level("loud", &l));
}

}  // namespace
}  // namespace understudy::log
