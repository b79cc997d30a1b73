// tokens.h — writers for the TDS 7.2+ reply tokens the emulator sends (MS-TDS 2.2.7, token
// stream definitions).
// Each appends one complete token to a ByteWriter. Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/api.h"
#include "tds/bytes.h"

namespace emu::tds {

enum Token : uint8_t {
  kTokReturnStatus = 0x79, kTokColMetadata = 0x81, kTokError = 0xAA, kTokInfo = 0xAB, kTokReturnValue = 0xAC,
  kTokLoginAck = 0xAD, kTokRow = 0xD1, kTokEnvChange = 0xE3, kTokDone = 0xFD, kTokDoneProc = 0xFE,
  kTokDoneInProc = 0xFF,
};
enum DoneStatus : uint16_t {
  kDoneFinal = 0x0000, kDoneMore = 0x0001, kDoneError = 0x0002, kDoneInXact = 0x0004, kDoneCount = 0x0010,
  kDoneAttn = 0x0020, kDoneSrvError = 0x0100,
};
enum EnvChangeType : uint8_t {
  kEnvDatabase = 1, kEnvLanguage = 2, kEnvPacketSize = 4, kEnvCollation = 7, kEnvBeginTran = 8,
  kEnvCommitTran = 9, kEnvRollbackTran = 10, kEnvResetAck = 18,
};

// ENVCHANGE whose new/old values are B_VARCHAR strings (database, language, packet size).
void write_envchange_text(ByteWriter& w, uint8_t type, std::string_view new_value, std::string_view old_value);
// ENVCHANGE whose new/old values are B_VARBYTE (collation, transactions, reset ack).
void write_envchange_bytes(ByteWriter& w, uint8_t type, std::string_view new_value, std::string_view old_value);
// INFO when severity <= 10, else ERROR.
void write_message(ByteWriter& w, const Message& m, std::string_view server_name);
// LOGINACK; `tds_version` as a number (0x74000004) is written big-endian.
void write_loginack(ByteWriter& w, uint32_t tds_version, std::string_view prog_name, const uint8_t version[4]);
void write_done(ByteWriter& w, uint8_t token, uint16_t status, uint16_t curcmd, uint64_t count);
// COLMETADATA for columns whose types went through normalize_for_wire().
void write_colmetadata(ByteWriter& w, const std::vector<ColumnInfo>& cols);
void write_row(ByteWriter& w, const std::vector<ColumnInfo>& cols, const Row& row);
void write_return_status(ByteWriter& w, int32_t status);
void write_return_value(ByteWriter& w, const OutputParam& p);

// 8-byte little-endian transaction descriptor.
std::string transaction_descriptor(uint64_t id);

}  // namespace emu::tds
