// quote.cc — see quote.h.
#include "tsql/quote.h"

#include <fmt/format.h>

namespace understudy::tsql {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length and the code point, or 0 when invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t* cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t len = 0;
  char32_t v = 0;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

// open + text with every `quote` doubled + quote: the one escaping rule of T-SQL delimiters.
std::string enclose(std::string_view open, std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + open.size() + 2);
  out += open;
  for (char c : text) {
    out += c;
    if (c == quote) out += quote;
  }
  out += quote;
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::size_t> utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(utf8, i, &cp);
    if (n == 0) return fail(ErrorCode::kDataErr, fmt::format("invalid utf-8 at byte {}", i));
    units += cp >= 0x10000 ? 2 : 1;
    i += n;
  }
  return units;
}

Result<std::string> quote_name(std::string_view name) {
  if (name.empty()) return fail(ErrorCode::kDataErr, "empty identifier");
  auto units = utf16_length(name);
  if (!units) return fail(ErrorCode::kDataErr, "identifier is not valid utf-8");
  if (*units > kMaxIdentifierLength) {
    return fail(ErrorCode::kDataErr,
                fmt::format("identifier of {} characters exceeds 128", *units),
                "sysname holds at most 128 utf-16 code units");
  }
  if (name.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::kDataErr, "identifier contains a nul character");
  }
  return enclose("[", name, ']');
}

std::string quote_string(std::string_view text) { return enclose("N'", text, '\''); }

std::string quote_nullable(const std::optional<std::string>& text) {
  return text ? quote_string(*text) : std::string("NULL");
}

Result<std::string> binary_literal(std::string_view hex, bool allow_empty) {
  if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  if (hex.empty() && !allow_empty) return fail(ErrorCode::kDataErr, "empty binary value");
  if (hex.size() % 2 != 0) return fail(ErrorCode::kDataErr, "binary value has an odd number of hex digits");
  std::string out = "0x";
  out.reserve(hex.size() + 2);
  for (std::size_t i = 0; i < hex.size(); ++i) {
    const int v = hex_value(hex[i]);
    if (v < 0) return fail(ErrorCode::kDataErr, fmt::format("binary value has a non-hex character at {}", i));
    out += "0123456789ABCDEF"[v];
  }
  return out;
}

Result<std::string> guid_literal(std::string_view guid) {
  if (guid.size() == 38 && guid.front() == '{' && guid.back() == '}') guid = guid.substr(1, 36);
  if (guid.size() != 36) return fail(ErrorCode::kDataErr, "malformed guid");
  std::string out = "N'";
  for (std::size_t i = 0; i < guid.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash) {
      if (guid[i] != '-') return fail(ErrorCode::kDataErr, "malformed guid");
      out += '-';
      continue;
    }
    const int v = hex_value(guid[i]);
    if (v < 0) return fail(ErrorCode::kDataErr, "malformed guid");
    out += "0123456789ABCDEF"[v];
  }
  out += '\'';
  return out;
}

Result<std::string> keyword_phrase(std::string_view phrase) {
  bool word_start = true;
  for (char c : phrase) {
    if (c >= 'A' && c <= 'Z') {
      word_start = false;
    } else if (c == ' ' && !word_start) {
      word_start = true;
    } else {
      return fail(ErrorCode::kDataErr, "not a permission or option phrase: " + comment_text(phrase));
    }
  }
  if (phrase.empty() || word_start) {
    return fail(ErrorCode::kDataErr, "not a permission or option phrase: " + comment_text(phrase));
  }
  return std::string(phrase);
}

std::string int_literal(int64_t value) { return std::to_string(value); }

std::string comment_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      out += fmt::format("\\u{:04X}", u);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace understudy::tsql
