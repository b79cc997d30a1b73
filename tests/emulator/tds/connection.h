// connection.h — one client connection of the TDS server: PRELOGIN, LOGIN7, then requests
// (SQLBatch, RPC, ATTENTION, transaction manager) until the client or the server closes it.
// Thread-safety: run() on the connection's own thread. The fd and the Instance are borrowed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/api.h"
#include "tds/packet.h"
#include "tds/wire_sink.h"

namespace emu::tds {

class Connection {
 public:
  Connection(int fd, Instance& instance, uint16_t spid);
  // Serves the connection until EOF, a protocol error or DropConnection.
  void run();

 private:
  void send_prelogin_reply();
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
  PacketChannel ch_;
  WireSink sink_;
  std::unique_ptr<Session> session_;
};

}  // namespace emu::tds
