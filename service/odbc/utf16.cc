#include "odbc/utf16.h"

namespace understudy::odbc {
namespace {
constexpr char32_t kReplacement = 0xFFFD;

void push_utf16(U16& out, char32_t cp) {
  if (cp >= 0x10000) {
    cp -= 0x10000;
    out.push_back(static_cast<uint16_t>(0xD800 + (cp >> 10)));
    out.push_back(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
  } else {
    out.push_back(static_cast<uint16_t>(cp));
  }
}

void push_utf8(std::string& out, char32_t cp) {
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
}  // namespace

U16 utf8_to_utf16(std::string_view s) {
  U16 out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      out.push_back(b);
      ++i;
      continue;
    }
    int extra = b >= 0xF0 && b < 0xF5 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : -1;
    if (b >= 0xF5) extra = -1;
    if (extra < 0 || i + static_cast<size_t>(extra) >= s.size()) {
      push_utf16(out, kReplacement);
      ++i;
      continue;
    }
    char32_t cp = b & (0x3F >> extra);
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    const char32_t min_for_len[] = {0, 0x80, 0x800, 0x10000};
    if (!ok || cp < min_for_len[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      push_utf16(out, kReplacement);
      ++i;
      continue;
    }
    push_utf16(out, cp);
    i += extra + 1;
  }
  return out;
}

std::string utf16_to_utf8(const uint16_t* p, size_t n) {
  std::string out;
  utf16_to_utf8(p, n, out);
  return out;
}

void utf16_to_utf8(const uint16_t* p, size_t n, std::string& out) {
  // ASCII, nearly every catalog name and value: one byte per unit, no encoder (this runs
  // for every text cell of a snapshot).
  size_t ascii = 0;
  while (ascii < n && p[ascii] < 0x80) ++ascii;
  out.resize(ascii);
  for (size_t i = 0; i < ascii; ++i) out[i] = static_cast<char>(p[i]);
  if (ascii == n) return;
  out.reserve(n + (n - ascii) * 2);
  for (size_t i = ascii; i < n; ++i) {
    char32_t u = p[i];
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n && p[i + 1] >= 0xDC00 && p[i + 1] <= 0xDFFF) {
      push_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (p[i + 1] - 0xDC00));
      ++i;
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      push_utf8(out, kReplacement);
    } else {
      push_utf8(out, u);
    }
  }
}

}  // namespace understudy::odbc
