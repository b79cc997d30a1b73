// login7.h — LOGIN7 decoding (MS-TDS 2.2.6.4 LOGIN7): the fixed 94-byte part, the UTF-16LE
// strings it points to, and the password de-obfuscation. Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace emu::tds {

struct Login7 {
  uint32_t tds_version = 0;  // as sent (LE DWORD), e.g. 0x74000004
  uint32_t packet_size = 0;
  std::string host_name, user, password, app_name, server_name, library, language, database;
};

// Throws ProtocolError on a truncated packet or offsets outside it.
Login7 parse_login7(const std::string& payload);
// The version echoed in LOGINACK: the client's when it is 7.2, 7.3A/B or 7.4, else 7.4.
uint32_t negotiated_version(uint32_t requested);
// Inverse of the password obfuscation, for tests: UTF-16LE bytes → what the client sends.
std::string obfuscate_password(std::string_view utf16);

}  // namespace emu::tds
