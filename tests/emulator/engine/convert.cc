#include "engine/convert.h"

#include "engine/datetime.h"
#include "engine/lexer.h"

#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cerrno>

namespace emu {

bool is_string_type(const SqlType& t) {
  return t.id == SqlTypeId::kChar || t.id == SqlTypeId::kVarChar || t.id == SqlTypeId::kNChar ||
         t.id == SqlTypeId::kNVarChar;
}
bool is_unicode_type(const SqlType& t) { return t.id == SqlTypeId::kNChar || t.id == SqlTypeId::kNVarChar; }
bool is_binary_type(const SqlType& t) { return t.id == SqlTypeId::kBinary || t.id == SqlTypeId::kVarBinary; }
bool is_integer_type(const SqlType& t) {
  return t.id == SqlTypeId::kBit || t.id == SqlTypeId::kTinyInt || t.id == SqlTypeId::kSmallInt ||
         t.id == SqlTypeId::kInt || t.id == SqlTypeId::kBigInt;
}
bool is_numeric_type(const SqlType& t) {
  return is_integer_type(t) || t.id == SqlTypeId::kFloat || t.id == SqlTypeId::kDecimal ||
         t.id == SqlTypeId::kNumeric;
}

std::string hex_upper(const std::string& bytes) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool hex_decode(const std::string& hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    int a = nib(hex[i]), b = nib(hex[i + 1]);
    if (a < 0 || b < 0) return false;
    out->push_back(static_cast<char>(a * 16 + b));
  }
  return true;
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

size_t utf16_units(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;  // a 4-byte sequence is a surrogate pair
  }
  return n;
}

std::string utf8_prefix(const std::string& s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == n) return s.substr(0, i);
      ++count;
    }
  }
  return s;
}

std::string to_string(const SqlType& t) {
  auto len = [&](const char* name) {
    return std::string(name) + "(" + (t.length < 0 ? std::string("max") : std::to_string(t.length)) + ")";
  };
  switch (t.id) {
    case SqlTypeId::kBit: return "bit";
    case SqlTypeId::kTinyInt: return "tinyint";
    case SqlTypeId::kSmallInt: return "smallint";
    case SqlTypeId::kInt: return "int";
    case SqlTypeId::kBigInt: return "bigint";
    case SqlTypeId::kFloat: return "float";
    case SqlTypeId::kDecimal: return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case SqlTypeId::kNumeric: return "numeric(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case SqlTypeId::kChar: return len("char");
    case SqlTypeId::kVarChar: return len("varchar");
    case SqlTypeId::kNChar: return len("nchar");
    case SqlTypeId::kNVarChar: return len("nvarchar");
    case SqlTypeId::kBinary: return len("binary");
    case SqlTypeId::kVarBinary: return len("varbinary");
    case SqlTypeId::kDateTime: return "datetime";
    case SqlTypeId::kDateTime2: return "datetime2(" + std::to_string(t.scale) + ")";
    case SqlTypeId::kDateTimeOffset: return "datetimeoffset(" + std::to_string(t.scale) + ")";
    case SqlTypeId::kUniqueIdentifier: return "uniqueidentifier";
    case SqlTypeId::kSqlVariant: return "sql_variant";
  }
  return "?";
}

std::string type_name_for_message(const SqlType& t) {
  switch (t.id) {
    case SqlTypeId::kChar: return "char";
    case SqlTypeId::kVarChar: return "varchar";
    case SqlTypeId::kNChar: return "nchar";
    case SqlTypeId::kNVarChar: return "nvarchar";
    case SqlTypeId::kBinary: return "binary";
    case SqlTypeId::kVarBinary: return "varbinary";
    case SqlTypeId::kDecimal: return "numeric";
    case SqlTypeId::kDateTime2: return "datetime2";
    case SqlTypeId::kDateTimeOffset: return "datetimeoffset";
    default: return to_string(t);
  }
}

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string format_real(double d) {
  char buf[64];
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", d);
  } else {
    std::snprintf(buf, sizeof buf, "%.15g", d);
  }
  return buf;
}

std::string value_as_text(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return format_real(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<Blob>(&v)) return b->bytes;
  return {};
}

bool parse_int(const std::string& text, int64_t* out) {
  std::string t = trim(text);
  if (t.empty()) {
    *out = 0;  // SQL Server converts '' to 0
    return true;
  }
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

// Formats a GUID from 16 bytes the way SQL Server stores it (first three groups little endian).
std::string guid_from_bytes(const std::string& b) {
  static const int kOrder[] = {3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
  std::string out;
  for (int idx : kOrder) {
    if (idx < 0) {
      out.push_back('-');
      continue;
    }
    out += hex_upper(std::string(1, b[static_cast<size_t>(idx)]));
  }
  return out;
}

// The 16 bytes SQL Server stores for a GUID's text (first three groups little endian) — the
// inverse of guid_from_bytes. CAST(uniqueidentifier AS binary(16)) gives these bytes
// (https://learn.microsoft.com/en-us/sql/t-sql/data-types/uniqueidentifier-transact-sql).
std::string guid_to_bytes(const std::string& guid_text) {
  static const int kOrder[] = {3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
  std::string bytes(16, '\0');
  size_t pos = 0;
  for (int idx : kOrder) {
    if (idx < 0) {
      ++pos;  // the dash
      continue;
    }
    std::string pair;
    if (!hex_decode(guid_text.substr(pos, 2), &pair) || pair.size() != 1) return {};
    bytes[static_cast<size_t>(idx)] = pair[0];
    pos += 2;
  }
  return bytes;
}

bool normalize_guid(const std::string& text, std::string* out) {
  std::string t = trim(text);
  if (t.size() == 38 && t.front() == '{' && t.back() == '}') t = t.substr(1, 36);
  if (t.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? t[i] != '-' : !std::isxdigit(static_cast<unsigned char>(t[i]))) return false;
  }
  for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  *out = t;
  return true;
}

std::string conversion_failed(const SqlType& from, const std::string& text, const SqlType& to) {
  return "Conversion failed when converting the " + type_name_for_message(from) + " value '" + text +
         "' to data type " + type_name_for_message(to) + ".";
}

}  // namespace

bool convert_value(const Value& v, const SqlType& from, const SqlType& to, int style, Value* out, Message* err) {
  if (is_null(v)) {
    *out = Null{};
    return true;
  }
  auto fail = [&](int32_t number, std::string text) {
    err->number = number;
    err->severity = 16;
    err->state = 1;
    err->text = std::move(text);
    return false;
  };
  if (is_string_type(to)) {
    std::string s;
    if (const auto* b = std::get_if<Blob>(&v)) {
      if (style == 1) s = "0x" + hex_upper(b->bytes);
      else if (style == 2) s = hex_upper(b->bytes);
      else s = b->bytes;
    } else if (const auto* d = std::get_if<double>(&v)) {
      s = format_real(*d);
    } else {
      s = value_as_text(v);
    }
    if (to.length > 0 && utf8_length(s) > static_cast<size_t>(to.length)) s = utf8_prefix(s, static_cast<size_t>(to.length));
    if ((to.id == SqlTypeId::kChar || to.id == SqlTypeId::kNChar) && to.length > 0) {
      size_t n = utf8_length(s);
      if (n < static_cast<size_t>(to.length)) s.append(static_cast<size_t>(to.length) - n, ' ');
    }
    *out = std::move(s);
    return true;
  }
  if (is_binary_type(to)) {
    std::string bytes;
    std::string guid;
    if (const auto* b = std::get_if<Blob>(&v)) {
      bytes = b->bytes;
    } else if (from.id == SqlTypeId::kUniqueIdentifier && std::holds_alternative<std::string>(v) &&
               normalize_guid(std::get<std::string>(v), &guid)) {
      bytes = guid_to_bytes(guid);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      if (style == 1 || style == 2) {
        std::string hex = *s;
        if (style == 1) {
          if (hex.size() < 2 || hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) {
            return fail(8114, "Error converting data type " + type_name_for_message(from) + " to " +
                                  type_name_for_message(to) + ".");
          }
          hex = hex.substr(2);
        }
        if (!hex_decode(hex, &bytes)) {
          return fail(8114, "Error converting data type " + type_name_for_message(from) + " to " +
                                type_name_for_message(to) + ".");
        }
      } else if (is_unicode_type(from)) {
        // nvarchar → varbinary gives UTF-16LE bytes (BMP only; enough for the emulator).
        for (size_t i = 0; i < s->size();) {
          unsigned char c = static_cast<unsigned char>((*s)[i]);
          uint32_t cp = c;
          size_t n = 1;
          if (c >= 0xF0) { cp = c & 7; n = 4; }
          else if (c >= 0xE0) { cp = c & 15; n = 3; }
          else if (c >= 0xC0) { cp = c & 31; n = 2; }
          for (size_t k = 1; k < n && i + k < s->size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>((*s)[i + k]) & 63);
          i += n;
          if (cp >= 0x10000) {
            cp -= 0x10000;
            uint32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
            bytes.push_back(static_cast<char>(hi & 0xFF));
            bytes.push_back(static_cast<char>(hi >> 8));
            bytes.push_back(static_cast<char>(lo & 0xFF));
            bytes.push_back(static_cast<char>(lo >> 8));
          } else {
            bytes.push_back(static_cast<char>(cp & 0xFF));
            bytes.push_back(static_cast<char>(cp >> 8));
          }
        }
      } else {
        bytes = *s;
      }
    } else if (const auto* i = std::get_if<int64_t>(&v)) {
      int n = from.id == SqlTypeId::kBigInt ? 8 : from.id == SqlTypeId::kSmallInt ? 2
              : (from.id == SqlTypeId::kTinyInt || from.id == SqlTypeId::kBit) ? 1 : 4;
      for (int k = n - 1; k >= 0; --k) bytes.push_back(static_cast<char>((static_cast<uint64_t>(*i) >> (8 * k)) & 0xFF));
    } else {
      return fail(529, "Explicit conversion from data type float to " + type_name_for_message(to) + " is not allowed.");
    }
    if (to.length > 0 && bytes.size() > static_cast<size_t>(to.length)) bytes.resize(static_cast<size_t>(to.length));
    if (to.id == SqlTypeId::kBinary && to.length > 0 && bytes.size() < static_cast<size_t>(to.length))
      bytes.append(static_cast<size_t>(to.length) - bytes.size(), '\0');
    *out = Blob{std::move(bytes)};
    return true;
  }
  if (is_integer_type(to)) {
    int64_t n = 0;
    if (const auto* i = std::get_if<int64_t>(&v)) {
      n = *i;
    } else if (const auto* d = std::get_if<double>(&v)) {
      n = static_cast<int64_t>(*d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      if (to.id == SqlTypeId::kBit && (iequals(trim(*s), "true") || iequals(trim(*s), "false"))) {
        n = iequals(trim(*s), "true") ? 1 : 0;
      } else if (!parse_int(*s, &n)) {
        // decimal text (e.g. from a decimal column) truncates
        char* end = nullptr;
        std::string t = trim(*s);
        double d = std::strtod(t.c_str(), &end);
        if (from.id == SqlTypeId::kDecimal || from.id == SqlTypeId::kNumeric) {
          n = static_cast<int64_t>(d);
        } else {
          SqlType shown = is_string_type(from) ? from : SqlType::VarChar(-1);
          return fail(245, conversion_failed(shown, *s, to));
        }
      }
    } else if (const auto* b = std::get_if<Blob>(&v)) {
      for (unsigned char c : b->bytes) n = static_cast<int64_t>((static_cast<uint64_t>(n) << 8) | c);
    }
    if (to.id == SqlTypeId::kBit) n = n != 0 ? 1 : 0;
    if ((to.id == SqlTypeId::kInt && (n > 2147483647LL || n < -2147483648LL)) ||
        (to.id == SqlTypeId::kSmallInt && (n > 32767 || n < -32768)) ||
        (to.id == SqlTypeId::kTinyInt && (n > 255 || n < 0))) {
      return fail(8115, "Arithmetic overflow error converting expression to data type " + to_string(to) + ".");
    }
    *out = n;
    return true;
  }
  if (to.id == SqlTypeId::kFloat || to.id == SqlTypeId::kDecimal || to.id == SqlTypeId::kNumeric) {
    double d = 0;
    if (const auto* i = std::get_if<int64_t>(&v)) {
      if (to.id != SqlTypeId::kFloat && to.scale == 0) {
        *out = *i;
        return true;
      }
      d = static_cast<double>(*i);
    } else if (const auto* r = std::get_if<double>(&v)) {
      d = *r;
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      std::string t = trim(*s);
      char* end = nullptr;
      d = std::strtod(t.c_str(), &end);
      if (t.empty() || *end != '\0') {
        return fail(8114, "Error converting data type " + type_name_for_message(from) + " to " +
                              type_name_for_message(to) + ".");
      }
    } else {
      return fail(529, "Explicit conversion from data type varbinary to " + type_name_for_message(to) + " is not allowed.");
    }
    if (to.id == SqlTypeId::kFloat) {
      *out = d;
    } else if (to.scale == 0) {
      *out = static_cast<int64_t>(std::llround(d));
    } else {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(to.scale), d);
      *out = std::string(buf);
    }
    return true;
  }
  if (to.id == SqlTypeId::kUniqueIdentifier) {
    if (const auto* b = std::get_if<Blob>(&v)) {
      if (b->bytes.size() < 16) {
        return fail(8169, "Conversion failed when converting from a character string to uniqueidentifier.");
      }
      *out = guid_from_bytes(b->bytes);
      return true;
    }
    std::string g;
    if (!normalize_guid(value_as_text(v), &g)) {
      return fail(8169, "Conversion failed when converting from a character string to uniqueidentifier.");
    }
    *out = g;
    return true;
  }
  if (to.id == SqlTypeId::kDateTime || to.id == SqlTypeId::kDateTime2 || to.id == SqlTypeId::kDateTimeOffset) {
    Timestamp ts;
    if (!parse_timestamp(value_as_text(v), &ts)) {
      return fail(241, "Conversion failed when converting date and/or time from character string.");
    }
    std::string s = format_timestamp(ts, to.id == SqlTypeId::kDateTime ? 3 : to.scale);
    if (to.id == SqlTypeId::kDateTimeOffset) s += " +00:00";
    *out = s;
    return true;
  }
  *out = v;  // sql_variant keeps the value
  return true;
}

Value coerce_to_type(Value v, const SqlType& t) {
  if (is_null(v)) return v;
  if (is_string_type(t) || t.id == SqlTypeId::kUniqueIdentifier || t.id == SqlTypeId::kDateTime ||
      t.id == SqlTypeId::kDateTime2 || t.id == SqlTypeId::kDateTimeOffset) {
    if (std::holds_alternative<std::string>(v)) return v;
    if (const auto* b = std::get_if<Blob>(&v)) return std::string(b->bytes);
    return value_as_text(v);
  }
  if (is_integer_type(t)) {
    if (std::holds_alternative<int64_t>(v)) return v;
    if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
    int64_t n = 0;
    if (const auto* s = std::get_if<std::string>(&v)) {
      if (!parse_int(*s, &n)) n = static_cast<int64_t>(std::strtod(s->c_str(), nullptr));
    }
    return n;
  }
  if (is_binary_type(t)) {
    if (std::holds_alternative<Blob>(v)) return v;
    return Blob{value_as_text(v)};
  }
  if (t.id == SqlTypeId::kFloat) {
    if (std::holds_alternative<double>(v)) return v;
    if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
    return std::strtod(value_as_text(v).c_str(), nullptr);
  }
  if (t.id == SqlTypeId::kDecimal || t.id == SqlTypeId::kNumeric) {
    if (const auto* d = std::get_if<double>(&v)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(t.scale), *d);
      return std::string(buf);
    }
    if (const auto* b = std::get_if<Blob>(&v)) return std::string(b->bytes);
    return v;
  }
  return v;
}

}  // namespace emu
