// temporal.h — date/time text ↔ parts for the TDS codec (internal to tds/).
// Text forms follow engine/value.h: "YYYY-MM-DD HH:MM:SS.fff" (a 'T' separator, fewer or more
// fraction digits (up to 7), a missing time part and a trailing "+HH:MM"/"Z" offset are accepted).
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace emu::tds {

struct DateTimeParts {
  int64_t days = 0;           // since 0001-01-01
  int64_t ticks = 0;          // 100 ns units since midnight
  int offset_minutes = 0;     // offset of the local time from UTC
  bool has_offset = false;
};

inline constexpr int64_t kTicksPerDay = 864'000'000'000LL;
// days since 0001-01-01 of 1900-01-01
inline constexpr int64_t kDays1900 = 693595;

bool parse_datetime_text(std::string_view s, DateTimeParts* out);
// "YYYY-MM-DD"
std::string format_date(int64_t days);
// "HH:MM:SS" plus `digits` fraction digits (0..7) of a 100 ns tick count.
std::string format_time(int64_t ticks, int digits);
// "+HH:MM" / "-HH:MM"
std::string format_offset(int minutes);

}  // namespace emu::tds
