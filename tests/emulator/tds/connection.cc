// connection.cc — see connection.h. Byte layouts: MS-TDS 2.2.6.4 (LOGIN7), 2.2.6.5 (PRELOGIN),
// 2.2.7 (tokens); the encryption states: MS-TDS 3.3.5.1 (Initial State) and 3.2.5.2 (TLS/SSL
// negotiation), https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-tds/.
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

// PRELOGIN ENCRYPTION values (MS-TDS 2.2.6.5). 0x80 marks certificate-based authentication.
constexpr uint8_t kEncryptOff = 0x00, kEncryptOn = 0x01, kEncryptNotSup = 0x02, kEncryptReq = 0x03;
constexpr uint8_t kEncryptClientCert = 0x80;
constexpr int kTlsHandshakeRecord = 0x16;  // first byte of a TLS ClientHello (MS-TDS 3.3.5.1)

// The client's ENCRYPTION option (token 0x01) of a PRELOGIN, or -1 when the message has none.
int prelogin_encryption(const std::string& payload) {
  for (size_t i = 0; i + 5 <= payload.size() && static_cast<uint8_t>(payload[i]) != 0xFF; i += 5) {
    if (payload[i] != 0x01) continue;
    const size_t off = (static_cast<unsigned char>(payload[i + 1]) << 8) | static_cast<unsigned char>(payload[i + 2]);
    const size_t len = (static_cast<unsigned char>(payload[i + 3]) << 8) | static_cast<unsigned char>(payload[i + 4]);
    if (len >= 1 && off < payload.size()) return static_cast<unsigned char>(payload[off]);
  }
  return -1;
}

// The server's answer to the client's ENCRYPTION value and what follows, from MS-TDS 2.2.6.5's two
// tables. The server's own setting is ENCRYPT_NOT_SUP without a certificate, ENCRYPT_OFF with one
// and ENCRYPT_ON when it requires encryption (SQL Server's "Force Encryption").
struct EncryptionAnswer {
  uint8_t reply;
  enum Then { kPlain, kLoginOnly, kFull, kClose } then;
};
EncryptionAnswer negotiate_encryption(uint8_t client, uint8_t server) {
  if (server == kEncryptNotSup) {
    // A client that insists on encryption terminates; so does the server here.
    const bool insists = client == kEncryptOn || client == kEncryptReq;
    return {kEncryptNotSup, insists ? EncryptionAnswer::kClose : EncryptionAnswer::kPlain};
  }
  switch (client) {
    case kEncryptOff:
      return server == kEncryptOff ? EncryptionAnswer{kEncryptOff, EncryptionAnswer::kLoginOnly}
                                   : EncryptionAnswer{kEncryptReq, EncryptionAnswer::kFull};
    case kEncryptOn:
    case kEncryptReq:
      return {kEncryptOn, EncryptionAnswer::kFull};
    default:  // ENCRYPT_NOT_SUP: plain if the server allows it; "ENCRYPT_REQ (connection terminated)"
      return server == kEncryptOff ? EncryptionAnswer{kEncryptNotSup, EncryptionAnswer::kPlain}
                                   : EncryptionAnswer{kEncryptReq, EncryptionAnswer::kClose};
  }
}

// Skips ALL_HEADERS (mandatory from TDS 7.2) when the first DWORD is a plausible total length.
void skip_all_headers(ByteReader& r) {
  if (r.remaining() < 4) return;
  ByteReader peek = r;
  const uint32_t total = peek.u32();
  if (total >= 4 && total <= r.remaining()) r.skip(total);
}

}  // namespace

Connection::Connection(int fd, Instance& instance, uint16_t spid, const TlsContext* tls)
    : instance_(instance), spid_(spid), tls_ctx_(tls), ch_(fd), sink_(ch_, instance.stats(), instance.server_name()) {
  ch_.set_spid(spid);
}

void Connection::run() {
  instance_.stats().connections++;
  TdsMessage m;
  try {
    const int first = ch_.peek_first_byte();
    if (first < 0) return;
    if (first == kTlsHandshakeRecord && !start_tds8()) return;
    while (!session_) {
      if (!ch_.read_message(&m)) return;
      if (m.type == kPrelogin) {
        if (!answer_prelogin(m.payload)) return;
      } else if (m.type == kLogin7) {
        if (tls_ctx_ != nullptr && tls_ctx_->required() && encryption_ == Encryption::kNone) {
          log("LOGIN7 without encryption while encryption is required, closing the connection");
          return;
        }
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

void Connection::log(const std::string& what) const {
  std::cerr << "understudy-emulator: spid " << spid_ << ": " << what << "\n";
}

bool Connection::start_tds8() {
  // MS-TDS 3.3.5.1: a first byte of 0x16 is a TLS ClientHello — TDS 8.0, TLS before any TDS.
  if (tls_ctx_ == nullptr) {
    log("TLS ClientHello (TDS 8.0) but no --tls-cert, closing the connection");
    return false;
  }
  tls_ = std::make_unique<TlsStream>(tls_ctx_->tds8());
  if (!ch_.start_tls_on_socket(tls_.get())) {
    log(tls_->error().empty() ? "TDS 8.0 TLS handshake: the client went away" : "TDS 8.0 " + tls_->error());
    return false;
  }
  encryption_ = Encryption::kTds8;
  return true;
}

bool Connection::answer_prelogin(const std::string& payload) {
  if (encryption_ != Encryption::kNone) {
    if (encryption_ == Encryption::kTds8) {
      // TDS 8.0: TLS is already up and the negotiation state is never entered (MS-TDS 3.2.5.2,
      // "Applies to only TDS 7.x"); the answer says no TDS 7.x negotiation follows.
      send_prelogin_reply(kEncryptNotSup);
      return !ch_.broken();
    }
    log("a second PRELOGIN after the TLS handshake, closing the connection");
    return false;
  }
  // A client that does not mention encryption at all is one that does not support it.
  const int mentioned = prelogin_encryption(payload);
  const int client = mentioned < 0 ? kEncryptNotSup : mentioned;
  if ((client & ~kEncryptClientCert) > kEncryptReq) {
    log("PRELOGIN with an ENCRYPTION value that MS-TDS does not define, closing the connection");
    return false;
  }
  if ((client & kEncryptClientCert) != 0) {
    log("PRELOGIN asks for certificate-based authentication (ENCRYPT_CLIENT_CERT), which the emulator does not "
        "support, closing the connection");
    return false;
  }
  const uint8_t server = tls_ctx_ == nullptr ? kEncryptNotSup : tls_ctx_->required() ? kEncryptOn : kEncryptOff;
  const EncryptionAnswer answer = negotiate_encryption(static_cast<uint8_t>(client), server);
  send_prelogin_reply(answer.reply);
  if (ch_.broken()) return false;
  switch (answer.then) {
    case EncryptionAnswer::kPlain:
      return true;
    case EncryptionAnswer::kLoginOnly:
      return tls_handshake_in_prelogin(true);
    case EncryptionAnswer::kFull:
      return tls_handshake_in_prelogin(false);
    case EncryptionAnswer::kClose:
      break;
  }
  log(client == kEncryptNotSup ? "the client does not support encryption, which is required: closing the connection"
                               : "the client requires encryption, which is not available (no --tls-cert): closing");
  return false;
}

bool Connection::tls_handshake_in_prelogin(bool login_only) {
  // MS-TDS 2.2.6.5: in TDS 7.x the TLS handshake is the raw payload of PRELOGIN (0x12) messages,
  // and the server's handshake messages come back in packets of type 0x12 (MS-TDS 3.2.5.2).
  tls_ = std::make_unique<TlsStream>(tls_ctx_->tds7());
  TdsMessage m;
  for (;;) {
    if (!ch_.read_message(&m)) return false;
    if (m.type != kPrelogin) {
      log("expected the TLS handshake in PRELOGIN packets, got packet type " + std::to_string(m.type) + ", closing");
      return false;
    }
    tls_->feed(m.payload);
    const TlsStream::Step step = tls_->handshake();
    const std::string out = tls_->take_output();  // also the alert of a failed handshake
    if (!out.empty()) {
      ch_.out().bytes(out);
      ch_.end_message(kPrelogin);
    }
    if (ch_.broken()) return false;
    if (step == TlsStream::Step::kFailed) {
      log(tls_->error());
      return false;
    }
    if (step == TlsStream::Step::kDone) break;
  }
  ch_.set_tls(tls_.get(), login_only);
  encryption_ = login_only ? Encryption::kLoginOnly : Encryption::kFull;
  return true;
}

void Connection::send_prelogin_reply(uint8_t encryption) {
  // VERSION, ENCRYPTION, INSTOPT, THREADID (empty), MARS = off (its presence matters).
  static constexpr uint8_t kReplyBytes[] = {
      0x00, 0x00, 0x1A, 0x00, 0x06, 0x01, 0x00, 0x20, 0x00, 0x01, 0x02, 0x00, 0x21, 0x00, 0x01, 0x03, 0x00, 0x22,
      0x00, 0x00, 0x04, 0x00, 0x22, 0x00, 0x01, 0xFF, 16,   0x00, 0x10, 0x27, 0x00, 0x00, 0x02, 0x00, 0x00};
  constexpr size_t kEncryptionAt = 0x20;
  std::string reply(reinterpret_cast<const char*>(kReplyBytes), sizeof kReplyBytes);
  reply[kEncryptionAt] = static_cast<char>(encryption);
  ch_.out().bytes(reply);
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
  if (encryption_ == Encryption::kLoginOnly) instance_.stats().logins_tls_login_only++;
  if (encryption_ == Encryption::kFull) instance_.stats().logins_tls++;
  if (encryption_ == Encryption::kTds8) instance_.stats().logins_tds8++;
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
