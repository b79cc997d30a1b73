// packet.h — TDS packet framing on one socket (MS-TDS 2.2.3, packet header and status bits).
//
// Reading: read_message() reassembles packets up to the one with EOM and returns the message
// type, the first packet's status (RESETCONNECTION bits) and the payload. poll_attention()
// checks the socket without blocking while a reply is being produced and consumes an ATTENTION
// packet if one has arrived.
// Writing: the reply payload is built in out(); flush_full_packets() sends every packet known not
// to be the last one, end_message() sends the rest with EOM. Packets are grouped into one send()
// of up to 64 KiB; the socket has TCP_NODELAY, so an answer leaves at once.
// TLS (tls.h): once set_tls() is called, bytes in both directions go through the TlsStream; with
// login_packet_only (login-only encryption, MS-TDS 2.2.6.5) only the next packet the client sends
// (the first packet of LOGIN7) is read through TLS and everything after it is plain again. TLS
// records are fed one whole record at a time, so the plain bytes that follow an encrypted LOGIN7
// packet are never mistaken for TLS.
// Thread-safety: one connection thread owns a PacketChannel. The fd and the TlsStream are borrowed.
#pragma once

#include <cstdint>
#include <string>

#include "tds/bytes.h"
#include "tds/tls.h"

namespace emu::tds {

enum PacketType : uint8_t {
  kSqlBatch = 0x01, kRpc = 0x03, kReply = 0x04, kAttention = 0x06, kBulkLoad = 0x07,
  kTransactionManager = 0x0E, kLogin7 = 0x10, kSspi = 0x11, kPrelogin = 0x12,
};
enum PacketStatus : uint8_t { kEom = 0x01, kResetConnection = 0x08, kResetConnectionSkipTran = 0x10 };

struct TdsMessage {
  uint8_t type = 0;
  uint8_t status = 0;  // of the first packet
  std::string payload;
};

class PacketChannel {
 public:
  explicit PacketChannel(int fd);

  // Blocks for the next whole message. False on EOF, socket error or a malformed header.
  bool read_message(TdsMessage* msg);
  // Non-blocking: true if an ATTENTION packet arrived (it is consumed) or the peer went away.
  bool poll_attention();
  // Waits up to `ms` for an ATTENTION; true if one arrived (reply delays stay cancellable).
  bool wait_attention(int ms);

  void set_packet_size(uint32_t size) { packet_size_ = size; }
  uint32_t packet_size() const { return packet_size_; }
  void set_spid(uint16_t spid) { spid_ = spid; }

  // The first byte the client sent, without consuming it; -1 when the client went away first.
  // 0x16 is a TLS ClientHello (TDS 8.0), 0x12 a PRELOGIN packet (MS-TDS 3.3.5.1).
  int peek_first_byte();
  // TDS 8.0: runs the TLS handshake on the bare socket, then keeps TLS on. False (with the reason
  // in tls->error() when TLS said why) if the handshake did not complete.
  bool start_tls_on_socket(TlsStream* tls);
  void set_tls(TlsStream* tls, bool login_packet_only);
  bool encrypted() const { return tls_ != nullptr; }

  ByteWriter& out() { return out_; }
  void flush_full_packets();
  // Sends what is left of the reply, the last packet with EOM. Packet type 0x04 (tabular result)
  // except for the TLS handshake payloads, which travel in PRELOGIN (0x12) packets.
  void end_message(uint8_t type = kReply);
  void discard_reply() { out_.clear(); start_ = 0; }
  bool broken() const { return broken_; }
  bool peer_gone() const { return peer_gone_; }

 private:
  bool fill(size_t need, bool block);  // reads until in_ holds `need` unread bytes
  bool recv_raw(bool block);           // appends what the socket has to raw_
  bool decrypt_one_record();           // one whole TLS record of raw_ → plaintext in_
  bool take_attention();               // consumes a whole ATTENTION packet at the read position
  void packetize(size_t payload_bytes, bool last, uint8_t type);
  void send_all(const std::string& data);
  void send_raw(const std::string& data);

  int fd_;
  TlsStream* tls_ = nullptr;
  bool tls_one_packet_ = false;  // login-only encryption: TLS ends after the next packet read
  std::string raw_;              // bytes received and not yet moved to in_ (ciphertext under TLS)
  size_t raw_pos_ = 0;
  uint32_t packet_size_ = 4096;
  uint16_t spid_ = 0;
  uint8_t packet_id_ = 1;
  std::string in_;
  size_t in_pos_ = 0;
  ByteWriter out_;
  size_t start_ = 0;       // first byte of out_ not yet packetized
  std::string wire_;       // packets waiting for one send()
  bool broken_ = false;
  bool peer_gone_ = false;
};

}  // namespace emu::tds
