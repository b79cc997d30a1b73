// types.h — TDS TYPE_INFO and value codec for the emulator's SqlTypes (MS-TDS 2.2.5, data type
// definitions and TYPE_INFO; 2.2.6.6, RPC parameters).
//
// Encoding (server → client): every column is sent with the nullable ("N") variant of its type
// (INTN, BITN, FLTN, DATETIMN, DECIMALN…), so a NULL is always representable; the NOT NULL flag
// in COLMETADATA still tells the client whether the column is nullable. Values are converted from
// the engine's SQLite-shaped Value per column type (text → int, int → decimal, …). A value that
// the type cannot hold (unparseable date, GUID) is sent as NULL and logged once on stderr.
// SQL_VARIANT is sent as NVARCHAR(4000) text (documented simplification).
// Character columns use collation SQL_Latin1_General_CP1_CI_AS (VARCHAR data in CP1252).
//
// Decoding (client → server): RPC parameters of every type FreeTDS, pytds and tedious send:
// fixed types, INTN, BITN, FLTN, MONEYN, DECIMALN/NUMERICN, (N)(VAR)CHAR, (VAR)BINARY, PLP MAX
// types, NTEXT/TEXT/IMAGE (no text pointer), DATETIME/DATETIMN/SMALLDATETIME, DATE, TIME,
// DATETIME2, DATETIMEOFFSET, GUID, SQL_VARIANT. They map to the nearest SqlType with a Value in
// the engine's conventions (see engine/value.h).
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>

#include "engine/value.h"
#include "tds/bytes.h"

namespace emu::tds {

// The 5-byte collation of SQL_Latin1_General_CP1_CI_AS.
inline constexpr std::string_view kCollation{"\x09\x04\xD0\x00\x34", 5};

// Fills defaults the wire needs (nvarchar without length → 4000, decimal without precision →
// (18,0), datetime2 without scale → 7, lengths over the non-MAX
// limit → MAX). Call once per column; the other functions expect a normalized type.
SqlType normalize_for_wire(const SqlType& t);

// TYPE_INFO of a (normalized) type, as in COLMETADATA and RETURNVALUE.
void write_type_info(ByteWriter& w, const SqlType& t);
// The value as in ROW and RETURNVALUE.
void write_value(ByteWriter& w, const SqlType& t, const Value& v);

struct DecodedParam {
  SqlType type;
  Value value;
};
// Reads TYPE_INFO + value of one RPC parameter. Throws ProtocolError on unknown types.
DecodedParam read_param(ByteReader& r);

// Calendar helpers shared with tests: days since 0001-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

}  // namespace emu::tds
