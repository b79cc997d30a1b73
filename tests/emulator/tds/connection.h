// connection.h — one client connection of the TDS server: PRELOGIN (with the encryption
// negotiation and TLS handshake of MS-TDS 2.2.6.5, or TDS 8.0's TLS first), LOGIN7, then requests
// (SQLBatch, RPC, ATTENTION, transaction manager) until the client or the server closes it.
// Thread-safety: run() on the connection's own thread. The fd, the Instance and the TlsContext
// (nullptr: no certificate, encryption not supported) are borrowed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/api.h"
#include "tds/packet.h"
#include "tds/tls.h"
#include "tds/wire_sink.h"

namespace emu::tds {

class Connection {
 public:
  Connection(int fd, Instance& instance, uint16_t spid, const TlsContext* tls = nullptr);
  // Serves the connection until EOF, a protocol error or DropConnection.
  void run();

 private:
  // How the session is protected, as negotiated.
  enum class Encryption { kNone, kLoginOnly, kFull, kTds8 };
  bool start_tds8();                                // TLS on the bare socket; false → close
  bool answer_prelogin(const std::string& payload);  // false → close
  bool tls_handshake_in_prelogin(bool login_only);   // false → close
  void send_prelogin_reply(uint8_t encryption);
  void log(const std::string& what) const;
  bool login(const std::string& payload);        // false: refused (reply sent) → close
  void refuse_login(const Message& error);
  bool handle_batch(const TdsMessage& m);         // false → close the connection
  bool handle_rpc(const TdsMessage& m);
  void handle_transaction(const TdsMessage& m);
  void reply_error(const Message& error);         // ERROR + DONE(ERROR) as a whole reply
  // Reply delay (FaultPlan) and RESETCONNECTION handling common to batches and RPCs.
  void begin_request(const TdsMessage& m, bool rpc);

  Instance& instance_;
  uint16_t spid_;
  const TlsContext* tls_ctx_;
  std::unique_ptr<TlsStream> tls_;  // outlives every use by ch_ (declared before it)
  Encryption encryption_ = Encryption::kNone;
  PacketChannel ch_;
  WireSink sink_;
  std::unique_ptr<Session> session_;
};

}  // namespace emu::tds
