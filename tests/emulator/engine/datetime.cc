#include "engine/datetime.h"

#include <cctype>
#include <chrono>
#include <cstdio>

#include "engine/lexer.h"

namespace emu {

namespace {

// Howard Hinnant's civil-date algorithms.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string norm_part(const std::string& p) {
  std::string s = to_lower_ascii(p);
  if (s == "yy" || s == "yyyy" || s == "year") return "year";
  if (s == "qq" || s == "q" || s == "quarter") return "quarter";
  if (s == "mm" || s == "m" || s == "month") return "month";
  if (s == "dy" || s == "y" || s == "dayofyear") return "dayofyear";
  if (s == "dd" || s == "d" || s == "day") return "day";
  if (s == "wk" || s == "ww" || s == "week") return "week";
  if (s == "dw" || s == "w" || s == "weekday") return "weekday";
  if (s == "hh" || s == "hour") return "hour";
  if (s == "mi" || s == "n" || s == "minute") return "minute";
  if (s == "ss" || s == "s" || s == "second") return "second";
  if (s == "ms" || s == "millisecond") return "millisecond";
  if (s == "mcs" || s == "microsecond") return "microsecond";
  if (s == "ns" || s == "nanosecond") return "nanosecond";
  return "";
}

void split(const Timestamp& ts, int64_t* y, unsigned* mo, unsigned* d, int64_t* secs_of_day) {
  int64_t days = floor_div(ts.seconds, 86400);
  *secs_of_day = ts.seconds - days * 86400;
  civil_from_days(days, y, mo, d);
}

}  // namespace

bool parse_timestamp(const std::string& text, Timestamp* out) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::string t = text;
  size_t pos = 0;
  while (pos < t.size() && std::isspace(static_cast<unsigned char>(t[pos]))) ++pos;
  auto digits = [&](size_t n, int* v) {
    *v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (pos >= t.size() || !std::isdigit(static_cast<unsigned char>(t[pos]))) return false;
      *v = *v * 10 + (t[pos++] - '0');
    }
    return true;
  };
  if (!digits(4, &y)) return false;
  bool dashed = pos < t.size() && t[pos] == '-';
  if (dashed) ++pos;
  if (!digits(2, &mo)) return false;
  if (dashed) {
    if (pos >= t.size() || t[pos] != '-') return false;
    ++pos;
  }
  if (!digits(2, &d)) return false;
  int64_t nanos = 0;
  if (pos < t.size() && (t[pos] == ' ' || t[pos] == 'T')) {
    ++pos;
    if (!digits(2, &h) || pos >= t.size() || t[pos] != ':') return false;
    ++pos;
    if (!digits(2, &mi)) return false;
    if (pos < t.size() && t[pos] == ':') {
      ++pos;
      if (!digits(2, &s)) return false;
      if (pos < t.size() && t[pos] == '.') {
        ++pos;
        int64_t scale = 100000000;
        while (pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) {
          nanos += (t[pos++] - '0') * scale;
          scale /= 10;
        }
      }
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return false;
  out->seconds = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s;
  out->nanos = nanos;
  return true;
}

std::string format_timestamp(const Timestamp& ts, int digits) {
  int64_t y;
  unsigned mo, d;
  int64_t sod;
  split(ts, &y, &mo, &d, &sod);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(y), mo, d,
                static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  std::string out = buf;
  if (digits > 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, "%09lld", static_cast<long long>(ts.nanos));
    out += "." + std::string(frac).substr(0, static_cast<size_t>(digits > 9 ? 9 : digits));
  }
  return out;
}

Timestamp now_timestamp(bool) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  return Timestamp{floor_div(ns, 1000000000), ns - floor_div(ns, 1000000000) * 1000000000};
}

bool date_add(const std::string& part, int64_t n, const Timestamp& ts, Timestamp* out) {
  std::string p = norm_part(part);
  *out = ts;
  auto add_months = [&](int64_t months) {
    int64_t y;
    unsigned mo, d;
    int64_t sod;
    split(ts, &y, &mo, &d, &sod);
    int64_t total = y * 12 + (mo - 1) + months;
    int64_t ny = floor_div(total, 12);
    unsigned nm = static_cast<unsigned>(total - ny * 12 + 1);
    static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned maxd = kDays[nm - 1] + ((nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0)) ? 1 : 0);
    if (d > maxd) d = maxd;
    out->seconds = days_from_civil(ny, nm, d) * 86400 + sod;
  };
  if (p == "year") add_months(n * 12);
  else if (p == "quarter") add_months(n * 3);
  else if (p == "month") add_months(n);
  else if (p == "day" || p == "dayofyear" || p == "weekday") out->seconds += n * 86400;
  else if (p == "week") out->seconds += n * 7 * 86400;
  else if (p == "hour") out->seconds += n * 3600;
  else if (p == "minute") out->seconds += n * 60;
  else if (p == "second") out->seconds += n;
  else if (p == "millisecond" || p == "microsecond" || p == "nanosecond") {
    int64_t mult = p == "millisecond" ? 1000000 : p == "microsecond" ? 1000 : 1;
    int64_t total = ts.nanos + n * mult;
    out->seconds += floor_div(total, 1000000000);
    out->nanos = total - floor_div(total, 1000000000) * 1000000000;
  } else return false;
  return true;
}

bool date_diff(const std::string& part, const Timestamp& a, const Timestamp& b, int64_t* out) {
  std::string p = norm_part(part);
  int64_t ya, yb, sa, sb;
  unsigned ma, mb, da, db;
  split(a, &ya, &ma, &da, &sa);
  split(b, &yb, &mb, &db, &sb);
  int64_t daya = floor_div(a.seconds, 86400), dayb = floor_div(b.seconds, 86400);
  if (p == "year") *out = yb - ya;
  else if (p == "quarter") *out = (yb * 4 + (mb - 1) / 3) - (ya * 4 + (ma - 1) / 3);
  else if (p == "month") *out = (yb * 12 + mb) - (ya * 12 + ma);
  else if (p == "day" || p == "dayofyear" || p == "weekday") *out = dayb - daya;
  else if (p == "week") *out = floor_div(dayb + 4, 7) - floor_div(daya + 4, 7);  // weeks start on Sunday
  else if (p == "hour") *out = floor_div(b.seconds, 3600) - floor_div(a.seconds, 3600);
  else if (p == "minute") *out = floor_div(b.seconds, 60) - floor_div(a.seconds, 60);
  else if (p == "second") *out = b.seconds - a.seconds;
  else if (p == "millisecond") *out = (b.seconds - a.seconds) * 1000 + (b.nanos / 1000000 - a.nanos / 1000000);
  else if (p == "microsecond") *out = (b.seconds - a.seconds) * 1000000 + (b.nanos / 1000 - a.nanos / 1000);
  else if (p == "nanosecond") *out = (b.seconds - a.seconds) * 1000000000 + (b.nanos - a.nanos);
  else return false;
  return true;
}

bool date_part(const std::string& part, const Timestamp& ts, int64_t* out) {
  std::string p = norm_part(part);
  int64_t y, sod;
  unsigned mo, d;
  split(ts, &y, &mo, &d, &sod);
  int64_t days = floor_div(ts.seconds, 86400);
  if (p == "year") *out = y;
  else if (p == "quarter") *out = (mo - 1) / 3 + 1;
  else if (p == "month") *out = mo;
  else if (p == "day") *out = d;
  else if (p == "dayofyear") *out = days - days_from_civil(y, 1, 1) + 1;
  else if (p == "weekday") *out = ((days + 4) % 7 + 7) % 7 + 1;  // 1 = Sunday (DATEFIRST 7)
  else if (p == "week") {
    int64_t jan1 = days_from_civil(y, 1, 1);
    int64_t jan1_dow = ((jan1 + 4) % 7 + 7) % 7;
    *out = (days - jan1 + jan1_dow) / 7 + 1;
  } else if (p == "hour") *out = sod / 3600;
  else if (p == "minute") *out = sod / 60 % 60;
  else if (p == "second") *out = sod % 60;
  else if (p == "millisecond") *out = ts.nanos / 1000000;
  else if (p == "microsecond") *out = ts.nanos / 1000;
  else if (p == "nanosecond") *out = ts.nanos;
  else return false;
  return true;
}

}  // namespace emu
