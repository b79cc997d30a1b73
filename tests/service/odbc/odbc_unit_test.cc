// Tests of service/odbc that need no server: connection strings, UTF-16, diagnostics mapping.
#include <gtest/gtest.h>

#include "odbc/connection.h"
#include "odbc/diag.h"
#include "odbc/utf16.h"

namespace understudy::odbc {
namespace {

TEST(ConnectionString, PasswordIsBracedOnlyWhenItMustBe) {
  const std::pair<const char*, const char*> cases[] = {
      {"p", "SERVER=h;UID=sa;PWD=p;"},
      {"Pw}x1!", "SERVER=h;UID=sa;PWD=Pw}x1!;"},  // bare: FreeTDS 1.3 cannot read '}}' in braces
      {"a=b'\"]", "SERVER=h;UID=sa;PWD=a=b'\"];"},
      {"x;PWD=y", "SERVER=h;UID=sa;PWD={x;PWD=y};"},
      {"}};{", "SERVER=h;UID=sa;PWD={}}}};{};"},  // needs braces: '}' doubled as ODBC specifies
      {"{lead", "SERVER=h;UID=sa;PWD={{lead};"},
      {" edge ", "SERVER=h;UID=sa;PWD={ edge };"},
      {"", "SERVER=h;UID=sa;PWD={};"},
  };
  for (const auto& [pw, expected] : cases)
    EXPECT_EQ(connection_string_with_password("SERVER=h;UID=sa;", Secret(pw)), expected) << pw;
}

TEST(ConnectionString, PasswordAttributeIsDetected) {
  const std::pair<const char*, bool> cases[] = {
      {"DRIVER={FreeTDS};SERVER=h;UID=sa", false},
      {"DRIVER={FreeTDS};SERVER=h;UID=sa;PWD=x", true},
      {"pwd={a;b};SERVER=h", true},
      {"SERVER=h; Password = x", true},
      {"DRIVER={Weird;PWD=driver};SERVER=h", false},  // inside a braced value
      {"SERVER=h;APP={x}};PWD=y}", false},             // '}}' escapes inside braces
      {"SERVER=h;PWDX=1", false},
  };
  for (const auto& [cs, expected] : cases) EXPECT_EQ(has_password_attribute(cs), expected) << cs;
}

TEST(Utf16, RoundTripsHostileText) {
  const std::string cases[] = {"", "plain", "O'Brien]];--", "名前", "émoji 😀 𝄞", std::string("nul\0in", 6)};
  for (const auto& s : cases) {
    U16 u = utf8_to_utf16(s);
    EXPECT_EQ(utf16_to_utf8(u.data(), u.size()), s);
  }
  EXPECT_EQ(utf8_to_utf16("😀"), (U16{0xD83D, 0xDE00}));
}

TEST(Utf16, InvalidInputBecomesReplacementCharacter) {
  EXPECT_EQ(utf8_to_utf16("a\xff" "b"), (U16{'a', 0xFFFD, 'b'}));
  EXPECT_EQ(utf8_to_utf16("\xe6\x97"), (U16{0xFFFD, 0xFFFD}));  // truncated sequence
  EXPECT_EQ(utf8_to_utf16("\xc0\xaf"), (U16{0xFFFD, 0xFFFD}));  // overlong '/'
  const uint16_t lone[] = {'x', 0xD800, 'y'};
  EXPECT_EQ(utf16_to_utf8(lone, 3), "x\xef\xbf\xbdy");
}

// FreeTDS's own link errors are not server errors; the same numbers from elsewhere, and server
// messages under the FreeTDS prefix, are left as they are.
TEST(Diagnostics, FreeTdsLinkErrorsAreToldFromServerErrors) {
  EXPECT_TRUE(link_lost_client_error(20017, "[FreeTDS][SQL Server]Unexpected EOF from the server"));
  EXPECT_TRUE(link_lost_client_error(20004, "[FreeTDS][SQL Server]Read from the server failed"));
  EXPECT_FALSE(link_lost_client_error(208, "[FreeTDS][SQL Server]Invalid object name 'x'."));
  EXPECT_FALSE(link_lost_client_error(20017, "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]replication"));
  DiagRecord eof{"01000", 20017, "Unexpected EOF from the server", false, true};
  EXPECT_EQ(classify(eof, Phase::kStatement), ErrorCode::kUnavailable);
  DiagRecord timeout{"01000", 20003, "Adaptive Server connection timed out", false, true};
  EXPECT_EQ(classify(timeout, Phase::kStatement), ErrorCode::kTempFail);
  DiagRecord server{"42S02", 208, "Invalid object name 'x'.", false, false};
  EXPECT_EQ(classify(server, Phase::kStatement), ErrorCode::kSql);
}

TEST(Diagnostics, DriverPrefixesAreStripped) {
  EXPECT_EQ(strip_driver_prefix("[FreeTDS][SQL Server]Invalid object name 'x'."), "Invalid object name 'x'.");
  EXPECT_EQ(strip_driver_prefix("[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Login failed for user 'sa'."),
            "Login failed for user 'sa'.");
  EXPECT_EQ(strip_driver_prefix("no prefix\n"), "no prefix");
}

TEST(Diagnostics, Classification) {
  struct Row {
    const char* sqlstate;
    int32_t native;
    Phase phase;
    ErrorCode code;
    bool driver_manager = false;
  };
  const Row rows[] = {
      {"28000", 18456, Phase::kConnect, ErrorCode::kUnavailable},
      {"42000", 18456, Phase::kConnect, ErrorCode::kUnavailable},
      {"08001", 0, Phase::kConnect, ErrorCode::kUnavailable},
      {"08S01", 0, Phase::kStatement, ErrorCode::kUnavailable},
      {"HYT00", 0, Phase::kConnect, ErrorCode::kUnavailable},
      {"HYT00", 0, Phase::kStatement, ErrorCode::kTempFail},
      {"IM002", 0, Phase::kConnect, ErrorCode::kConfig},
      {"42S02", 208, Phase::kStatement, ErrorCode::kSql},
      {"23000", 2627, Phase::kStatement, ErrorCode::kSql},
      {"01000", 0, Phase::kConnect, ErrorCode::kConfig, true},  // "Can't open lib"
  };
  for (const auto& r : rows)
    EXPECT_EQ(classify({r.sqlstate, r.native, "m", r.driver_manager}, r.phase), r.code) << r.sqlstate << " " << r.native;
}

TEST(Values, HexAndLookup) {
  EXPECT_EQ(to_hex({0x01}), "0x01");
  EXPECT_EQ(to_hex({0xAB, 0x00, 0xff}), "0xAB00FF");
  EXPECT_EQ(to_hex({}), "0x");
  ResultSet rs;
  rs.columns = {{.name = "name"}, {.name = "sid"}};
  EXPECT_EQ(rs.index_of("sid"), 1u);
  EXPECT_EQ(rs.index_of("SID"), std::nullopt);
}

}  // namespace
}  // namespace understudy::odbc
