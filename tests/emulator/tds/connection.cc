// connection.cc — see connection.h. Byte layouts: tds-emulator-notes §3, §4, §7.
#include "tds/connection.h"

#include <algorithm>
#include <iostream>

#include "tds/login7.h"
#include "tds/rpc.h"
#include "tds/tokens.h"
#include "tds/types.h"

namespace emu::tds {
namespace {

// Product version 16.0.4135 (SQL Server 2022), as the engine's SERVERPROPERTY reports it.
constexpr uint8_t kProgVersion[4] = {16, 0, 0x10, 0x27};

Message internal_error(const std::string& what) {
  return Message{50000, 1, 16, "emulator internal error: " + what, 1, {}};
}

// Skips ALL_HEADERS (mandatory from TDS 7.2) when the first DWORD is a plausible total length.
void skip_all_headers(ByteReader& r) {
  if (r.remaining() < 4) return;
  ByteReader peek = r;
  const uint32_t total = peek.u32();
  if (total >= 4 && total <= r.remaining()) r.skip(total);
}

}  // namespace

Connection::Connection(int fd, Instance& instance, uint16_t spid)
    : instance_(instance), spid_(spid), ch_(fd), sink_(ch_, instance.stats(), instance.server_name()) {
  ch_.set_spid(spid);
}

void Connection::run() {
  instance_.stats().connections++;
  TdsMessage m;
  try {
    while (!session_) {
      if (!ch_.read_message(&m)) return;
      if (m.type == kPrelogin) {
        send_prelogin_reply();
      } else if (m.type == kLogin7) {
        if (!login(m.payload)) return;
      } else {
        return;  // SSPI, pre-7 logins, or garbage: not spoken here
      }
      if (ch_.broken()) return;
    }
    while (!ch_.broken() && ch_.read_message(&m)) {
      switch (m.type) {
        case kSqlBatch:
          if (!handle_batch(m)) return;
          break;
        case kRpc:
          if (!handle_rpc(m)) return;
          break;
        case kAttention:  // arrived after the reply was complete: acknowledge it
          instance_.stats().attentions++;
          write_done(ch_.out(), kTokDone, kDoneAttn, 0, 0);
          ch_.end_message();
          break;
        case kTransactionManager:
          handle_transaction(m);
          break;
        default:
          reply_error(Message{50000, 1, 16, "unsupported tds request type " + std::to_string(m.type), 1, {}});
      }
    }
  } catch (const DropConnection&) {
    // Fault injection: close without a reply.
  } catch (const ProtocolError& e) {
    std::cerr << "understudy-emulator: spid " << spid_ << ": " << e.what() << ", closing the connection\n";
  }
}

void Connection::send_prelogin_reply() {
  // VERSION, ENCRYPTION = NOT_SUP, INSTOPT, THREADID (empty), MARS = off (its presence matters).
  static constexpr uint8_t kReplyBytes[] = {
      0x00, 0x00, 0x1A, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01, 0x02, 0x00, 0x21, 0x00, 0x01, 0x03, 0x00, 0x22,
      0x00, 0x00, 0x04, 0x00, 0x22, 0x00, 0x01, 0xFF, 16,   0x00, 0x10, 0x27, 0x00, 0x00, 0x02, 0x00, 0x00};
  ch_.out().bytes(std::string_view(reinterpret_cast<const char*>(kReplyBytes), sizeof kReplyBytes));
  ch_.end_message();
}

void Connection::refuse_login(const Message& error) {
  instance_.stats().errors++;
  write_message(ch_.out(), error, instance_.server_name());
  write_done(ch_.out(), kTokDone, kDoneError, 0, 0);
  ch_.end_message();
}

bool Connection::login(const std::string& payload) {
  const Login7 l = parse_login7(payload);
  LoginRequest req{l.user, l.password, l.database, l.app_name, l.host_name};
  if (instance_.faults().refuse_logins.load()) {
    refuse_login(Message{18456, 1, 14, "Login failed for user '" + l.user + "'.", 1, {}});
    return false;
  }
  LoginResult result = instance_.login(req);
  if (!result.ok) {
    refuse_login(result.error);
    return false;
  }
  session_ = instance_.open_session(req, result.database, spid_);
  if (!session_) {
    refuse_login(Message{18456, 1, 14, "Login failed for user '" + l.user + "'.", 1, {}});
    return false;
  }
  instance_.stats().logins++;
  const uint32_t packet_size = l.packet_size == 0 ? 4096 : std::clamp<uint32_t>(l.packet_size, 512, 32767);
  ch_.set_packet_size(packet_size);
  const std::string db = session_->current_database();
  const std::string server = instance_.server_name();
  ByteWriter& w = ch_.out();
  write_envchange_text(w, kEnvDatabase, db, "master");
  write_message(w, Message{5701, 2, 0, "Changed database context to '" + db + "'.", 1, {}}, server);
  write_envchange_bytes(w, kEnvCollation, std::string(kCollation), "");
  write_envchange_text(w, kEnvLanguage, "us_english", "");
  write_message(w, Message{5703, 1, 0, "Changed language setting to us_english.", 1, {}}, server);
  write_loginack(w, negotiated_version(l.tds_version), "Microsoft SQL Server", kProgVersion);
  const std::string ps = std::to_string(packet_size);
  write_envchange_text(w, kEnvPacketSize, ps, ps);
  write_done(w, kTokDone, kDoneFinal, 0, 0);
  ch_.end_message();
  sink_.start_request(session_.get(), false);
  return true;
}

void Connection::begin_request(const TdsMessage& m, bool rpc) {
  sink_.start_request(session_.get(), rpc);
  if (m.status & (kResetConnection | kResetConnectionSkipTran)) {
    session_->reset();
    sink_.set_known_transaction(session_->transaction_id());
    write_envchange_bytes(ch_.out(), kEnvResetAck, "", "");
  }
  const int delay = instance_.faults().reply_delay_ms.load();
  if (delay > 0 && ch_.wait_attention(delay)) sink_.note_attention();
  FaultPlan& f = instance_.faults();
  if (f.hold_requests.load() && !sink_.attention()) {
    f.held_requests++;
    while (f.hold_requests.load()) {
      if (ch_.wait_attention(50)) {
        sink_.note_attention();
        break;
      }
    }
    f.held_requests--;
  }
}

bool Connection::handle_batch(const TdsMessage& m) {
  instance_.stats().batches++;
  ByteReader r(m.payload);
  skip_all_headers(r);
  const std::string sql = utf16le_to_utf8(r.bytes(r.remaining()));
  begin_request(m, false);
  if (!sink_.attention()) {
    try {
      session_->execute_batch(sql, sink_);
    } catch (const DropConnection&) {
      return false;
    } catch (const std::exception& e) {
      sink_.message(internal_error(e.what()));
    }
  }
  sink_.finish_request();
  return !ch_.broken();
}

bool Connection::handle_rpc(const TdsMessage& m) {
  std::vector<RpcRequest> calls;
  try {
    calls = parse_rpc_request(m.payload);
  } catch (const ProtocolError& e) {
    instance_.stats().rpcs++;
    reply_error(Message{8009, 1, 16,
                        std::string("The incoming tabular data stream (TDS) remote procedure call (RPC) protocol "
                                    "stream is incorrect. ") + e.what(), 1, {}});
    return true;
  }
  begin_request(m, true);
  for (size_t i = 0; i < calls.size() && !sink_.attention(); ++i) {
    instance_.stats().rpcs++;
    RpcResult result;
    try {
      result = session_->execute_rpc(calls[i], sink_);
    } catch (const DropConnection&) {
      return false;
    } catch (const std::exception& e) {
      sink_.message(internal_error(e.what()));
      result.error = true;
    }
    sink_.finish_rpc(result, i + 1 < calls.size());
  }
  if (calls.empty()) sink_.set_rpc_mode(false);  // nothing ran: a plain final DONE
  sink_.finish_request();
  return !ch_.broken();
}

void Connection::handle_transaction(const TdsMessage& m) {
  ByteReader r(m.payload);
  skip_all_headers(r);
  const uint16_t request = r.u16();
  sink_.start_request(session_.get(), false);
  Message err;
  const uint64_t old_tid = session_->transaction_id();
  bool ok = true;
  bool chain = false;
  switch (request) {
    case 5:  // TM_BEGIN_XACT: isolation level, name
      ok = session_->begin_transaction(&err);
      break;
    case 7:  // TM_COMMIT_XACT / TM_ROLLBACK_XACT: name, flags (0x01 = begin a new one)
    case 8: {
      r.b_varchar();
      const uint8_t flags = r.at_end() ? 0 : r.u8();
      chain = (flags & 0x01) != 0;
      ok = request == 7 ? session_->commit_transaction(&err) : session_->rollback_transaction(&err);
      break;
    }
    default:
      ok = false;
      err = Message{50000, 1, 16, "transaction manager request " + std::to_string(request) +
                                      " is not supported by the emulator", 1, {}};
  }
  ByteWriter& w = ch_.out();
  if (ok && request != 5) {
    write_envchange_bytes(w, request == 7 ? kEnvCommitTran : kEnvRollbackTran, "", transaction_descriptor(old_tid));
    if (chain) ok = session_->begin_transaction(&err);
  }
  const uint64_t tid = session_->transaction_id();
  if (ok && tid != 0) write_envchange_bytes(w, kEnvBeginTran, transaction_descriptor(tid), "");
  sink_.set_known_transaction(tid);
  if (!ok) {
    sink_.message(err);
    write_done(w, kTokDone, kDoneError, 0, 0);
  } else {
    write_done(w, kTokDone, kDoneFinal, 0, 0);
  }
  ch_.end_message();
}

void Connection::reply_error(const Message& error) {
  sink_.start_request(session_.get(), false);
  sink_.message(error);
  sink_.finish_request();
}

}  // namespace emu::tds
