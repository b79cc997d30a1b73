// types_encode.cc — TYPE_INFO and value encoding for result columns and RETURNVALUEs (types.h).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "tds/temporal.h"
#include "tds/types.h"

namespace emu::tds {
namespace {

__extension__ typedef unsigned __int128 u128;

enum : uint8_t {
  kGuid = 0x24, kIntN = 0x26, kDateTime2N = 0x2A, kDateTimeOffsetN = 0x2B, kBitN = 0x68, kDecimalN = 0x6A,
  kNumericN = 0x6C, kFltN = 0x6D, kDateTimN = 0x6F, kBigVarBinary = 0xA5, kBigVarChar = 0xA7, kBigBinary = 0xAD,
  kBigChar = 0xAF, kNVarChar = 0xE7, kNChar = 0xEF, kVariant = 0x62, kInt4 = 0x38, kInt8 = 0x7F, kFlt8 = 0x3E,
};

void log_unencodable(const SqlType& t, const Value& v) {
  static std::once_flag once;
  std::call_once(once, [&] {
    std::string shown = std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "(non-text value)";
    std::cerr << "understudy-emulator: a value that a column of type id " << static_cast<int>(t.id)
              << " cannot hold was sent as NULL: " << shown.substr(0, 64) << "\n";
  });
}

std::string as_text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  return {};
}

bool as_int(const Value& v, int64_t* out) {
  if (const auto* i = std::get_if<int64_t>(&v)) { *out = *i; return true; }
  if (const auto* d = std::get_if<double>(&v)) { *out = std::llround(*d); return true; }
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (*s == "true" || *s == "TRUE") { *out = 1; return true; }
    if (*s == "false" || *s == "FALSE") { *out = 0; return true; }
    char* end = nullptr;
    const long long x = std::strtoll(s->c_str(), &end, 10);
    if (end == s->c_str()) return false;
    *out = x;
    return true;
  }
  return false;
}

bool as_double(const Value& v, double* out) {
  if (const auto* d = std::get_if<double>(&v)) { *out = *d; return true; }
  if (const auto* i = std::get_if<int64_t>(&v)) { *out = static_cast<double>(*i); return true; }
  if (const auto* s = std::get_if<std::string>(&v)) {
    char* end = nullptr;
    *out = std::strtod(s->c_str(), &end);
    return end != s->c_str();
  }
  return false;
}

int decimal_size(uint8_t precision) {
  return precision <= 9 ? 5 : precision <= 19 ? 9 : precision <= 28 ? 13 : 17;
}

// Parses "[-+]digits[.digits]" into a magnitude scaled to `scale` (rounding half up).
bool parse_decimal(std::string s, int scale, bool* negative, u128* mag) {
  if (s.find_first_of("eE") != std::string::npos) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "%.*f", scale, std::strtod(s.c_str(), nullptr));
    s = buf;
  }
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  *negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) *negative = s[i++] == '-';
  u128 m = 0;
  int frac_digits = -1;  // -1 = before the point
  bool any = false, round_up = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' && frac_digits < 0) { frac_digits = 0; continue; }
    if (c < '0' || c > '9') break;
    any = true;
    if (frac_digits >= 0) {
      if (frac_digits == scale) {  // first digit past the scale decides the rounding
        round_up = c >= '5';
        break;
      }
      ++frac_digits;
    }
    m = m * 10 + static_cast<unsigned>(c - '0');
  }
  if (!any) return false;
  for (int k = frac_digits < 0 ? 0 : frac_digits; k < scale; ++k) m *= 10;
  if (round_up) ++m;
  *mag = m;
  if (m == 0) *negative = false;
  return true;
}

void write_plp(ByteWriter& w, std::string_view data) {
  w.u64(data.size());
  for (size_t off = 0; off < data.size(); off += 4000) {
    const size_t n = std::min<size_t>(4000, data.size() - off);
    w.u32(static_cast<uint32_t>(n));
    w.bytes(data.substr(off, n));
  }
  w.u32(0);
}

// A length-prefixed (USHORTLEN) or PLP value of a character/binary column.
void write_var(ByteWriter& w, const SqlType& t, std::string_view data, size_t pad_to, char pad_unit_lo) {
  if (t.length == -1) {
    write_plp(w, data);
    return;
  }
  const bool wide = t.id == SqlTypeId::kNVarChar || t.id == SqlTypeId::kNChar;
  const size_t max_bytes = static_cast<size_t>(t.length) * (wide ? 2 : 1);
  if (data.size() > max_bytes) data = data.substr(0, max_bytes);
  const size_t padded = std::max(data.size(), pad_to);
  w.u16(static_cast<uint16_t>(padded));
  w.bytes(data);
  for (size_t k = data.size(); k < padded; k += wide ? 2 : 1) {
    w.u8(static_cast<uint8_t>(pad_unit_lo));
    if (wide) w.u8(0);
  }
}

bool parse_guid(const std::string& s, std::string* out) {
  std::string hex;
  for (char c : s) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex.push_back(c);
    else if (c != '-' && c != '{' && c != '}') return false;
  }
  if (hex.size() != 32) return false;
  std::string b(16, '\0');
  for (size_t k = 0; k < 16; ++k) b[k] = static_cast<char>(std::stoi(hex.substr(2 * k, 2), nullptr, 16));
  // First three groups little-endian: a GUID's packet representation (MS-DTYP 2.3.4.2).
  *out = {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]};
  out->append(b, 8, 8);
  return true;
}

int time_bytes(uint8_t scale) { return scale <= 2 ? 3 : scale <= 4 ? 4 : 5; }

int64_t pow10(int n) {
  int64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

void write_scaled_time_date(ByteWriter& w, int64_t days, int64_t ticks, uint8_t scale) {
  const int64_t div = pow10(7 - scale);
  int64_t t = (ticks + div / 2) / div;
  if (t >= kTicksPerDay / div) { t = 0; ++days; }
  const int tb = time_bytes(scale);
  for (int k = 0; k < tb; ++k) w.u8(static_cast<uint8_t>((t >> (8 * k)) & 0xFF));
  for (int k = 0; k < 3; ++k) w.u8(static_cast<uint8_t>((days >> (8 * k)) & 0xFF));
}

}  // namespace

SqlType normalize_for_wire(const SqlType& in) {
  SqlType t = in;
  switch (t.id) {
    case SqlTypeId::kNVarChar:
      if (t.length == 0) t.length = 4000;
      if (t.length > 4000) t.length = -1;
      break;
    case SqlTypeId::kNChar:
      if (t.length <= 0) t.length = 1;
      if (t.length > 4000) t.length = 4000;
      break;
    case SqlTypeId::kVarChar:
    case SqlTypeId::kVarBinary:
      if (t.length == 0) t.length = 8000;
      if (t.length > 8000) t.length = -1;
      break;
    case SqlTypeId::kChar:
    case SqlTypeId::kBinary:
      if (t.length <= 0) t.length = 1;
      if (t.length > 8000) t.length = 8000;
      break;
    case SqlTypeId::kDecimal:
    case SqlTypeId::kNumeric:
      if (t.precision == 0) t.precision = 18;
      if (t.precision > 38) t.precision = 38;
      if (t.scale > t.precision) t.scale = t.precision;
      break;
    case SqlTypeId::kDateTime2:
    case SqlTypeId::kDateTimeOffset:
      if (t.scale > 7) t.scale = 7;
      break;
    default: break;
  }
  return t;
}

void write_type_info(ByteWriter& w, const SqlType& t) {
  auto ushort_len = [&](uint8_t token, int32_t bytes_per_unit, bool collation) {
    w.u8(token);
    w.u16(t.length == -1 ? 0xFFFF : static_cast<uint16_t>(t.length * bytes_per_unit));
    if (collation) w.bytes(kCollation);
  };
  switch (t.id) {
    case SqlTypeId::kBit: w.u8(kBitN); w.u8(1); break;
    case SqlTypeId::kTinyInt: w.u8(kIntN); w.u8(1); break;
    case SqlTypeId::kSmallInt: w.u8(kIntN); w.u8(2); break;
    case SqlTypeId::kInt: w.u8(kIntN); w.u8(4); break;
    case SqlTypeId::kBigInt: w.u8(kIntN); w.u8(8); break;
    case SqlTypeId::kFloat: w.u8(kFltN); w.u8(8); break;
    case SqlTypeId::kDecimal:
    case SqlTypeId::kNumeric:
      w.u8(t.id == SqlTypeId::kDecimal ? kDecimalN : kNumericN);
      w.u8(static_cast<uint8_t>(decimal_size(t.precision)));
      w.u8(t.precision);
      w.u8(t.scale);
      break;
    case SqlTypeId::kChar: ushort_len(kBigChar, 1, true); break;
    case SqlTypeId::kVarChar: ushort_len(kBigVarChar, 1, true); break;
    case SqlTypeId::kNChar: ushort_len(kNChar, 2, true); break;
    case SqlTypeId::kNVarChar: ushort_len(kNVarChar, 2, true); break;
    // sql_variant: SSVARIANTTYPE with a LONGLEN maximum of 8016 ([MS-TDS] 2.2.5.5.4).
    case SqlTypeId::kSqlVariant: w.u8(kVariant); w.u32(8016); break;
    case SqlTypeId::kBinary: ushort_len(kBigBinary, 1, false); break;
    case SqlTypeId::kVarBinary: ushort_len(kBigVarBinary, 1, false); break;
    case SqlTypeId::kDateTime: w.u8(kDateTimN); w.u8(8); break;
    case SqlTypeId::kDateTime2: w.u8(kDateTime2N); w.u8(t.scale); break;
    case SqlTypeId::kDateTimeOffset: w.u8(kDateTimeOffsetN); w.u8(t.scale); break;
    case SqlTypeId::kUniqueIdentifier: w.u8(kGuid); w.u8(16); break;
  }
}

void write_value(ByteWriter& w, const SqlType& t, const Value& v) {
  const bool plp = t.length == -1;
  auto write_null = [&] {
    switch (t.id) {
      case SqlTypeId::kSqlVariant: w.u32(0); break;  // a variant of length 0 is NULL
      case SqlTypeId::kChar: case SqlTypeId::kVarChar: case SqlTypeId::kNChar: case SqlTypeId::kNVarChar:
      case SqlTypeId::kBinary: case SqlTypeId::kVarBinary:
        if (plp) w.u64(~0ULL);
        else w.u16(0xFFFF);
        break;
      default: w.u8(0);
    }
  };
  auto unencodable = [&] {
    log_unencodable(t, v);
    write_null();
  };
  if (is_null(v)) return write_null();
  switch (t.id) {
    case SqlTypeId::kBit:
    case SqlTypeId::kTinyInt:
    case SqlTypeId::kSmallInt:
    case SqlTypeId::kInt:
    case SqlTypeId::kBigInt: {
      int64_t x = 0;
      if (!as_int(v, &x)) return unencodable();
      const int n = t.id == SqlTypeId::kBit || t.id == SqlTypeId::kTinyInt ? 1
                    : t.id == SqlTypeId::kSmallInt                        ? 2
                    : t.id == SqlTypeId::kInt                             ? 4
                                                                          : 8;
      if (t.id == SqlTypeId::kBit) x = x != 0;
      w.u8(static_cast<uint8_t>(n));
      for (int k = 0; k < n; ++k) w.u8(static_cast<uint8_t>((static_cast<uint64_t>(x) >> (8 * k)) & 0xFF));
      return;
    }
    case SqlTypeId::kFloat: {
      double d = 0;
      if (!as_double(v, &d)) return unencodable();
      uint64_t bits = 0;
      std::memcpy(&bits, &d, 8);
      w.u8(8);
      w.u64(bits);
      return;
    }
    case SqlTypeId::kDecimal:
    case SqlTypeId::kNumeric: {
      bool negative = false;
      u128 mag = 0;
      if (!parse_decimal(as_text(v), t.scale, &negative, &mag)) return unencodable();
      const int size = decimal_size(t.precision);
      w.u8(static_cast<uint8_t>(size));
      w.u8(negative ? 0 : 1);
      for (int k = 0; k < size - 1; ++k) w.u8(static_cast<uint8_t>((mag >> (8 * k)) & 0xFF));
      return;
    }
    case SqlTypeId::kChar:
    case SqlTypeId::kVarChar: {
      std::string data = std::holds_alternative<Blob>(v) ? std::get<Blob>(v).bytes : utf8_to_cp1252(as_text(v));
      return write_var(w, t, data, t.id == SqlTypeId::kChar ? static_cast<size_t>(t.length) : 0, ' ');
    }
    case SqlTypeId::kSqlVariant: {
      // [MS-TDS] 2.2.5.5.4 (sql_variant): total length, base type, property bytes, properties,
      // data. The base type follows the value: int (bigint when it does not fit), float,
      // varbinary (LOGINPROPERTY's PasswordHash keeps its bytes), else nvarchar.
      ByteWriter b;
      if (const auto* i = std::get_if<int64_t>(&v)) {
        const bool small = *i >= -2147483648LL && *i <= 2147483647LL;
        b.u8(small ? kInt4 : kInt8);
        b.u8(0);
        for (int k = 0; k < (small ? 4 : 8); ++k) b.u8(static_cast<uint8_t>((static_cast<uint64_t>(*i) >> (8 * k)) & 0xFF));
      } else if (const auto* d = std::get_if<double>(&v)) {
        uint64_t bits = 0;
        std::memcpy(&bits, d, 8);
        b.u8(kFlt8);
        b.u8(0);
        b.u64(bits);
      } else if (const auto* blob = std::get_if<Blob>(&v)) {
        b.u8(kBigVarBinary);
        b.u8(2);
        b.u16(8000);
        b.bytes(blob->bytes);
      } else {
        std::string utf16;
        append_utf16le(utf16, as_text(v));
        b.u8(kNVarChar);
        b.u8(7);
        b.bytes(kCollation);
        b.u16(8000);
        b.bytes(utf16);
      }
      w.u32(static_cast<uint32_t>(b.size()));
      w.bytes(b.str());
      return;
    }
    case SqlTypeId::kNChar:
    case SqlTypeId::kNVarChar: {
      thread_local std::string utf16;  // reused: this runs for every text cell
      utf16.clear();
      if (const auto* s = std::get_if<std::string>(&v)) append_utf16le(utf16, *s);
      else append_utf16le(utf16, as_text(v));
      return write_var(w, t, utf16, t.id == SqlTypeId::kNChar ? 2 * static_cast<size_t>(t.length) : 0, ' ');
    }
    case SqlTypeId::kBinary:
    case SqlTypeId::kVarBinary:
      if (const auto* b = std::get_if<Blob>(&v))
        return write_var(w, t, b->bytes, t.id == SqlTypeId::kBinary ? static_cast<size_t>(t.length) : 0, '\0');
      return write_var(w, t, as_text(v), t.id == SqlTypeId::kBinary ? static_cast<size_t>(t.length) : 0, '\0');
    case SqlTypeId::kDateTime: {
      DateTimeParts p;
      if (!std::holds_alternative<std::string>(v) || !parse_datetime_text(std::get<std::string>(v), &p))
        return unencodable();
      int64_t days = p.days - kDays1900;
      int64_t ticks300 = (p.ticks * 3 + 50'000) / 100'000;
      if (ticks300 >= 300LL * 86400) { ticks300 = 0; ++days; }
      if (days < -53690 || days > 2958463) return unencodable();  // 1753-01-01 .. 9999-12-31
      w.u8(8);
      w.u32(static_cast<uint32_t>(static_cast<int32_t>(days)));
      w.u32(static_cast<uint32_t>(ticks300));
      return;
    }
    case SqlTypeId::kDateTime2:
    case SqlTypeId::kDateTimeOffset: {
      DateTimeParts p;
      if (!std::holds_alternative<std::string>(v) || !parse_datetime_text(std::get<std::string>(v), &p))
        return unencodable();
      const bool dto = t.id == SqlTypeId::kDateTimeOffset;
      int64_t days = p.days, ticks = p.ticks;
      if (dto) {  // stored as UTC plus the offset
        int64_t total = days * kTicksPerDay + ticks - static_cast<int64_t>(p.offset_minutes) * 600'000'000LL;
        days = total / kTicksPerDay;
        ticks = total % kTicksPerDay;
        if (ticks < 0) { ticks += kTicksPerDay; --days; }
      }
      if (days < 0) return unencodable();
      w.u8(static_cast<uint8_t>(time_bytes(t.scale) + 3 + (dto ? 2 : 0)));
      write_scaled_time_date(w, days, ticks, t.scale);
      if (dto) w.u16(static_cast<uint16_t>(static_cast<int16_t>(p.offset_minutes)));
      return;
    }
    case SqlTypeId::kUniqueIdentifier: {
      std::string raw;
      if (const auto* b = std::get_if<Blob>(&v); b && b->bytes.size() == 16) raw = b->bytes;
      else if (!parse_guid(as_text(v), &raw)) return unencodable();
      w.u8(16);
      w.bytes(raw);
      return;
    }
  }
}

}  // namespace emu::tds
