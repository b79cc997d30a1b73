// quote_test.cc — the quoting rules of service/tsql/quote.h, hostile names first.
#include "tsql/quote.h"

#include <gtest/gtest.h>

#include <string>

namespace understudy::tsql {
namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct NameCase {
  std::string name;
  std::string quoted;
};

TEST(QuoteName, QuotesHostileNames) {
  const NameCase cases[] = {
      {"app_svc", "[app_svc]"},
      {"a]b", "[a]]b]"},
      {"]", "[]]]"},
      {"]]", "[]]]]]"},
      {"[x]", "[[x]]]"},
      {"o'brien", "[o'brien]"},
      {"x; DROP LOGIN sa;--", "[x; DROP LOGIN sa;--]"},
      {"x]; DROP LOGIN sa;--", "[x]]; DROP LOGIN sa;--]"},
      {"line\nbreak", "[line\nbreak]"},
      {"DOMAIN\\user", "[DOMAIN\\user]"},
      {"Zoë ünïcødé", "[Zoë ünïcødé]"},
      {"\xF0\x9F\x90\x98 astral", "[\xF0\x9F\x90\x98 astral]"},  // U+1F418
      {"$(var)", "[$(var)]"},
  };
  for (const auto& c : cases) {
    auto q = quote_name(c.name);
    ASSERT_TRUE(q) << c.name << ": " << q.error().message;
    EXPECT_EQ(*q, c.quoted);
  }
}

struct BadName {
  std::string name;
  std::string message;
};

TEST(QuoteName, RefusesWhatQuotenameWouldTurnIntoNull) {
  const BadName cases[] = {
      {"", "empty identifier"},
      {repeat("a", 129), "identifier of 129 characters exceeds 128"},
      {repeat("]", 129), "identifier of 129 characters exceeds 128"},
      // 64 astral characters = 128 UTF-16 code units is fine (below); 65 are 130 units.
      {repeat("\xF0\x9F\x90\x98", 65), "identifier of 130 characters exceeds 128"},
      {"bad\xC3", "identifier is not valid utf-8"},
      {"\xED\xA0\x80", "identifier is not valid utf-8"},  // an encoded surrogate
      {"\xC0\xAF", "identifier is not valid utf-8"},      // overlong '/'
      {std::string("nul\0x", 5), "identifier contains a nul character"},
  };
  for (const auto& c : cases) {
    auto q = quote_name(c.name);
    ASSERT_FALSE(q) << c.name;
    EXPECT_EQ(q.error().message, c.message);
    EXPECT_EQ(q.error().code, ErrorCode::kDataErr);
  }
}

TEST(QuoteName, AcceptsExactly128CodeUnits) {
  EXPECT_EQ(quote_name(repeat("a", 128)).value(), "[" + repeat("a", 128) + "]");
  EXPECT_EQ(quote_name(repeat("]", 128)).value(), "[" + repeat("]]", 128) + "]");
  EXPECT_TRUE(quote_name(repeat("\xF0\x9F\x90\x98", 64)));
  EXPECT_TRUE(quote_name(repeat("é", 128)));
}

TEST(QuoteString, DoublesQuotesOnly) {
  const NameCase cases[] = {
      {"", "N''"},
      {"plain", "N'plain'"},
      {"o'brien", "N'o''brien'"},
      {"'", "N''''"},
      {"'; DROP LOGIN sa; --", "N'''; DROP LOGIN sa; --'"},
      {"a]b", "N'a]b'"},
      {"\xF0\x9F\x90\x98", "N'\xF0\x9F\x90\x98'"},
      {"two\r\nlines", "N'two\r\nlines'"},
  };
  for (const auto& c : cases) EXPECT_EQ(quote_string(c.name), c.quoted);
  EXPECT_EQ(quote_nullable(std::optional<std::string>()), "NULL");
  EXPECT_EQ(quote_nullable(std::optional<std::string>("x")), "N'x'");
}

TEST(QuoteString, HandlesAnyLength) {
  const std::string big = repeat("it's ", 20000);
  const std::string q = quote_string(big);
  EXPECT_EQ(q.size(), big.size() + 20000 + 3);
  EXPECT_EQ(q.substr(0, 8), "N'it''s ");
}

TEST(BinaryLiteral, NormalisesAndValidates) {
  EXPECT_EQ(binary_literal("0x0200abCD").value(), "0x0200ABCD");
  EXPECT_EQ(binary_literal("0X01").value(), "0x01");
  EXPECT_EQ(binary_literal("ff").value(), "0xFF");
  EXPECT_EQ(binary_literal("0x", true).value(), "0x");
  EXPECT_EQ(binary_literal("0x").error().message, "empty binary value");
  EXPECT_EQ(binary_literal("0x123").error().message, "binary value has an odd number of hex digits");
  EXPECT_EQ(binary_literal("0x12G4").error().message, "binary value has a non-hex character at 2");
  EXPECT_EQ(binary_literal("0x12;DROP").error().message, "binary value has an odd number of hex digits");
  EXPECT_EQ(binary_literal("0x12'-").error().message, "binary value has a non-hex character at 2");
}

TEST(GuidLiteral, NormalisesAndValidates) {
  EXPECT_EQ(guid_literal("631b3284-8cff-4234-a40e-00a2a098fac8").value(),
            "N'631B3284-8CFF-4234-A40E-00A2A098FAC8'");
  EXPECT_EQ(guid_literal("{631B3284-8CFF-4234-A40E-00A2A098FAC8}").value(),
            "N'631B3284-8CFF-4234-A40E-00A2A098FAC8'");
  for (const char* bad : {"", "631B3284", "631B3284-8CFF-4234-A40E-00A2A098FAC", "631B3284X8CFF-4234-A40E-00A2A098FAC8",
                          "631B3284-8CFF-4234-A40E-00A2A098FA'8"}) {
    auto g = guid_literal(bad);
    ASSERT_FALSE(g) << bad;
    EXPECT_EQ(g.error().message, "malformed guid");
  }
}

TEST(KeywordPhrase, AcceptsOnlyUpperCaseWords) {
  EXPECT_EQ(keyword_phrase("VIEW SERVER STATE").value(), "VIEW SERVER STATE");
  EXPECT_EQ(keyword_phrase("CONNECT SQL").value(), "CONNECT SQL");
  for (const char* bad : {"", " VIEW", "VIEW ", "VIEW  STATE", "view state", "CONTROL SERVER; DROP", "X--", "A\nB"}) {
    auto k = keyword_phrase(bad);
    ASSERT_FALSE(k) << bad;
    EXPECT_EQ(k.error().message, "not a permission or option phrase: " + comment_text(bad));
  }
}

TEST(CommentText, CannotEndTheComment) {
  EXPECT_EQ(comment_text("a\nDROP LOGIN sa"), "a\\u000ADROP LOGIN sa");
  EXPECT_EQ(comment_text("a\r\tb"), "a\\u000D\\u0009b");
  EXPECT_EQ(comment_text("plain ]' name"), "plain ]' name");
}

TEST(Utf16Length, CountsCodeUnits) {
  EXPECT_EQ(utf16_length("abc").value(), 3u);
  EXPECT_EQ(utf16_length("é").value(), 1u);
  EXPECT_EQ(utf16_length("\xE2\x82\xAC").value(), 1u);      // €
  EXPECT_EQ(utf16_length("\xF0\x9F\x90\x98").value(), 2u);  // surrogate pair
}

}  // namespace
}  // namespace understudy::tsql
