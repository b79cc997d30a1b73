// login7.cc — see login7.h.
#include "tds/login7.h"

#include "tds/bytes.h"

namespace emu::tds {
namespace {

constexpr size_t kFixedPart = 94;

uint16_t le16(const std::string& p, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[at]) | (static_cast<unsigned char>(p[at + 1]) << 8));
}

// The (offset, character count) pair at `at` → the UTF-16LE bytes it points to.
std::string_view field(const std::string& p, size_t at) {
  const size_t ib = le16(p, at);
  const size_t cch = le16(p, at + 2);
  if (cch == 0) return {};
  if (ib + 2 * cch > p.size()) throw ProtocolError("login7 field outside the packet");
  return std::string_view(p).substr(ib, 2 * cch);
}

}  // namespace

Login7 parse_login7(const std::string& p) {
  if (p.size() < kFixedPart) throw ProtocolError("login7 packet too short");
  ByteReader r(p);
  Login7 l;
  r.u32();  // total length
  l.tds_version = r.u32();
  l.packet_size = r.u32();
  l.host_name = utf16le_to_utf8(field(p, 36));
  l.user = utf16le_to_utf8(field(p, 40));
  std::string pw(field(p, 44));
  for (char& c : pw) {  // XOR 0xA5, then swap the nibbles back
    auto b = static_cast<uint8_t>(static_cast<uint8_t>(c) ^ 0xA5);
    c = static_cast<char>(static_cast<uint8_t>((b << 4) | (b >> 4)));
  }
  l.password = utf16le_to_utf8(pw);
  l.app_name = utf16le_to_utf8(field(p, 48));
  l.server_name = utf16le_to_utf8(field(p, 52));
  l.library = utf16le_to_utf8(field(p, 60));
  l.language = utf16le_to_utf8(field(p, 64));
  l.database = utf16le_to_utf8(field(p, 68));
  return l;
}

uint32_t negotiated_version(uint32_t requested) {
  switch (requested) {
    case 0x72090002: case 0x730A0003: case 0x730B0003: case 0x74000004: return requested;
    default: return 0x74000004;
  }
}

std::string obfuscate_password(std::string_view utf16) {
  std::string out(utf16);
  for (char& c : out) {
    const auto b = static_cast<uint8_t>(c);
    c = static_cast<char>(static_cast<uint8_t>(((b << 4) | (b >> 4)) ^ 0xA5));
  }
  return out;
}

}  // namespace emu::tds
