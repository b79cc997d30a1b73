// wire_sink.cc — see wire_sink.h.
#include "tds/wire_sink.h"

#include "tds/tokens.h"
#include "tds/types.h"

namespace emu::tds {

WireSink::WireSink(PacketChannel& channel, Stats& stats, std::string server_name)
    : ch_(channel), stats_(stats), server_name_(std::move(server_name)) {}

void WireSink::start_request(Session* session, bool rpc) {
  session_ = session;
  rpc_ = rpc;
  cols_.clear();
  pending_.reset();
  error_since_done_ = false;
  attention_ = false;
  polls_ = 0;
  if (session_ && known_db_.empty()) known_db_ = session_->current_database();
}

bool WireSink::cancelled() const {
  if (attention_) return true;
  // A poll is a system call: look at the socket every 64 calls (rows are cheap to produce).
  if ((++polls_ & 63) == 0 && ch_.poll_attention()) {
    attention_ = true;
    stats_.attentions++;
  }
  return attention_ || ch_.broken();
}

void WireSink::note_attention() {
  attention_ = true;
  stats_.attentions++;
}

void WireSink::flush_pending(bool more) {
  if (!pending_) return;
  write_done(ch_.out(), kTokDone, static_cast<uint16_t>(pending_->status | (more ? kDoneMore : 0)), pending_->curcmd,
             pending_->count);
  pending_.reset();
}

void WireSink::message(const Message& m) {
  if (attention_) return;
  flush_pending(true);
  write_message(ch_.out(), m, server_name_);
  if (m.severity > 10) {
    error_since_done_ = true;
    stats_.errors++;
  }
}

void WireSink::columns(const std::vector<ColumnInfo>& cols) {
  if (attention_) return;
  flush_pending(true);
  cols_ = cols;
  for (auto& c : cols_) c.type = normalize_for_wire(c.type);
  write_colmetadata(ch_.out(), cols_);
}

void WireSink::row(const Row& values) {
  if (attention_) return;
  write_row(ch_.out(), cols_, values);
  stats_.rows++;
  ch_.flush_full_packets();
}

void WireSink::done(const DoneInfo& d) {
  if (attention_) return;
  sync_environment();
  uint16_t status = 0;
  if (d.count_valid) status |= kDoneCount;
  if (d.error || error_since_done_) status |= kDoneError;
  error_since_done_ = false;
  if (rpc_) {
    write_done(ch_.out(), kTokDoneInProc, static_cast<uint16_t>(status | kDoneMore), d.curcmd,
               d.count_valid ? static_cast<uint64_t>(d.count) : 0);
  } else {
    flush_pending(true);
    pending_ = Pending{status, d.curcmd, d.count_valid ? static_cast<uint64_t>(d.count) : 0};
  }
  ch_.flush_full_packets();
}

void WireSink::sync_environment() {
  if (!session_ || attention_) return;
  const std::string db = session_->current_database();
  if (db != known_db_) {
    flush_pending(true);
    write_envchange_text(ch_.out(), kEnvDatabase, db, known_db_);
    known_db_ = db;
  }
  const uint64_t tid = session_->transaction_id();
  if (tid != known_tid_) {
    flush_pending(true);
    if (known_tid_ != 0) write_envchange_bytes(ch_.out(), kEnvCommitTran, "", transaction_descriptor(known_tid_));
    if (tid != 0) write_envchange_bytes(ch_.out(), kEnvBeginTran, transaction_descriptor(tid), "");
    known_tid_ = tid;
  }
}

void WireSink::finish_rpc(const RpcResult& result, bool more) {
  if (attention_) return;
  sync_environment();
  ByteWriter& w = ch_.out();
  write_return_status(w, result.return_status);
  for (const auto& p : result.outputs) write_return_value(w, p);
  const bool error = result.error || error_since_done_;
  error_since_done_ = false;
  write_done(w, kTokDoneProc, static_cast<uint16_t>((more ? kDoneMore : 0) | (error ? kDoneError : 0)), 0, 0);
  ch_.flush_full_packets();
}

void WireSink::finish_request() {
  if (attention_) {
    pending_.reset();
    write_done(ch_.out(), kTokDone, kDoneAttn, 0, 0);
  } else {
    sync_environment();
    if (pending_) {
      if (error_since_done_) pending_->status |= kDoneError;
      flush_pending(false);
    } else if (!rpc_) {
      write_done(ch_.out(), kTokDone, error_since_done_ ? kDoneError : kDoneFinal, 0, 0);
    }
  }
  error_since_done_ = false;
  ch_.end_message();
}

}  // namespace emu::tds
