// datetime.h — the date arithmetic behind GETDATE, DATEADD, DATEDIFF and DATEPART in the
// executor's SQLite functions. Values are text "YYYY-MM-DD HH:MM:SS[.f…]" (value.h); the clock is
// UTC (the emulated server's local time is UTC).
// Thread-safety: pure functions (now_timestamp reads the system clock).
#pragma once

#include <cstdint>
#include <string>

namespace emu {

struct Timestamp {
  int64_t seconds = 0;  // since 1970-01-01 00:00:00
  int64_t nanos = 0;    // 0 … 999,999,999
};

bool parse_timestamp(const std::string& text, Timestamp* out);
// digits: fractional second digits (3 for datetime, 7 for datetime2).
std::string format_timestamp(const Timestamp& ts, int digits);
Timestamp now_timestamp(bool utc);
// part: year/yy/yyyy, quarter, month, dayofyear, day, week, hour, minute, second, millisecond, …
bool date_add(const std::string& part, int64_t n, const Timestamp& ts, Timestamp* out);
bool date_diff(const std::string& part, const Timestamp& a, const Timestamp& b, int64_t* out);
bool date_part(const std::string& part, const Timestamp& ts, int64_t* out);

}  // namespace emu
