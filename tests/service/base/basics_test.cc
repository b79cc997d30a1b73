// The shared basics, one place each (base/): the CSV writer, the UTC time format, SHA-256, run ids.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <vector>

#include "base/csv.h"
#include "base/progress.h"
#include "base/run_id.h"
#include "base/sha256.h"
#include "base/time.h"

namespace understudy {
namespace {

struct CsvCase {
  const char* in;
  const char* out;
};

TEST(Csv, Rfc4180WithFormulaGuard) {
  const CsvCase cases[] = {
      {"plain", "plain"},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"two\nlines", "\"two\nlines\""},
      {"=1+2", "'=1+2"},
      {"+1", "'+1"},
      {"-1", "'-1"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\tx", "'\tx"},
      {"\rx", "\"'\rx\""},
      {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
      {"a=b", "a=b"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(csv_field(c.in), c.out) << c.in;
  EXPECT_EQ(csv_line({"a", "=b"}), "a,'=b\r\n");
}

TEST(Time, OneFormatWithMilliseconds) {
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc(1796112000), "2026-12-01T08:00:00.000Z");
  using namespace std::chrono;
  EXPECT_EQ(format_utc(system_clock::time_point(seconds(1796112000) + milliseconds(804))), "2026-12-01T08:00:00.804Z");
  EXPECT_TRUE(std::regex_match(utc_now(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST(Time, ParsesWithOrWithoutFraction) {
  EXPECT_EQ(parse_utc("2024-02-29T12:00:00Z"), 1709208000);
  EXPECT_EQ(parse_utc("2024-02-29T12:00:00.123Z"), 1709208000);
  EXPECT_EQ(parse_utc(format_utc(1709208000)), 1709208000);
  EXPECT_FALSE(parse_utc("2023-02-29T12:00:00Z"));
  EXPECT_FALSE(parse_utc("2024-02-29T12:00:00+01:00"));
  EXPECT_FALSE(parse_utc("2024-02-29"));
  EXPECT_FALSE(parse_utc("2024-02-29T12:00:00.Z"));
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_hex("password"), "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_raw("password").size(), 32u);
  Sha256 incremental;
  incremental.update("pass");
  incremental.update("word");
  unsigned char md[32];
  incremental.finish(md);
  EXPECT_EQ(hex_of(md, sizeof md), sha256_hex("password"));
  incremental.update("");  // finish() started over
  incremental.finish(md);
  EXPECT_EQ(hex_of(md, sizeof md), sha256_hex(""));
}

TEST(RunId, SixteenHexDigitsAndFresh) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto id = new_run_id();
    EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{16}"))) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Progress, LineWithTotalRateAndEta) {
  ProgressState s{"snapshot of primary", "objects", 250, 1000, 0.5, false};
  EXPECT_EQ(s.rate(), 500);
  EXPECT_EQ(s.eta_seconds(), 1.5);
  EXPECT_EQ(progress_line(s), "snapshot of primary: 250/1000 objects (25%), 500/s, ETA 1.5s");
  s.total = 0;  // unknown: no percentage, no ETA
  EXPECT_EQ(progress_line(s), "snapshot of primary: 250 objects, 500/s");
  s.total = 100;  // an estimate that was exceeded is not shown
  EXPECT_EQ(progress_line(s), "snapshot of primary: 250 objects, 500/s");
  s.finished = true;
  s.elapsed_seconds = 75;
  EXPECT_EQ(progress_line(s), "snapshot of primary: 250 objects in 1m15s");
}

TEST(Progress, ReportsWhileAdvancingAndFinishesOnce) {
  std::vector<ProgressState> seen;
  Progress p([&](const ProgressState& s) { seen.push_back(s); }, "sync of payments", "actions", 3,
             std::chrono::milliseconds(0));
  p.advance();
  p.advance();
  p.finish();
  p.finish();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].done, 2);
  EXPECT_FALSE(seen[1].finished);
  EXPECT_TRUE(seen[2].finished);
  EXPECT_EQ(seen[2].total, 3);
  Progress silent;  // no sink: counts, reports nothing
  silent.advance(5);
  silent.finish();
}

}  // namespace
}  // namespace understudy
