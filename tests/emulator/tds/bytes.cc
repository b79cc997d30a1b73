// bytes.cc — see bytes.h.
#include "tds/bytes.h"

#include <vector>

namespace emu::tds {
namespace {

// Decodes one code point from UTF-8 at s[i]; advances i. Invalid input gives U+FFFD.
char32_t next_code_point(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i++]);
  if (b0 < 0x80) return b0;
  int extra = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) { extra = 1; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { extra = 2; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { extra = 3; cp = b0 & 0x07; }
  else return 0xFFFD;
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Windows-1252 bytes 0x80..0x9F (0 = unassigned).
constexpr char16_t kCp1252High[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

}  // namespace

void ByteWriter::b_varchar(std::string_view utf8) {
  std::string w = utf8_to_utf16le(utf8);
  const size_t units = std::min<size_t>(w.size() / 2, 255);
  u8(static_cast<uint8_t>(units));
  bytes(std::string_view(w).substr(0, units * 2));
}

void ByteWriter::us_varchar(std::string_view utf8) {
  std::string w = utf8_to_utf16le(utf8);
  const size_t units = std::min<size_t>(w.size() / 2, 65535);
  u16(static_cast<uint16_t>(units));
  bytes(std::string_view(w).substr(0, units * 2));
}

std::string ByteReader::b_varchar() {
  const size_t n = u8();
  return utf16le_to_utf8(bytes(n * 2));
}

std::string ByteReader::us_varchar() {
  const size_t n = u16();
  return utf16le_to_utf8(bytes(n * 2));
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string utf8_to_utf16le(std::string_view utf8) {
  std::string out;
  append_utf16le(out, utf8);
  return out;
}

void append_utf16le(std::string& out, std::string_view utf8) {
  // Every UTF-8 sequence of n bytes becomes at most 2n bytes of UTF-16: size once, write in place.
  const size_t start = out.size();
  out.resize(start + utf8.size() * 2);
  char* p = out.data() + start;
  auto unit = [&p](uint32_t u) {
    *p++ = static_cast<char>(u & 0xFF);
    *p++ = static_cast<char>(u >> 8);
  };
  size_t i = 0;
  while (i < utf8.size()) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    if (b < 0x80) {  // fast path for ASCII
      unit(b);
      ++i;
      continue;
    }
    const char32_t cp = next_code_point(utf8, i);
    if (cp >= 0x10000) {
      const char32_t v = cp - 0x10000;
      unit(0xD800 | (v >> 10));
      unit(0xDC00 | (v & 0x3FF));
    } else {
      unit(cp);
    }
  }
  out.resize(static_cast<size_t>(p - out.data()));
}

std::string utf16le_to_utf8(std::string_view utf16) {
  std::string out;
  out.reserve(utf16.size() / 2);
  const size_t n = utf16.size() / 2;
  auto unit = [&](size_t k) {
    return static_cast<uint16_t>(static_cast<unsigned char>(utf16[2 * k]) |
                                 (static_cast<unsigned char>(utf16[2 * k + 1]) << 8));
  };
  for (size_t k = 0; k < n; ++k) {
    const uint16_t u = unit(k);
    if (u < 0x80) {
      out.push_back(static_cast<char>(u));
    } else if (u >= 0xD800 && u <= 0xDBFF && k + 1 < n && unit(k + 1) >= 0xDC00 && unit(k + 1) <= 0xDFFF) {
      const char32_t cp = 0x10000 + ((static_cast<char32_t>(u - 0xD800) << 10) | (unit(k + 1) - 0xDC00));
      append_utf8(out, cp);
      ++k;
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      append_utf8(out, 0xFFFD);
    } else {
      append_utf8(out, u);
    }
  }
  return out;
}

size_t utf16_units(std::string_view utf8) {
  size_t units = 0;
  size_t i = 0;
  while (i < utf8.size()) units += next_code_point(utf8, i) >= 0x10000 ? 2 : 1;
  return units;
}

std::string utf8_to_cp1252(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    const char32_t cp = next_code_point(utf8, i);
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) {
      out.push_back(static_cast<char>(cp));
      continue;
    }
    char c = '?';
    for (int k = 0; k < 32; ++k) {
      if (kCp1252High[k] != 0 && kCp1252High[k] == cp) c = static_cast<char>(0x80 + k);
    }
    out.push_back(c);
  }
  return out;
}

std::string cp1252_to_utf8(std::string_view cp1252) {
  std::string out;
  out.reserve(cp1252.size());
  for (char ch : cp1252) {
    const auto b = static_cast<unsigned char>(ch);
    if (b >= 0x80 && b < 0xA0) {
      const char16_t m = kCp1252High[b - 0x80];
      append_utf8(out, m != 0 ? m : b);
    } else {
      append_utf8(out, b);
    }
  }
  return out;
}

}  // namespace emu::tds
