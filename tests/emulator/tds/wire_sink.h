// wire_sink.h — the ReplySink the engine writes to: turns statement output into TDS tokens.
//
// Batch mode: each done() becomes a DONE that is held back until the next token shows whether
// more follows (DONE_MORE on all but the last). RPC mode: done() becomes DONEINPROC(MORE) at
// once and finish_rpc() adds RETURNSTATUS, RETURNVALUEs and the DONEPROC. Changes of the
// session's database or transaction show up as ENVCHANGE tokens. An ATTENTION noticed while the
// reply is produced makes cancelled() true, stops writing rows, and ends the reply with
// DONE(ATTN). Counts rows and errors into Stats.
// Thread-safety: used by the connection's thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/api.h"
#include "tds/packet.h"

namespace emu::tds {

class WireSink final : public ReplySink {
 public:
  WireSink(PacketChannel& channel, Stats& stats, std::string server_name);

  // A new request on `session` (null before login); `rpc` selects the RPC token shapes.
  void start_request(Session* session, bool rpc);
  void set_rpc_mode(bool rpc) { rpc_ = rpc; }
  void message(const Message& m) override;
  void columns(const std::vector<ColumnInfo>& cols) override;
  void row(const Row& values) override;
  void done(const DoneInfo& d) override;
  bool cancelled() const override;

  // Marks the request as cancelled by an ATTENTION seen outside the sink (e.g. during a delay).
  void note_attention();
  bool attention() const { return attention_; }
  // Ends one RPC of the request; `more` when another RPC follows in the same request.
  void finish_rpc(const RpcResult& result, bool more);
  // Ends the whole request: the final DONE (or DONE(ATTN)) and the last packet.
  void finish_request();
  // Emits ENVCHANGEs for database/transaction changes made since the last check.
  void sync_environment();
  void set_known_transaction(uint64_t id) { known_tid_ = id; }

 private:
  void flush_pending(bool more);

  PacketChannel& ch_;
  Stats& stats_;
  std::string server_name_;
  Session* session_ = nullptr;
  bool rpc_ = false;
  std::vector<ColumnInfo> cols_;
  struct Pending {
    uint16_t status;
    uint16_t curcmd;
    uint64_t count;
  };
  std::optional<Pending> pending_;
  bool error_since_done_ = false;
  mutable bool attention_ = false;
  mutable unsigned polls_ = 0;
  std::string known_db_;
  uint64_t known_tid_ = 0;
};

}  // namespace emu::tds
