// types_decode.cc — RPC parameter decoding (types.h): TYPE_INFO, then the value, then a SqlType
// and Value in the engine's conventions.
#include <cstdio>
#include <cstring>

#include "tds/temporal.h"
#include "tds/types.h"

namespace emu::tds {
namespace {

__extension__ typedef unsigned __int128 u128;

struct TypeInfo {
  uint8_t token = 0;
  uint32_t maxlen = 0;  // declared length in bytes (0xFFFF with plp)
  uint8_t precision = 0;
  uint8_t scale = 0;
  bool plp = false;
};

enum : uint8_t {
  kNull = 0x1F, kImage = 0x22, kText = 0x23, kGuid = 0x24, kVarBinaryLegacy = 0x25, kIntN = 0x26,
  kVarCharLegacy = 0x27, kDateN = 0x28, kTimeN = 0x29, kDateTime2N = 0x2A, kDateTimeOffsetN = 0x2B,
  kBinaryLegacy = 0x2D, kCharLegacy = 0x2F, kInt1 = 0x30, kBit = 0x32, kInt2 = 0x34, kDecimalLegacy = 0x37,
  kInt4 = 0x38, kDateTim4 = 0x3A, kFlt4 = 0x3B, kMoney = 0x3C, kDateTime = 0x3D, kFlt8 = 0x3E,
  kNumericLegacy = 0x3F, kVariant = 0x62, kNText = 0x63, kBitN = 0x68, kDecimalN = 0x6A, kNumericN = 0x6C,
  kFltN = 0x6D, kMoneyN = 0x6E, kDateTimN = 0x6F, kMoney4 = 0x7A, kInt8 = 0x7F, kBigVarBinary = 0xA5,
  kBigVarChar = 0xA7, kBigBinary = 0xAD, kBigChar = 0xAF, kNVarChar = 0xE7, kNChar = 0xEF, kXml = 0xF1,
};

int fixed_size(uint8_t token) {
  switch (token) {
    case kNull: return 0;
    case kInt1: case kBit: return 1;
    case kInt2: return 2;
    case kInt4: case kDateTim4: case kFlt4: case kMoney4: return 4;
    case kMoney: case kDateTime: case kFlt8: case kInt8: return 8;
    default: return -1;
  }
}

int64_t signed_le(std::string_view b) {
  uint64_t v = 0;
  // A TDS integer is at most 8 bytes; a longer value from a malformed packet keeps its low 8 (a
  // shift by 64 or more is undefined — found by the tds fuzz target).
  if (b.size() > 8) b = b.substr(0, 8);
  for (size_t k = 0; k < b.size(); ++k) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[k])) << (8 * k);
  if (!b.empty() && b.size() < 8 && (static_cast<unsigned char>(b.back()) & 0x80))
    v |= ~0ULL << (8 * b.size());  // sign-extend
  return static_cast<int64_t>(v);
}

uint64_t unsigned_le(std::string_view b) {
  uint64_t v = 0;
  for (size_t k = 0; k < b.size() && k < 8; ++k) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[k])) << (8 * k);
  return v;
}

std::string scaled_text(bool negative, u128 mag, int scale) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
  if (scale > 0) digits.insert(digits.end() - scale, '.');
  return negative ? "-" + digits : digits;
}

std::string money_text(int64_t v) {
  const bool neg = v < 0;
  const u128 mag = neg ? static_cast<u128>(-(v + 1)) + 1 : static_cast<u128>(v);
  return scaled_text(neg, mag, 4);
}

std::string datetime_text(int64_t days1900, int64_t ticks300) {
  const int64_t ms = (ticks300 * 10 + 1) / 3;  // 1/300 s → ms, as SQL Server rounds
  return format_date(days1900 + kDays1900) + " " + format_time(ms * 10'000, 3);
}

// Date (3 bytes) after a time of `scale` → days and 100 ns ticks.
// MS-TDS 2.2.5.5.1.8 (date, time, datetime2, datetimeoffset): a date is the number of days since
// 0001-01-01, valid up to 9999-12-31 (day 3,652,058); a time is the 10^-scale second units since
// midnight, below one day. A value outside those ranges is not a valid instance of the type: the
// message is refused (a closed connection here) instead of being computed with (undefined) overflow.
constexpr int64_t kLastValidDay = 3'652'058;
int64_t checked_days(std::string_view three) {
  const auto days = static_cast<int64_t>(unsigned_le(three));
  if (days > kLastValidDay) throw ProtocolError("date parameter out of range (after 9999-12-31)");
  return days;
}

// The time part in 100 ns ticks, checked below one day before it is scaled (no overflow).
int64_t checked_ticks(uint64_t raw, uint8_t scale) {
  if (scale > 7) throw ProtocolError("time scale above 7");
  uint64_t unit = 1;
  for (int k = scale; k < 7; ++k) unit *= 10;
  if (raw >= static_cast<uint64_t>(kTicksPerDay) / unit) throw ProtocolError("time parameter out of range (a day or more)");
  return static_cast<int64_t>(raw * unit);
}

void time_date(std::string_view b, uint8_t scale, int64_t* days, int64_t* ticks) {
  const size_t tb = scale <= 2 ? 3 : scale <= 4 ? 4 : 5;
  *ticks = checked_ticks(unsigned_le(b.substr(0, tb)), scale);
  *days = checked_days(b.substr(tb, 3));
}

DecodedParam convert(const TypeInfo& ti, const std::string* bytes);

DecodedParam convert_variant(std::string_view data) {
  ByteReader r(data);
  TypeInfo ti;
  ti.token = r.u8();
  const size_t props = r.u8();
  ByteReader pr(r.bytes(props));
  switch (ti.token) {
    case kDecimalN: case kNumericN: ti.precision = pr.u8(); ti.scale = pr.u8(); break;
    case kTimeN: case kDateTime2N: case kDateTimeOffsetN: ti.scale = pr.u8(); break;
    case kBigVarChar: case kBigChar: case kNVarChar: case kNChar: case kBigVarBinary: case kBigBinary:
      ti.maxlen = pr.u16(); break;
    default: break;
  }
  const std::string value(r.bytes(r.remaining()));
  return convert(ti, &value);
}

DecodedParam convert(const TypeInfo& ti, const std::string* bytes) {
  DecodedParam out;
  auto set_type = [&](SqlType t) { out.type = t; };
  const std::string_view b = bytes ? std::string_view(*bytes) : std::string_view();
  const size_t n = b.size();
  switch (ti.token) {
    case kNull: set_type(SqlType::Int()); break;
    case kInt1: case kInt2: case kInt4: case kInt8: case kIntN: {
      const size_t width = ti.token == kIntN ? ti.maxlen : static_cast<size_t>(fixed_size(ti.token));
      set_type(width == 1 ? SqlType::TinyInt() : width == 2 ? SqlType::SmallInt() : width == 4 ? SqlType::Int() : SqlType::BigInt());
      if (bytes) out.value = n == 1 ? static_cast<int64_t>(static_cast<unsigned char>(b[0])) : signed_le(b);
      break;
    }
    case kBit: case kBitN:
      set_type(SqlType::Bit());
      if (bytes) out.value = static_cast<int64_t>(n > 0 && b[0] != 0);
      break;
    case kFlt4: case kFlt8: case kFltN:
      set_type(SqlType::Float());
      if (bytes && n == 4) { float f; std::memcpy(&f, b.data(), 4); out.value = static_cast<double>(f); }
      else if (bytes && n == 8) { double d; std::memcpy(&d, b.data(), 8); out.value = d; }
      break;
    case kMoney: case kMoney4: case kMoneyN:
      set_type(SqlType::Decimal(19, 4));
      if (bytes && n == 4) out.value = money_text(signed_le(b));
      else if (bytes && n == 8)
        out.value = money_text(static_cast<int64_t>((unsigned_le(b.substr(0, 4)) << 32) | unsigned_le(b.substr(4, 4))));
      break;
    case kDecimalN: case kNumericN: case kDecimalLegacy: case kNumericLegacy: {
      SqlType t = SqlType::Decimal(ti.precision, ti.scale);
      if (ti.token == kNumericN || ti.token == kNumericLegacy) t.id = SqlTypeId::kNumeric;
      set_type(t);
      if (bytes && n >= 1) {
        u128 mag = 0;
        for (size_t k = n - 1; k >= 1; --k) mag = (mag << 8) | static_cast<unsigned char>(b[k]);
        out.value = scaled_text(b[0] == 0 && mag != 0, mag, ti.scale);
      }
      break;
    }
    case kDateTime: case kDateTim4: case kDateTimN:
      set_type(SqlType::DateTime());
      if (bytes && n == 8) out.value = datetime_text(signed_le(b.substr(0, 4)), static_cast<int64_t>(unsigned_le(b.substr(4, 4))));
      else if (bytes && n == 4)
        out.value = datetime_text(static_cast<int64_t>(unsigned_le(b.substr(0, 2))),
                                  static_cast<int64_t>(unsigned_le(b.substr(2, 2))) * 60 * 300);
      break;
    case kDateN:
      set_type({SqlTypeId::kDateTime2, 0, 0, 0});
      if (bytes && n == 3) out.value = format_date(checked_days(b)) + " 00:00:00";
      break;
    case kTimeN:
      set_type(SqlType::NVarChar(16));
      if (bytes && n >= 3) {
        if (n > 5) throw ProtocolError("time parameter longer than 5 bytes");
        out.value = format_time(checked_ticks(unsigned_le(b), ti.scale), ti.scale);
      }
      break;
    case kDateTime2N:
      set_type({SqlTypeId::kDateTime2, 0, 0, ti.scale});
      if (bytes && n >= 6) {
        int64_t days = 0, ticks = 0;
        time_date(b, ti.scale, &days, &ticks);
        out.value = format_date(days) + " " + format_time(ticks, ti.scale);
      }
      break;
    case kDateTimeOffsetN:
      set_type({SqlTypeId::kDateTimeOffset, 0, 0, ti.scale});
      if (bytes && n >= 8) {
        int64_t days = 0, ticks = 0;
        time_date(b, ti.scale, &days, &ticks);
        const auto offset = static_cast<int16_t>(unsigned_le(b.substr(n - 2, 2)));
        int64_t local = days * kTicksPerDay + ticks + static_cast<int64_t>(offset) * 600'000'000LL;
        out.value = format_date(local / kTicksPerDay) + " " + format_time(local % kTicksPerDay, ti.scale) + " " +
                    format_offset(offset);
      }
      break;
    case kGuid:
      set_type(SqlType::Guid());
      if (bytes && n == 16) {
        static constexpr int kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
        std::string s;
        char hex[3];
        for (int k = 0; k < 16; ++k) {
          if (k == 4 || k == 6 || k == 8 || k == 10) s.push_back('-');
          std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned char>(b[static_cast<size_t>(kOrder[k])]));
          s += hex;
        }
        out.value = s;
      }
      break;
    case kNVarChar: case kNChar: case kNText: case kXml: {
      const bool max = ti.plp || ti.token == kNText || ti.token == kXml;
      set_type(ti.token == kNChar ? SqlType::NChar(static_cast<int32_t>(ti.maxlen / 2))
                                  : SqlType::NVarChar(max ? -1 : static_cast<int32_t>(ti.maxlen / 2)));
      if (bytes) out.value = utf16le_to_utf8(b);
      break;
    }
    case kBigVarChar: case kBigChar: case kText: case kVarCharLegacy: case kCharLegacy: {
      const bool max = ti.plp || ti.token == kText;
      set_type(ti.token == kBigChar || ti.token == kCharLegacy ? SqlType::Char(static_cast<int32_t>(ti.maxlen))
                                                               : SqlType::VarChar(max ? -1 : static_cast<int32_t>(ti.maxlen)));
      if (bytes) out.value = cp1252_to_utf8(b);
      break;
    }
    case kBigVarBinary: case kBigBinary: case kImage: case kVarBinaryLegacy: case kBinaryLegacy: {
      const bool max = ti.plp || ti.token == kImage;
      SqlType t = SqlType::VarBinary(max ? -1 : static_cast<int32_t>(ti.maxlen));
      if (ti.token == kBigBinary || ti.token == kBinaryLegacy) t.id = SqlTypeId::kBinary;
      set_type(t);
      if (bytes) out.value = Blob{std::string(b)};
      break;
    }
    case kVariant:
      if (bytes && n >= 2) return convert_variant(b);
      set_type({SqlTypeId::kSqlVariant});
      break;
    default: {
      char msg[64];
      std::snprintf(msg, sizeof msg, "unsupported rpc parameter type 0x%02X", ti.token);
      throw ProtocolError(msg);
    }
  }
  return out;
}

// PLP value: total length, chunks, terminator. Returns false for NULL.
bool read_plp(ByteReader& r, std::string* out) {
  const uint64_t total = r.u64();
  if (total == ~0ULL) return false;
  out->clear();
  if (total != ~1ULL && total < (64u << 20)) out->reserve(static_cast<size_t>(total));
  for (;;) {
    const uint32_t len = r.u32();
    if (len == 0) break;
    out->append(r.bytes(len));
  }
  return true;
}

}  // namespace

DecodedParam read_param(ByteReader& r) {
  TypeInfo ti;
  ti.token = r.u8();
  std::string value;
  bool has_value = true;
  const int fixed = fixed_size(ti.token);
  switch (ti.token) {
    // BYTELEN types with a max length byte (and precision/scale for decimals).
    case kGuid: case kIntN: case kBitN: case kFltN: case kMoneyN: case kDateTimN:
    case kVarBinaryLegacy: case kVarCharLegacy: case kBinaryLegacy: case kCharLegacy:
      ti.maxlen = r.u8();
      break;
    case kDecimalN: case kNumericN: case kDecimalLegacy: case kNumericLegacy:
      ti.maxlen = r.u8();
      ti.precision = r.u8();
      ti.scale = r.u8();
      break;
    case kDateN: break;
    case kTimeN: case kDateTime2N: case kDateTimeOffsetN: ti.scale = r.u8(); break;
    // USHORTLEN types; 0xFFFF = MAX (PLP).
    case kBigVarBinary: case kBigBinary:
      ti.maxlen = r.u16();
      break;
    case kBigVarChar: case kBigChar: case kNVarChar: case kNChar:
      ti.maxlen = r.u16();
      r.skip(5);  // collation
      break;
    // LONGLEN types (no table name in an RPC).
    case kImage: case kVariant: ti.maxlen = r.u32(); break;
    case kText: case kNText:
      ti.maxlen = r.u32();
      r.skip(5);
      break;
    case kXml:
      if (r.u8() != 0) {  // schema present: database, owning schema, schema collection
        r.b_varchar();
        r.b_varchar();
        r.us_varchar();
      }
      ti.plp = true;
      break;
    default:
      if (fixed < 0) return convert(ti, nullptr);  // throws: unsupported type
  }
  if ((ti.token == kBigVarBinary || ti.token == kBigBinary || ti.token == kBigVarChar || ti.token == kBigChar ||
       ti.token == kNVarChar || ti.token == kNChar) && ti.maxlen == 0xFFFF)
    ti.plp = true;

  if (fixed >= 0) {
    value = r.bytes(static_cast<size_t>(fixed));
    has_value = ti.token != kNull;
  } else if (ti.plp) {
    has_value = read_plp(r, &value);
  } else if (ti.token == kImage || ti.token == kText || ti.token == kNText || ti.token == kVariant) {
    const uint32_t len = r.u32();
    has_value = len != 0xFFFFFFFFu && !(ti.token == kVariant && len == 0);
    if (has_value) value = r.bytes(len);
  } else if (ti.token == kBigVarBinary || ti.token == kBigBinary || ti.token == kBigVarChar ||
             ti.token == kBigChar || ti.token == kNVarChar || ti.token == kNChar) {
    const uint16_t len = r.u16();
    has_value = len != 0xFFFF;
    if (has_value) value = r.bytes(len);
  } else {  // BYTELEN value: 0 = NULL
    const uint8_t len = r.u8();
    has_value = len != 0;
    if (has_value) value = r.bytes(len);
  }
  return convert(ti, has_value ? &value : nullptr);
}

}  // namespace emu::tds
