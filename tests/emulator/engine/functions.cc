#include "engine/functions.h"

#include <sqlite3.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <random>

#include "engine/convert.h"
#include "engine/datetime.h"
#include "engine/lexer.h"
#include "engine/state.h"

namespace emu {

Value value_from_sqlite(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_value_int64(v));
    case SQLITE_FLOAT: return sqlite3_value_double(v);
    case SQLITE_TEXT: {
      const char* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
      return std::string(p, static_cast<size_t>(sqlite3_value_bytes(v)));
    }
    case SQLITE_BLOB: {
      const char* p = static_cast<const char*>(sqlite3_value_blob(v));
      int n = sqlite3_value_bytes(v);
      return Blob{std::string(p == nullptr ? "" : p, static_cast<size_t>(n))};
    }
    default: return Null{};
  }
}

Message sqlite_error_to_message(const std::string& text) {
  Message m;
  m.severity = 16;
  size_t at = text.find("EMU");
  size_t sep = text.find('\x1f');
  if (at != std::string::npos && sep != std::string::npos && sep > at) {
    m.number = std::atoi(text.substr(at + 3, sep - at - 3).c_str());
    m.text = text.substr(sep + 1);
    return m;
  }
  m.number = 50000;
  m.text = "emulator: sqlite error: " + text;
  return m;
}

namespace {

void result(sqlite3_context* ctx, const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) sqlite3_result_int64(ctx, *i);
  else if (const auto* d = std::get_if<double>(&v)) sqlite3_result_double(ctx, *d);
  else if (const auto* s = std::get_if<std::string>(&v))
    sqlite3_result_text(ctx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
  else if (const auto* b = std::get_if<Blob>(&v))
    sqlite3_result_blob(ctx, b->bytes.data(), static_cast<int>(b->bytes.size()), SQLITE_TRANSIENT);
  else sqlite3_result_null(ctx);
}

void result_error(sqlite3_context* ctx, int32_t number, const std::string& text) {
  std::string msg = "EMU" + std::to_string(number) + "\x1f" + text;
  sqlite3_result_error(ctx, msg.c_str(), static_cast<int>(msg.size()));
}

std::string text_arg(sqlite3_value* v) {
  const unsigned char* p = sqlite3_value_text(v);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_value_bytes(v)));
}

bool any_null(int argc, sqlite3_value** argv) {
  for (int i = 0; i < argc; ++i)
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return true;
  return false;
}

CatalogState* state_of(sqlite3_context* ctx) { return static_cast<CatalogState*>(sqlite3_user_data(ctx)); }

// Case-insensitive (ASCII) comparison that ignores trailing spaces, as SQL Server's CI collations.
int collate_ci(void*, int n1, const void* p1, int n2, const void* p2) {
  const unsigned char* a = static_cast<const unsigned char*>(p1);
  const unsigned char* b = static_cast<const unsigned char*>(p2);
  while (n1 > 0 && a[n1 - 1] == ' ') --n1;
  while (n2 > 0 && b[n2 - 1] == ' ') --n2;
  int n = n1 < n2 ? n1 : n2;
  for (int i = 0; i < n; ++i) {
    int ca = std::tolower(a[i]), cb = std::tolower(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return n1 == n2 ? 0 : (n1 < n2 ? -1 : 1);
}

std::string lower_ascii(std::string s) { return to_lower_ascii(std::move(s)); }

// Splits UTF-8 into code points (as strings) for character-based functions.
std::vector<std::string> chars_of(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) n = 4;
    else if (c >= 0xE0) n = 3;
    else if (c >= 0xC0) n = 2;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// SQL Server LIKE: % _ [abc] [a-z] [^a], case-insensitive.
bool like_match(const std::vector<std::string>& s, size_t si, const std::vector<std::string>& p, size_t pi, const std::string& esc) {
  while (pi < p.size()) {
    const std::string& pc = p[pi];
    if (!esc.empty() && pc == esc && pi + 1 < p.size()) {
      if (si >= s.size() || lower_ascii(s[si]) != lower_ascii(p[pi + 1])) return false;
      ++si;
      pi += 2;
      continue;
    }
    if (pc == "%") {
      while (pi < p.size() && p[pi] == "%") ++pi;
      if (pi == p.size()) return true;
      for (size_t k = si; k <= s.size(); ++k) {
        if (like_match(s, k, p, pi, esc)) return true;
      }
      return false;
    }
    if (si >= s.size()) return false;
    if (pc == "_") {
      ++si;
      ++pi;
      continue;
    }
    if (pc == "[") {
      size_t close = pi + 1;
      while (close < p.size() && p[close] != "]") ++close;
      if (close < p.size()) {
        size_t k = pi + 1;
        bool negate = false;
        if (k < close && p[k] == "^") {
          negate = true;
          ++k;
        }
        bool matched = false;
        std::string c = lower_ascii(s[si]);
        for (; k < close; ++k) {
          if (k + 2 < close && p[k + 1] == "-") {
            std::string lo = lower_ascii(p[k]), hi = lower_ascii(p[k + 2]);
            if (c >= lo && c <= hi) matched = true;
            k += 2;
          } else if (lower_ascii(p[k]) == c) {
            matched = true;
          }
        }
        if (matched == negate) return false;
        ++si;
        pi = close + 1;
        continue;
      }
    }
    if (lower_ascii(s[si]) != lower_ascii(pc)) return false;
    ++si;
    ++pi;
  }
  return si == s.size();
}

void fn_like(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  std::string esc = argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL ? text_arg(argv[2]) : "";
  sqlite3_result_int(ctx, like_match(chars_of(text_arg(argv[0])), 0, chars_of(text_arg(argv[1])), 0, esc) ? 1 : 0);
}

void fn_convert(sqlite3_context* ctx, int, sqlite3_value** argv) {
  Value v = value_from_sqlite(argv[0]);
  SqlType to;
  to.id = static_cast<SqlTypeId>(sqlite3_value_int(argv[1]));
  to.length = sqlite3_value_int(argv[2]);
  to.scale = static_cast<uint8_t>(sqlite3_value_int(argv[3]));
  if (to.id == SqlTypeId::kDecimal || to.id == SqlTypeId::kNumeric) to.precision = 38;
  int style = sqlite3_value_int(argv[4]);
  SqlType from;
  from.id = static_cast<SqlTypeId>(sqlite3_value_int(argv[5]));
  from.length = -1;
  bool try_mode = sqlite3_value_int(argv[6]) != 0;
  // A sql_variant or an integer compared as text keeps SQLite's storage class as the source type.
  if (from.id == SqlTypeId::kSqlVariant) {
    if (std::holds_alternative<Blob>(v)) from = SqlType::VarBinary(-1);
    else if (std::holds_alternative<int64_t>(v)) from = SqlType::Int();
    else from = SqlType::NVarChar(-1);
  }
  Value out;
  Message err;
  if (!convert_value(v, from, to, style, &out, &err)) {
    if (try_mode) {
      sqlite3_result_null(ctx);
      return;
    }
    result_error(ctx, err.number, err.text);
    return;
  }
  result(ctx, out);
}

void fn_len(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  if (sqlite3_value_type(argv[0]) == SQLITE_BLOB) return sqlite3_result_int(ctx, sqlite3_value_bytes(argv[0]));
  std::string s = text_arg(argv[0]);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  sqlite3_result_int64(ctx, static_cast<int64_t>(utf16_units(s)));
}

void fn_datalength(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int t = sqlite3_value_type(argv[0]);
  if (t == SQLITE_NULL) return sqlite3_result_null(ctx);
  if (t == SQLITE_BLOB) return sqlite3_result_int(ctx, sqlite3_value_bytes(argv[0]));
  if (t == SQLITE_INTEGER) return sqlite3_result_int(ctx, 4);
  if (t == SQLITE_FLOAT) return sqlite3_result_int(ctx, 8);
  std::string s = text_arg(argv[0]);
  bool unicode = sqlite3_value_int(argv[1]) != 0;
  sqlite3_result_int64(ctx, unicode ? static_cast<int64_t>(2 * utf16_units(s)) : static_cast<int64_t>(s.size()));
}

void fn_case(sqlite3_context* ctx, sqlite3_value* v, bool upper) {
  if (sqlite3_value_type(v) == SQLITE_NULL) return sqlite3_result_null(ctx);
  std::string s = text_arg(v);
  s = upper ? to_upper_ascii(s) : to_lower_ascii(s);
  sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}
void fn_upper(sqlite3_context* ctx, int, sqlite3_value** argv) { fn_case(ctx, argv[0], true); }
void fn_lower(sqlite3_context* ctx, int, sqlite3_value** argv) { fn_case(ctx, argv[0], false); }

void text_result(sqlite3_context* ctx, const std::string& s) {
  sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

void fn_substring(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  int64_t start = sqlite3_value_int64(argv[1]), len = sqlite3_value_int64(argv[2]);
  if (len < 0) return result_error(ctx, 537, "Invalid length parameter passed to the substring function.");
  int64_t end = start + len;  // exclusive, 1-based
  if (start < 1) start = 1;
  if (sqlite3_value_type(argv[0]) == SQLITE_BLOB) {
    std::string b(static_cast<const char*>(sqlite3_value_blob(argv[0])) ? static_cast<const char*>(sqlite3_value_blob(argv[0])) : "",
                  static_cast<size_t>(sqlite3_value_bytes(argv[0])));
    int64_t n = static_cast<int64_t>(b.size());
    std::string out = start > n || end <= start ? "" : b.substr(static_cast<size_t>(start - 1), static_cast<size_t>(std::min(end, n + 1) - start));
    return sqlite3_result_blob(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
  }
  auto cs = chars_of(text_arg(argv[0]));
  std::string out;
  for (int64_t i = start; i < end && i <= static_cast<int64_t>(cs.size()); ++i) out += cs[static_cast<size_t>(i - 1)];
  text_result(ctx, out);
}

void fn_left(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  int64_t n = sqlite3_value_int64(argv[1]);
  if (n < 0) return result_error(ctx, 536, "Invalid length parameter passed to the left function.");
  auto cs = chars_of(text_arg(argv[0]));
  std::string out;
  for (int64_t i = 0; i < n && i < static_cast<int64_t>(cs.size()); ++i) out += cs[static_cast<size_t>(i)];
  text_result(ctx, out);
}

void fn_right(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  int64_t n = sqlite3_value_int64(argv[1]);
  if (n < 0) return result_error(ctx, 536, "Invalid length parameter passed to the right function.");
  auto cs = chars_of(text_arg(argv[0]));
  std::string out;
  int64_t size = static_cast<int64_t>(cs.size());
  for (int64_t i = std::max<int64_t>(0, size - n); i < size; ++i) out += cs[static_cast<size_t>(i)];
  text_result(ctx, out);
}

void fn_charindex(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  auto needle = chars_of(lower_ascii(text_arg(argv[0])));
  auto hay = chars_of(lower_ascii(text_arg(argv[1])));
  int64_t start = argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL ? sqlite3_value_int64(argv[2]) : 1;
  if (start < 1) start = 1;
  if (needle.empty()) return sqlite3_result_int(ctx, 0);
  for (size_t i = static_cast<size_t>(start - 1); i + needle.size() <= hay.size(); ++i) {
    bool ok = true;
    for (size_t k = 0; k < needle.size() && ok; ++k) ok = hay[i + k] == needle[k];
    if (ok) return sqlite3_result_int64(ctx, static_cast<int64_t>(i + 1));
  }
  sqlite3_result_int(ctx, 0);
}

void fn_patindex(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  auto pat = chars_of(text_arg(argv[0]));
  auto s = chars_of(text_arg(argv[1]));
  // pattern is %x%: find the first position where the inner pattern matches a prefix
  std::vector<std::string> inner = pat;
  if (!inner.empty() && inner.front() == "%") inner.erase(inner.begin());
  inner.push_back("%");
  for (size_t i = 0; i < s.size(); ++i) {
    if (like_match(s, i, inner, 0, "")) return sqlite3_result_int64(ctx, static_cast<int64_t>(i + 1));
  }
  sqlite3_result_int(ctx, 0);
}

void fn_replace(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  std::string s = text_arg(argv[0]), from = text_arg(argv[1]), to = text_arg(argv[2]);
  if (from.empty()) return text_result(ctx, s);
  std::string ls = lower_ascii(s), lf = lower_ascii(from);
  std::string out;
  size_t i = 0;
  while (true) {
    size_t k = ls.find(lf, i);
    if (k == std::string::npos) break;
    out += s.substr(i, k - i) + to;
    i = k + from.size();
  }
  out += s.substr(i);
  text_result(ctx, out);
}

void fn_replicate(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  int64_t n = sqlite3_value_int64(argv[1]);
  if (n < 0) return sqlite3_result_null(ctx);
  std::string s = text_arg(argv[0]), out;
  for (int64_t i = 0; i < n && out.size() < 1000000; ++i) out += s;
  text_result(ctx, out);
}

void fn_reverse(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  auto cs = chars_of(text_arg(argv[0]));
  std::string out;
  for (auto it = cs.rbegin(); it != cs.rend(); ++it) out += *it;
  text_result(ctx, out);
}

void fn_stuff(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  auto cs = chars_of(text_arg(argv[0]));
  int64_t start = sqlite3_value_int64(argv[1]), len = sqlite3_value_int64(argv[2]);
  if (start < 1 || start > static_cast<int64_t>(cs.size()) || len < 0) return sqlite3_result_null(ctx);
  std::string out;
  for (int64_t i = 0; i < start - 1; ++i) out += cs[static_cast<size_t>(i)];
  out += text_arg(argv[3]);
  for (int64_t i = start - 1 + len; i < static_cast<int64_t>(cs.size()); ++i) out += cs[static_cast<size_t>(i)];
  text_result(ctx, out);
}

void fn_concat(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (sqlite3_value_type(argv[i]) != SQLITE_NULL) out += text_arg(argv[i]);
  }
  text_result(ctx, out);
}

void fn_concat_ws(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  std::string sep = text_arg(argv[0]), out;
  bool first = true;
  for (int i = 1; i < argc; ++i) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) continue;
    if (!first) out += sep;
    out += text_arg(argv[i]);
    first = false;
  }
  text_result(ctx, out);
}

void fn_quotename(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  std::string s = text_arg(argv[0]);
  if (utf8_length(s) > 128) return sqlite3_result_null(ctx);
  std::string q = text_arg(argv[1]);
  char open = q.empty() ? '[' : q[0], close;
  switch (open) {
    case '[': case ']': open = '['; close = ']'; break;
    case '\'': close = '\''; break;
    case '"': close = '"'; break;
    case '(': case ')': open = '('; close = ')'; break;
    case '<': case '>': open = '<'; close = '>'; break;
    case '{': case '}': open = '{'; close = '}'; break;
    case '`': close = '`'; break;
    default: return sqlite3_result_null(ctx);
  }
  std::string out(1, open);
  for (char c : s) {
    out.push_back(c);
    if (c == close) out.push_back(c);
  }
  out.push_back(close);
  text_result(ctx, out);
}

void fn_floor_ceiling(sqlite3_context* ctx, sqlite3_value* v, bool ceiling) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_NULL) return sqlite3_result_null(ctx);
  if (t == SQLITE_INTEGER) return sqlite3_result_int64(ctx, sqlite3_value_int64(v));
  double d = sqlite3_value_double(v);
  sqlite3_result_double(ctx, ceiling ? std::ceil(d) : std::floor(d));
}
void fn_floor(sqlite3_context* ctx, int, sqlite3_value** argv) { fn_floor_ceiling(ctx, argv[0], false); }
void fn_ceiling(sqlite3_context* ctx, int, sqlite3_value** argv) { fn_floor_ceiling(ctx, argv[0], true); }

void fn_isnumeric(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int t = sqlite3_value_type(argv[0]);
  if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) return sqlite3_result_int(ctx, 1);
  if (t != SQLITE_TEXT) return sqlite3_result_int(ctx, 0);
  std::string s = text_arg(argv[0]);
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  sqlite3_result_int(ctx, !s.empty() && end != nullptr && *end == '\0' ? 1 : 0);
}

void fn_newid(sqlite3_context* ctx, int, sqlite3_value**) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (8 * i));
    bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
  }
  bytes[7] = static_cast<unsigned char>((bytes[7] & 0x0F) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);
  std::string hex = hex_upper(std::string(reinterpret_cast<char*>(bytes), 16));
  std::string g = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20);
  text_result(ctx, g);
}

void fn_now(sqlite3_context* ctx, int, sqlite3_value** argv) {
  text_result(ctx, format_timestamp(now_timestamp(sqlite3_value_int(argv[1]) != 0), sqlite3_value_int(argv[0])));
}

void fn_dateadd(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  Timestamp ts;
  if (!parse_timestamp(text_arg(argv[2]), &ts)) {
    return result_error(ctx, 241, "Conversion failed when converting date and/or time from character string.");
  }
  Timestamp out;
  if (!date_add(text_arg(argv[0]), sqlite3_value_int64(argv[1]), ts, &out)) {
    return result_error(ctx, 155, "'" + text_arg(argv[0]) + "' is not a recognized dateadd option.");
  }
  text_result(ctx, format_timestamp(out, sqlite3_value_int(argv[3])));
}

void fn_datediff(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  Timestamp a, b;
  if (!parse_timestamp(text_arg(argv[1]), &a) || !parse_timestamp(text_arg(argv[2]), &b)) {
    return result_error(ctx, 241, "Conversion failed when converting date and/or time from character string.");
  }
  int64_t n = 0;
  if (!date_diff(text_arg(argv[0]), a, b, &n)) {
    return result_error(ctx, 155, "'" + text_arg(argv[0]) + "' is not a recognized datediff option.");
  }
  sqlite3_result_int64(ctx, n);
}

void fn_datepart(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  Timestamp ts;
  if (!parse_timestamp(text_arg(argv[1]), &ts)) {
    return result_error(ctx, 241, "Conversion failed when converting date and/or time from character string.");
  }
  int64_t n = 0;
  if (!date_part(text_arg(argv[0]), ts, &n)) {
    return result_error(ctx, 155, "'" + text_arg(argv[0]) + "' is not a recognized datepart option.");
  }
  sqlite3_result_int64(ctx, n);
}

void fn_nonzero(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int t = sqlite3_value_type(argv[0]);
  if ((t == SQLITE_INTEGER && sqlite3_value_int64(argv[0]) == 0) || (t == SQLITE_FLOAT && sqlite3_value_double(argv[0]) == 0.0)) {
    return result_error(ctx, 8134, "Divide by zero error encountered.");
  }
  sqlite3_result_value(ctx, argv[0]);
}

void fn_add(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int ta = sqlite3_value_type(argv[0]), tb = sqlite3_value_type(argv[1]);
  if (ta == SQLITE_NULL || tb == SQLITE_NULL) return sqlite3_result_null(ctx);
  if ((ta == SQLITE_INTEGER || ta == SQLITE_FLOAT) && (tb == SQLITE_INTEGER || tb == SQLITE_FLOAT)) {
    int64_t sum = 0;
    if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER &&
        !__builtin_add_overflow(sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1]), &sum)) {
      return sqlite3_result_int64(ctx, sum);
    }
    return sqlite3_result_double(ctx, sqlite3_value_double(argv[0]) + sqlite3_value_double(argv[1]));
  }
  text_result(ctx, text_arg(argv[0]) + text_arg(argv[1]));
}

void fn_binconcat(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  Value a = value_from_sqlite(argv[0]), b = value_from_sqlite(argv[1]);
  auto bytes = [](const Value& v) {
    if (const auto* x = std::get_if<Blob>(&v)) return x->bytes;
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return std::string();
  };
  std::string out = bytes(a) + bytes(b);
  sqlite3_result_blob(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

// ---- state-backed ----

void fn_loginproperty(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  result(ctx, state_of(ctx)->login_property(text_arg(argv[0]), text_arg(argv[1])));
}
void fn_suser_sname(sqlite3_context* ctx, int, sqlite3_value** argv) {
  result(ctx, state_of(ctx)->suser_sname(value_from_sqlite(argv[0])));
}
void fn_suser_sid(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  result(ctx, state_of(ctx)->suser_sid(text_arg(argv[0])));
}
void fn_serverproperty(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  result(ctx, state_of(ctx)->server_property(text_arg(argv[0])));
}
void fn_dbpropex(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  result(ctx, state_of(ctx)->database_property_ex(text_arg(argv[0]), text_arg(argv[1])));
}

// Runs a one-value query against a catalog view of master.
Value view_lookup(CatalogState* st, const char* view, const std::string& select_col, const std::string& where_col,
                  const Value& key) {
  auto def = st->resolve_view("master", {"sys", view});
  if (!def) return Null{};
  std::string sql = "SELECT " + select_col + " FROM " + def->sqlite_source + " AS v WHERE " + where_col + " = ?1" +
                    (std::holds_alternative<std::string>(key) ? " COLLATE EMU_CI" : "");
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(st->db(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return Null{};
  if (const auto* i = std::get_if<int64_t>(&key)) sqlite3_bind_int64(stmt, 1, *i);
  else if (const auto* s = std::get_if<std::string>(&key))
    sqlite3_bind_text(stmt, 1, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
  Value out = Null{};
  if (sqlite3_step(stmt) == SQLITE_ROW) out = value_from_sqlite(sqlite3_column_value(stmt, 0));
  sqlite3_finalize(stmt);
  return out;
}

void fn_db_name(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  result(ctx, view_lookup(state_of(ctx), "databases", "name", "database_id", sqlite3_value_int64(argv[0])));
}
void fn_db_id(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  result(ctx, view_lookup(state_of(ctx), "databases", "database_id", "name", text_arg(argv[0])));
}

void fn_is_srvrolemember(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  CatalogState* st = state_of(ctx);
  auto sp = st->resolve_view("master", {"sys", "server_principals"});
  auto rm = st->resolve_view("master", {"sys", "server_role_members"});
  if (!sp || !rm) return sqlite3_result_null(ctx);
  Value role_id = view_lookup(st, "server_principals", "principal_id", "name", text_arg(argv[0]));
  if (is_null(role_id)) return sqlite3_result_null(ctx);
  Value login_id = view_lookup(st, "server_principals", "principal_id", "name", text_arg(argv[1]));
  if (is_null(login_id)) return sqlite3_result_null(ctx);
  if (iequals(text_arg(argv[0]), "public")) return sqlite3_result_int(ctx, 1);
  std::string sql = "SELECT 1 FROM " + rm->sqlite_source + " AS m WHERE m.role_principal_id = ?1 AND m.member_principal_id = ?2";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(st->db(), sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return sqlite3_result_null(ctx);
  sqlite3_bind_int64(stmt, 1, std::get<int64_t>(role_id));
  sqlite3_bind_int64(stmt, 2, std::get<int64_t>(login_id));
  int member = sqlite3_step(stmt) == SQLITE_ROW ? 1 : 0;
  sqlite3_finalize(stmt);
  sqlite3_result_int(ctx, member);
}

void fn_has_server_perm(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  const std::string login = sqlite3_value_type(argv[0]) == SQLITE_NULL ? "" : text_arg(argv[0]);
  result(ctx, state_of(ctx)->has_server_permission_by_name(login, text_arg(argv[1])));
}

struct FnDef {
  const char* name;
  int argc;
  void (*fn)(sqlite3_context*, int, sqlite3_value**);
  bool deterministic;
  bool needs_state;
};

}  // namespace

bool register_functions(sqlite3* db, CatalogState* state, std::string* error) {
  static const FnDef kFns[] = {
      {"emu_like", 3, fn_like, true, false},
      {"emu_convert", 7, fn_convert, true, false},
      {"emu_len", 1, fn_len, true, false},
      {"emu_datalength", 2, fn_datalength, true, false},
      {"emu_upper", 1, fn_upper, true, false},
      {"emu_lower", 1, fn_lower, true, false},
      {"emu_substring", 3, fn_substring, true, false},
      {"emu_left", 2, fn_left, true, false},
      {"emu_right", 2, fn_right, true, false},
      {"emu_charindex", -1, fn_charindex, true, false},
      {"emu_patindex", 2, fn_patindex, true, false},
      {"emu_replace", 3, fn_replace, true, false},
      {"emu_replicate", 2, fn_replicate, true, false},
      {"emu_reverse", 1, fn_reverse, true, false},
      {"emu_stuff", 4, fn_stuff, true, false},
      {"emu_concat", -1, fn_concat, true, false},
      {"emu_concat_ws", -1, fn_concat_ws, true, false},
      {"emu_quotename", 2, fn_quotename, true, false},
      {"emu_floor", 1, fn_floor, true, false},
      {"emu_ceiling", 1, fn_ceiling, true, false},
      {"emu_isnumeric", 1, fn_isnumeric, true, false},
      {"emu_newid", 0, fn_newid, false, false},
      {"emu_now", 2, fn_now, false, false},
      {"emu_dateadd", 4, fn_dateadd, true, false},
      {"emu_datediff", 3, fn_datediff, true, false},
      {"emu_datepart", 2, fn_datepart, true, false},
      {"emu_nonzero", 1, fn_nonzero, true, false},
      {"emu_add", 2, fn_add, true, false},
      {"emu_binconcat", 2, fn_binconcat, true, false},
      {"emu_loginproperty", 2, fn_loginproperty, false, true},
      {"emu_suser_sname", 1, fn_suser_sname, false, true},
      {"emu_suser_sid", 1, fn_suser_sid, false, true},
      {"emu_serverproperty", 1, fn_serverproperty, false, true},
      {"emu_dbpropex", 2, fn_dbpropex, false, true},
      {"emu_db_name", 1, fn_db_name, false, true},
      {"emu_db_id", 1, fn_db_id, false, true},
      {"emu_is_srvrolemember", 2, fn_is_srvrolemember, false, true},
      {"emu_has_server_perm", 2, fn_has_server_perm, false, true},
  };
  for (const auto& d : kFns) {
    int flags = SQLITE_UTF8 | (d.deterministic ? SQLITE_DETERMINISTIC : 0);
    int rc = sqlite3_create_function_v2(db, d.name, d.argc, flags, d.needs_state ? state : nullptr, d.fn, nullptr,
                                        nullptr, nullptr);
    if (rc != SQLITE_OK) {
      *error = std::string("cannot register ") + d.name + ": " + sqlite3_errmsg(db);
      return false;
    }
  }
  if (sqlite3_create_collation_v2(db, "EMU_CI", SQLITE_UTF8, nullptr, collate_ci, nullptr) != SQLITE_OK) {
    *error = std::string("cannot register EMU_CI: ") + sqlite3_errmsg(db);
    return false;
  }
  return true;
}

}  // namespace emu
