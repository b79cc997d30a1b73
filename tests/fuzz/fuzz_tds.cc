// fuzz_tds — the emulator's TDS decoders, as a client (or an attacker) reaches them: packet
// framing (PacketChannel reading from a socket), LOGIN7, RPC requests with their typed
// parameters (the token and type decoders) and SQL batch text (UTF-16LE). Malformed
// input must end in ProtocolError or a refused message, never a crash or an endless loop.
// Input: the bytes a client sends (at most 256 KiB, what the socket buffer takes at once).
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "tds/bytes.h"
#include "tds/login7.h"
#include "tds/packet.h"
#include "tds/rpc.h"

namespace {

void decode(const emu::tds::TdsMessage& m) {
  try {
    switch (m.type) {
      case 0x10: (void)emu::tds::parse_login7(m.payload); break;
      case 0x03: (void)emu::tds::parse_rpc_request(m.payload); break;
      case 0x01: (void)emu::tds::utf16le_to_utf8(m.payload); break;
      default: break;
    }
  } catch (const emu::tds::ProtocolError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (256u << 10)) return 0;
  // Each decoder on the whole input as one payload…
  std::string whole(reinterpret_cast<const char*>(data), size);
  for (uint8_t type : {0x10, 0x03, 0x01}) decode({type, 0, whole});
  // …and the input as a stream of packets.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 0;
  int buf = 1 << 20;
  ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  ::setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::send(fds[0], data + off, size - off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::shutdown(fds[0], SHUT_WR);
  {
    emu::tds::PacketChannel ch(fds[1]);
    emu::tds::TdsMessage m;
    for (int i = 0; i < 1000 && ch.read_message(&m); ++i) decode(m);
  }
  ::close(fds[0]);
  ::close(fds[1]);
  return 0;
}
