// temporal.cc — see temporal.h. Calendar arithmetic after Howard Hinnant's days_from_civil.
#include "tds/temporal.h"

#include <cstdio>

#include "tds/types.h"

namespace emu::tds {
namespace {

int64_t days_from_epoch(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_epoch(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

const int64_t kEpochOf0001 = days_from_epoch(1, 1, 1);

bool digits(std::string_view s, size_t& i, size_t n, int* out) {
  int v = 0;
  for (size_t k = 0; k < n; ++k, ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) { return days_from_epoch(y, m, d) - kEpochOf0001; }

bool parse_datetime_text(std::string_view s, DateTimeParts* out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  size_t i = 0;
  int y = 0, mo = 0, d = 0;
  if (!digits(s, i, 4, &y) || i >= s.size() || s[i++] != '-' || !digits(s, i, 2, &mo) || i >= s.size() ||
      s[i++] != '-' || !digits(s, i, 2, &d))
    return false;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(mo)))
    return false;
  DateTimeParts p;
  p.days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  if (i < s.size() && (s[i] == ' ' || s[i] == 'T')) {
    ++i;
    int h = 0, mi = 0, sec = 0;
    if (!digits(s, i, 2, &h) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, &mi)) return false;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, i, 2, &sec)) return false;
    }
    if (h > 23 || mi > 59 || sec > 59) return false;
    int64_t frac = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      int n = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (n < 7) { frac = frac * 10 + (s[i] - '0'); ++n; }
        ++i;
      }
      for (; n < 7; ++n) frac *= 10;
    }
    p.ticks = ((static_cast<int64_t>(h) * 60 + mi) * 60 + sec) * 10'000'000LL + frac;
  }
  while (i < s.size() && s[i] == ' ') ++i;
  if (i < s.size()) {
    if (s[i] == 'Z') {
      p.has_offset = true;
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      const int sign = s[i++] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!digits(s, i, 2, &oh) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, &om) || oh > 14 || om > 59)
        return false;
      p.has_offset = true;
      p.offset_minutes = sign * (oh * 60 + om);
    }
  }
  if (i != s.size()) return false;
  *out = p;
  return true;
}

std::string format_date(int64_t days) {
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_epoch(days + kEpochOf0001, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string format_time(int64_t ticks, int digits_wanted) {
  const int64_t secs = ticks / 10'000'000LL;
  const int64_t frac = ticks % 10'000'000LL;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out = buf;
  if (digits_wanted > 0) {
    std::snprintf(buf, sizeof buf, "%07lld", static_cast<long long>(frac));
    out += '.';
    out.append(buf, static_cast<size_t>(digits_wanted > 7 ? 7 : digits_wanted));
  }
  return out;
}

std::string format_offset(int minutes) {
  char buf[16];
  const int a = minutes < 0 ? -minutes : minutes;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

}  // namespace emu::tds
