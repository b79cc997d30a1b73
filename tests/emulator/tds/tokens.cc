// tokens.cc — see tokens.h.
#include "tds/tokens.h"

#include "tds/types.h"

namespace emu::tds {
namespace {

// Writes the token byte and a placeholder u16 length; returns the position to patch.
size_t begin_token(ByteWriter& w, uint8_t token) {
  w.u8(token);
  const size_t at = w.size();
  w.u16(0);
  return at;
}
void end_token(ByteWriter& w, size_t at) { w.patch_u16(at, static_cast<uint16_t>(w.size() - at - 2)); }

}  // namespace

void write_envchange_text(ByteWriter& w, uint8_t type, std::string_view new_value, std::string_view old_value) {
  const size_t at = begin_token(w, kTokEnvChange);
  w.u8(type);
  w.b_varchar(new_value);
  w.b_varchar(old_value);
  end_token(w, at);
}

void write_envchange_bytes(ByteWriter& w, uint8_t type, std::string_view new_value, std::string_view old_value) {
  const size_t at = begin_token(w, kTokEnvChange);
  w.u8(type);
  w.u8(static_cast<uint8_t>(new_value.size()));
  w.bytes(new_value);
  w.u8(static_cast<uint8_t>(old_value.size()));
  w.bytes(old_value);
  end_token(w, at);
}

void write_message(ByteWriter& w, const Message& m, std::string_view server_name) {
  const size_t at = begin_token(w, m.severity > 10 ? kTokError : kTokInfo);
  w.u32(static_cast<uint32_t>(m.number));
  w.u8(m.state);
  w.u8(m.severity);
  w.us_varchar(m.text);
  w.b_varchar(server_name);
  w.b_varchar(m.proc);
  w.u32(static_cast<uint32_t>(m.line));
  end_token(w, at);
}

void write_loginack(ByteWriter& w, uint32_t tds_version, std::string_view prog_name, const uint8_t version[4]) {
  const size_t at = begin_token(w, kTokLoginAck);
  w.u8(1);  // interface: SQL_TSQL (FreeTDS accepts only 1 or 5)
  w.u32be(tds_version);
  w.b_varchar(prog_name);
  for (int k = 0; k < 4; ++k) w.u8(version[k]);
  end_token(w, at);  // exact length: FreeTDS derives the name length from it
}

void write_done(ByteWriter& w, uint8_t token, uint16_t status, uint16_t curcmd, uint64_t count) {
  w.u8(token);
  w.u16(status);
  w.u16(curcmd);
  w.u64(count);
}

void write_colmetadata(ByteWriter& w, const std::vector<ColumnInfo>& cols) {
  w.u8(kTokColMetadata);
  w.u16(static_cast<uint16_t>(cols.size()));
  for (const auto& c : cols) {
    w.u32(0);                                          // user type
    w.u16(static_cast<uint16_t>(0x0008 | (c.nullable ? 0x0001 : 0)));  // updatable unknown, nullable
    write_type_info(w, c.type);
    w.b_varchar(c.name);
  }
}

void write_row(ByteWriter& w, const std::vector<ColumnInfo>& cols, const Row& row) {
  w.u8(kTokRow);
  static const Value kNull = Null{};
  for (size_t i = 0; i < cols.size(); ++i) write_value(w, cols[i].type, i < row.size() ? row[i] : kNull);
}

void write_return_status(ByteWriter& w, int32_t status) {
  w.u8(kTokReturnStatus);
  w.u32(static_cast<uint32_t>(status));
}

void write_return_value(ByteWriter& w, const OutputParam& p) {
  const SqlType t = normalize_for_wire(p.type);
  w.u8(kTokReturnValue);
  w.u16(p.ordinal);
  w.b_varchar(p.name);
  w.u8(0x01);  // output parameter
  w.u32(0);    // user type
  w.u16(0x0001);  // nullable
  write_type_info(w, t);
  write_value(w, t, p.value);
}

std::string transaction_descriptor(uint64_t id) {
  ByteWriter w;
  w.u64(id);
  return w.str();
}

}  // namespace emu::tds
