// raw_client.h — test-only: a TDS client on a raw socket that writes and reads packets byte by
// byte (PRELOGIN, LOGIN7, replies), for the wire tests that check bytes rather than behaviour
// through a driver. Thread-safety: one RawClient per thread; it owns its socket.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tds/bytes.h"
#include "tds/login7.h"
#include "tds/test_engine.h"

namespace emu::tds::testing {

struct Packet {
  uint8_t type = 0, status = 0, id = 0;
  uint16_t spid = 0;
  std::string payload;
};

class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "connect failed";
  }
  ~RawClient() { ::close(fd_); }

  // The payload framed as TDS packets (8-byte headers, EOM on the last).
  static std::string packets(uint8_t type, const std::string& payload, uint8_t first_status = 0,
                             size_t packet_size = 4096) {
    std::string wire;
    size_t off = 0;
    uint8_t id = 1;
    do {
      const size_t n = std::min(packet_size - 8, payload.size() - off);
      const bool last = off + n == payload.size();
      const uint8_t status = static_cast<uint8_t>((off == 0 ? first_status : 0) | (last ? 1 : 0));
      const size_t len = n + 8;
      wire += std::string{static_cast<char>(type), static_cast<char>(status), static_cast<char>(len >> 8),
                          static_cast<char>(len & 0xFF), 0, 0, static_cast<char>(id++), 0};
      wire.append(payload, off, n);
      off += n;
    } while (off < payload.size());
    return wire;
  }
  void send(uint8_t type, const std::string& payload, uint8_t first_status = 0, size_t packet_size = 4096) {
    const std::string wire = packets(type, payload, first_status, packet_size);
    ASSERT_EQ(::send(fd_, wire.data(), wire.size(), MSG_NOSIGNAL), static_cast<ssize_t>(wire.size()));
  }

  bool read_exact(char* p, size_t n) {
    while (n > 0) {
      const ssize_t got = ::recv(fd_, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
  bool read_packet(Packet* p) {
    char h[8];
    if (!read_exact(h, 8)) return false;
    p->type = static_cast<uint8_t>(h[0]);
    p->status = static_cast<uint8_t>(h[1]);
    const size_t len = (static_cast<unsigned char>(h[2]) << 8) | static_cast<unsigned char>(h[3]);
    p->spid = static_cast<uint16_t>((static_cast<unsigned char>(h[4]) << 8) | static_cast<unsigned char>(h[5]));
    p->id = static_cast<uint8_t>(h[6]);
    p->payload.assign(len - 8, '\0');
    return read_exact(p->payload.data(), len - 8);
  }
  std::vector<Packet> read_message() {
    std::vector<Packet> out;
    Packet p;
    while (read_packet(&p)) {
      out.push_back(p);
      if (p.status & 1) break;
    }
    return out;
  }
  std::string reply() {
    std::string all;
    for (const auto& p : read_message()) all += p.payload;
    return all;
  }
  bool closed_by_server() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

  std::string login7(const std::string& user, const std::string& password, uint32_t packet_size = 4096) {
    ByteWriter fixed, data;
    const std::string u = utf8_to_utf16le(user), pw = obfuscate_password(utf8_to_utf16le(password));
    fixed.u32(0);
    fixed.u32(0x74000004);
    fixed.u32(packet_size);
    fixed.zeros(24);  // prog ver, pid, connection id, option flags, time zone, lcid
    auto field = [&](const std::string& utf16) {
      fixed.u16(static_cast<uint16_t>(94 + data.size()));
      fixed.u16(static_cast<uint16_t>(utf16.size() / 2));
      data.bytes(utf16);
    };
    field("");   // host
    field(u);    // user
    field(pw);   // password
    for (int k = 0; k < 6; ++k) field("");  // app, server, extension, library, language, database
    fixed.zeros(6);                          // client id
    for (int k = 0; k < 3; ++k) field("");  // sspi, attach db, change password
    fixed.u32(0);                            // cbSSPILong
    std::string all = fixed.str() + data.str();
    all[0] = static_cast<char>(all.size());
    all[1] = static_cast<char>(all.size() >> 8);
    return all;
  }

  void login(uint32_t packet_size = 4096) {
    send(0x12, std::string("\x00\x00\x06\x00\x01\xFF\x00", 7));
    read_message();
    send(0x10, login7("sa", CannedInstance::kPassword, packet_size));
    const auto reply = read_message();
    ASSERT_FALSE(reply.empty());
    spid_ = reply[0].spid;
  }
  uint16_t spid() const { return spid_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  uint16_t spid_ = 0;
};

}  // namespace emu::tds::testing
