// codec_test.cc — byte-exact checks of the TDS codec against MS-TDS (2.2.6.4 LOGIN7, 2.2.6.6 RPC
// Request, 2.2.7 tokens, 2.2.5 data types) and captures of the real clients, and encode → decode
// round trips of every type.
#include <gtest/gtest.h>

#include <cstdio>

#include "tds/bytes.h"
#include "tds/login7.h"
#include "tds/rpc.h"
#include "tds/tokens.h"
#include "tds/types.h"

namespace emu::tds {
namespace {

std::string hex(const std::string& b) { return to_hex(b); }

std::string value_bytes(const SqlType& t, const Value& v) {
  ByteWriter w;
  write_value(w, normalize_for_wire(t), v);
  return hex(w.str());
}

std::string type_bytes(const SqlType& t) {
  ByteWriter w;
  write_type_info(w, normalize_for_wire(t));
  return hex(w.str());
}

struct ValueCase {
  const char* what;
  SqlType type;
  Value value;
  const char* bytes;
};

TEST(Codec, ValuesMatchTheCaptures) {
  const ValueCase cases[] = {
      {"int", SqlType::Int(), int64_t{10}, "04 0A 00 00 00"},
      {"int null", SqlType::Int(), Null{}, "00"},
      {"bigint max", SqlType::BigInt(), int64_t{9223372036854775807LL}, "08 FF FF FF FF FF FF FF 7F"},
      {"bit", SqlType::Bit(), int64_t{1}, "01 01"},
      {"float", SqlType::Float(), 1.5, "08 00 00 00 00 00 00 F8 3F"},
      {"nvarchar", SqlType::NVarChar(50), std::string("alpha"), "0A 00 61 00 6C 00 70 00 68 00 61 00"},
      {"nvarchar null", SqlType::NVarChar(50), Null{}, "FF FF"},
      {"varchar cp1252", SqlType::VarChar(20), std::string("café"), "04 00 63 61 66 E9"},
      {"varbinary", SqlType::VarBinary(16), Blob{std::string("\x01\xFF", 2)}, "02 00 01 FF"},
      {"nvarchar(max) empty", SqlType::NVarChar(-1), std::string(), "00 00 00 00 00 00 00 00 00 00 00 00"},
      {"nvarchar(max) null", SqlType::NVarChar(-1), Null{}, "FF FF FF FF FF FF FF FF"},
      {"nvarchar(max)", SqlType::NVarChar(-1), std::string("ab"),
       "04 00 00 00 00 00 00 00 04 00 00 00 61 00 62 00 00 00 00 00"},
      {"datetime2", {SqlTypeId::kDateTime2, 0, 0, 7}, std::string("2024-01-02 03:04:05.123456"),
       "08 00 17 68 B7 19 46 46 0B"},
      {"datetime2 1900", {SqlTypeId::kDateTime2, 0, 0, 7}, std::string("1900-01-01 00:00:00"),
       "08 00 00 00 00 00 5B 95 0A"},
      {"datetime", SqlType::DateTime(), std::string("2024-01-02 03:04:05.123"), "08 EB B0 00 00 81 8F 32 00"},
      {"datetime 1753", SqlType::DateTime(), std::string("1753-01-01 00:00:00.000"), "08 46 2E FF FF 00 00 00 00"},
      {"decimal", SqlType::Decimal(10, 2), std::string("12345.67"), "09 01 87 D6 12 00 00 00 00 00"},
      {"decimal from int", SqlType::Decimal(10, 2), int64_t{3}, "09 01 2C 01 00 00 00 00 00 00"},
      {"decimal negative rounds", SqlType::Decimal(5, 1), std::string("-0.05"), "05 00 01 00 00 00"},
      {"guid", SqlType::Guid(), std::string("6F9619FF-8B86-D011-B42D-00C04FC964FF"),
       "10 FF 19 96 6F 86 8B 11 D0 B4 2D 00 C0 4F C9 64 FF"},
      {"nchar pads", SqlType::NChar(3), std::string("a"), "06 00 61 00 20 00 20 00"},
      {"unparseable date is null", SqlType::DateTime(), std::string("yesterday"), "00"},
  };
  for (const auto& c : cases) EXPECT_EQ(value_bytes(c.type, c.value), c.bytes) << c.what;
}

TEST(Codec, TypeInfoMatchesTheCaptures) {
  const std::pair<SqlType, const char*> cases[] = {
      {SqlType::Int(), "26 04"},
      {SqlType::BigInt(), "26 08"},
      {SqlType::Bit(), "68 01"},
      {SqlType::Float(), "6D 08"},
      {SqlType::NVarChar(50), "E7 64 00 09 04 D0 00 34"},
      {SqlType::NVarChar(-1), "E7 FF FF 09 04 D0 00 34"},
      {SqlType::VarChar(20), "A7 14 00 09 04 D0 00 34"},
      {SqlType::VarBinary(16), "A5 10 00"},
      {SqlType::VarBinary(-1), "A5 FF FF"},
      {{SqlTypeId::kDateTime2, 0, 0, 7}, "2A 07"},
      {SqlType::DateTime(), "6F 08"},
      {SqlType::Decimal(10, 2), "6A 09 0A 02"},
      {SqlType::Guid(), "24 10"},
      {{SqlTypeId::kSqlVariant}, "62 50 1F 00 00"},  // [MS-TDS] 2.2.5.5.4
  };
  for (const auto& [type, bytes] : cases) EXPECT_EQ(type_bytes(type), bytes) << bytes;
}

// Every type: TYPE_INFO + value written by the encoder reads back through the RPC decoder.
TEST(Codec, EveryTypeRoundTripsThroughTheParameterDecoder) {
  const std::pair<SqlType, Value> cases[] = {
      {SqlType::Bit(), int64_t{1}},
      {SqlType::TinyInt(), int64_t{200}},
      {SqlType::SmallInt(), int64_t{-300}},
      {SqlType::Int(), int64_t{-70000}},
      {SqlType::BigInt(), int64_t{-5000000000LL}},
      {SqlType::Float(), 2.25},
      {SqlType::Decimal(10, 2), std::string("-12345.67")},
      {{SqlTypeId::kNumeric, 0, 38, 0}, std::string("12345678901234567890123456789012345678")},
      {SqlType::Char(3), std::string("abc")},
      {SqlType::VarChar(10), std::string("café")},
      {SqlType::NChar(2), std::string("日本")},
      {SqlType::NVarChar(20), std::string("Grüße 😀")},
      {SqlType::NVarChar(-1), std::string(9000, 'q')},
      {{SqlTypeId::kBinary, 2}, Blob{std::string("\x00\x01", 2)}},
      {SqlType::VarBinary(5), Blob{std::string("\xDE\xAD", 2)}},
      {SqlType::VarBinary(-1), Blob{std::string(10000, '\x07')}},
      {SqlType::DateTime(), std::string("2024-01-02 03:04:05.123")},
      {{SqlTypeId::kDateTime2, 0, 0, 7}, std::string("2024-01-02 03:04:05.1234567")},
      {{SqlTypeId::kDateTime2, 0, 0, 3}, std::string("0001-01-01 23:59:59.999")},
      {{SqlTypeId::kDateTimeOffset, 0, 0, 7}, std::string("2024-01-02 03:04:05.1234567 -05:30")},
      {SqlType::Guid(), std::string("6F9619FF-8B86-D011-B42D-00C04FC964FF")},
      {SqlType::Int(), Null{}},
      {SqlType::NVarChar(-1), Null{}},
      {SqlType::VarBinary(-1), Null{}},
  };
  for (const auto& [type, value] : cases) {
    const SqlType t = normalize_for_wire(type);
    ByteWriter w;
    write_type_info(w, t);
    write_value(w, t, value);
    ByteReader r(w.str());
    const DecodedParam d = read_param(r);
    EXPECT_TRUE(r.at_end()) << static_cast<int>(t.id);
    EXPECT_EQ(d.type, t);
    EXPECT_EQ(d.value, value);
  }
}

struct ParamCase {
  const char* what;
  const char* bytes;  // TYPE_INFO + value as a client sent it
  SqlType type;
  Value value;
};

std::string unhex(const char* h) {
  std::string out;
  for (const char* p = h; *p;) {
    while (*p == ' ') ++p;
    if (!*p) break;
    out.push_back(static_cast<char>(std::stoi(std::string(p, 2), nullptr, 16)));
    p += 2;
  }
  return out;
}

TEST(Codec, ParametersAsClientsSendThem) {
  const ParamCase cases[] = {
      {"INT", "26 04 04 01 00 00 00", SqlType::Int(), int64_t{1}},
      {"NULL INT", "26 04 00", SqlType::Int(), Null{}},
      {"fixed INT4", "38 FE FF FF FF", SqlType::Int(), int64_t{-2}},
      {"BIT", "68 01 01 01", SqlType::Bit(), int64_t{1}},
      {"NTEXT without text pointer", "63 00 00 00 40 09 04 D0 00 34 04 00 00 00 68 00 69 00", SqlType::NVarChar(-1),
       std::string("hi")},
      {"NTEXT NULL", "63 00 00 00 40 09 04 D0 00 34 FF FF FF FF", SqlType::NVarChar(-1), Null{}},
      {"NVARCHAR(MAX) PLP unknown length",
       "E7 FF FF 09 04 D0 00 34 FE FF FF FF FF FF FF FF 02 00 00 00 61 00 02 00 00 00 62 00 00 00 00 00",
       SqlType::NVarChar(-1), std::string("ab")},
      {"DATETIME2(6)", "2A 06 08 40 E2 01 00 00 46 46 0B", {SqlTypeId::kDateTime2, 0, 0, 6},
       std::string("2024-01-02 00:00:00.123456")},
      {"MONEY", "3C 00 00 00 00 39 30 00 00", SqlType::Decimal(19, 4), std::string("1.2345")},
      {"DATE", "28 03 46 46 0B", {SqlTypeId::kDateTime2, 0, 0, 0}, std::string("2024-01-02 00:00:00")},
      {"IMAGE", "22 10 27 00 00 02 00 00 00 AB CD", SqlType::VarBinary(-1), Blob{std::string("\xAB\xCD", 2)}},
      {"SQL_VARIANT int", "62 10 1F 00 00 06 00 00 00 38 00 2A 00 00 00", SqlType::Int(), int64_t{42}},
  };
  for (const auto& c : cases) {
    const std::string b = unhex(c.bytes);
    ByteReader r(b);
    const DecodedParam d = read_param(r);
    EXPECT_TRUE(r.at_end()) << c.what;
    EXPECT_EQ(d.type, c.type) << c.what;
    EXPECT_EQ(d.value, c.value) << c.what;
  }
}

TEST(Codec, RpcRequestWithTwoCallsAndProcIds) {
  // ALL_HEADERS, sp_executesql by id with @stmt NVARCHAR and an unnamed INT, separator 0xFF,
  // then "sp_execute" by name with a handle.
  const std::string payload = unhex(
      "16 00 00 00 12 00 00 00 02 00 00 00 00 00 00 00 00 00 01 00 00 00 "
      "FF FF 0A 00 00 00 "
      "05 40 00 73 00 74 00 6D 00 74 00 00 E7 08 00 09 04 D0 00 34 02 00 78 00 "
      "00 00 26 04 04 07 00 00 00 "
      "FF "
      "0A 00 73 00 70 00 5F 00 65 00 78 00 65 00 63 00 75 00 74 00 65 00 00 00 "
      "00 01 26 04 04 01 00 00 00");
  const auto calls = parse_rpc_request(payload);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].proc_name, "sp_executesql");
  EXPECT_EQ(calls[0].proc_id, 10);
  ASSERT_EQ(calls[0].params.size(), 2u);
  EXPECT_EQ(calls[0].params[0].name, "@stmt");
  EXPECT_EQ(calls[0].params[0].value, Value(std::string("x")));
  EXPECT_EQ(calls[0].params[1].name, "");
  EXPECT_EQ(calls[0].params[1].value, Value(int64_t{7}));
  EXPECT_EQ(calls[1].proc_name, "sp_execute");
  EXPECT_EQ(calls[1].proc_id, 0);
  ASSERT_EQ(calls[1].params.size(), 1u);
  EXPECT_TRUE(calls[1].params[0].output);
}

TEST(Codec, LoginAckAndDoneAreByteExact) {
  ByteWriter w;
  const uint8_t version[4] = {16, 0, 0x0F, 0xA0};
  write_loginack(w, 0x74000004, "Microsoft SQL Server", version);
  EXPECT_EQ(hex(w.str()).substr(0, 26), "AD 32 00 01 74 00 00 04 14");
  EXPECT_EQ(hex(w.str().substr(w.size() - 4)), "10 00 0F A0");
  ByteWriter d;
  write_done(d, kTokDone, kDoneAttn, 0, 0);
  EXPECT_EQ(hex(d.str()), "FD 20 00 00 00 00 00 00 00 00 00 00 00");
  ByteWriter e;
  write_envchange_bytes(e, kEnvBeginTran, transaction_descriptor(1), "");
  EXPECT_EQ(hex(e.str()), "E3 0B 00 08 08 01 00 00 00 00 00 00 00 00");
  ByteWriter rv;
  write_return_value(rv, OutputParam{0, "", SqlType::Int(), int64_t{1}});
  EXPECT_EQ(hex(rv.str()), "AC 00 00 00 01 00 00 00 00 01 00 26 04 04 01 00 00 00");
}

TEST(Codec, PasswordObfuscationMatchesTheCapture) {
  EXPECT_EQ(hex(obfuscate_password(std::string("s\0", 2))), "92 A5");
  EXPECT_EQ(negotiated_version(0x730B0003), 0x730B0003u);
  EXPECT_EQ(negotiated_version(0x71000001), 0x74000004u);
}

TEST(Codec, UnicodeRoundTripsIncludingSurrogatePairs) {
  const std::string samples[] = {"", "plain", "café", "日本語", "😀 smile", "]';--", std::string("nul\0in", 6)};
  for (const auto& s : samples) EXPECT_EQ(utf16le_to_utf8(utf8_to_utf16le(s)), s);
  EXPECT_EQ(hex(utf8_to_utf16le("😀")), "3D D8 00 DE");
  EXPECT_EQ(utf16_units("a😀"), 3u);
  EXPECT_EQ(utf16le_to_utf8(std::string("\x3D\xD8", 2)), "\xEF\xBF\xBD");  // lone surrogate → U+FFFD
  EXPECT_EQ(utf8_to_cp1252("€ and ☃"), "\x80 and ?");
  EXPECT_EQ(cp1252_to_utf8("\x80\xE9"), "€é");
}

}  // namespace
}  // namespace emu::tds
