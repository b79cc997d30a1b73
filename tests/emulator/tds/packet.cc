// packet.cc — see packet.h.
#include "tds/packet.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace emu::tds {
namespace {
constexpr size_t kHeader = 8;
constexpr size_t kSendBatch = 64 * 1024;
constexpr size_t kMaxMessage = 64u << 20;  // refuse absurd requests instead of exhausting memory

uint16_t be16(const std::string& s, size_t at) {
  return static_cast<uint16_t>((static_cast<unsigned char>(s[at]) << 8) | static_cast<unsigned char>(s[at + 1]));
}
}  // namespace

PacketChannel::PacketChannel(int fd) : fd_(fd) {}

bool PacketChannel::recv_raw(bool block) {
  if (raw_pos_ > 0 && raw_pos_ == raw_.size()) {
    raw_.clear();
    raw_pos_ = 0;
  }
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, block ? 0 : MSG_DONTWAIT);
    if (n > 0) {
      raw_.append(buf, static_cast<size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && !block && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    peer_gone_ = true;
    return false;
  }
}

bool PacketChannel::decrypt_one_record() {
  const size_t size = tls_record_size(std::string_view(raw_).substr(raw_pos_));
  if (size == 0) return false;
  tls_->feed(std::string_view(raw_).substr(raw_pos_, size));
  raw_pos_ += size;
  if (!tls_->read(&in_)) {
    peer_gone_ = true;  // a close_notify, an alert or bytes that are not TLS: the session is over
    return false;
  }
  return true;
}

bool PacketChannel::fill(size_t need, bool block) {
  while (in_.size() - in_pos_ < need) {
    if (in_pos_ > 0 && in_pos_ == in_.size()) {
      in_.clear();
      in_pos_ = 0;
    }
    if (tls_ != nullptr) {
      if (decrypt_one_record()) continue;
      if (peer_gone_) return false;
    } else if (raw_pos_ < raw_.size()) {
      in_.append(raw_, raw_pos_, std::string::npos);
      raw_pos_ = raw_.size();
      continue;
    }
    if (!recv_raw(block)) return false;
  }
  return true;
}

int PacketChannel::peek_first_byte() {
  while (raw_pos_ == raw_.size()) {
    if (!recv_raw(true)) return -1;
  }
  return static_cast<unsigned char>(raw_[raw_pos_]);
}

bool PacketChannel::start_tls_on_socket(TlsStream* tls) {
  for (;;) {
    const TlsStream::Step step = tls->handshake();
    const std::string out = tls->take_output();  // also the alert of a failed handshake
    if (!out.empty()) send_raw(out);
    if (broken_ || step == TlsStream::Step::kFailed) return false;
    if (step == TlsStream::Step::kDone) {
      set_tls(tls, false);
      return true;
    }
    // Whole records only: what follows the handshake (the PRELOGIN inside TLS) stays in raw_.
    const size_t size = tls_record_size(std::string_view(raw_).substr(raw_pos_));
    if (size > 0) {
      tls->feed(std::string_view(raw_).substr(raw_pos_, size));
      raw_pos_ += size;
    } else if (!recv_raw(true)) {
      return false;
    }
  }
}

void PacketChannel::set_tls(TlsStream* tls, bool login_packet_only) {
  tls_ = tls;
  tls_one_packet_ = login_packet_only;
}

bool PacketChannel::read_message(TdsMessage* msg) {
  msg->payload.clear();
  bool first = true;
  for (;;) {
    if (!fill(kHeader, true)) return false;
    const uint8_t type = static_cast<uint8_t>(in_[in_pos_]);
    const uint8_t status = static_cast<uint8_t>(in_[in_pos_ + 1]);
    const uint16_t len = be16(in_, in_pos_ + 2);
    if (len < kHeader) return false;
    if (!fill(len, true)) return false;
    if (first) {
      msg->type = type;
      msg->status = status;
      first = false;
    } else if (type != msg->type && type == kAttention) {
      // An attention between packets of a request: the request is abandoned.
      msg->type = kAttention;
      msg->payload.clear();
      in_pos_ += len;
      return true;
    }
    msg->payload.append(in_, in_pos_ + kHeader, len - kHeader);
    in_pos_ += len;
    if (tls_one_packet_) {
      // Login-only encryption: only the first LOGIN7 packet came through TLS (MS-TDS 2.2.6.5,
      // "encrypt login packet only"); the rest of the connection, replies included, is plain.
      tls_ = nullptr;
      tls_one_packet_ = false;
    }
    if (msg->payload.size() > kMaxMessage) return false;
    if (status & kEom) return true;
  }
}

bool PacketChannel::take_attention() {
  if (in_.size() - in_pos_ < kHeader) return false;
  if (static_cast<uint8_t>(in_[in_pos_]) != kAttention) return false;
  const uint16_t len = be16(in_, in_pos_ + 2);
  if (len < kHeader || in_.size() - in_pos_ < len) return false;
  in_pos_ += len;
  return true;
}

bool PacketChannel::poll_attention() {
  if (peer_gone_ || broken_) return true;
  fill(kHeader, false);
  if (peer_gone_) return true;
  if (in_.size() - in_pos_ >= kHeader && static_cast<uint8_t>(in_[in_pos_]) == kAttention) {
    fill(be16(in_, in_pos_ + 2), false);
    return take_attention();
  }
  return false;
}

bool PacketChannel::wait_attention(int ms) {
  if (poll_attention()) return true;
  pollfd p{fd_, POLLIN, 0};
  int left = ms;
  while (left > 0) {
    const int step = left > 50 ? 50 : left;
    if (::poll(&p, 1, step) > 0 && poll_attention()) return true;
    left -= step;
  }
  return false;
}

void PacketChannel::packetize(size_t payload_bytes, bool last, uint8_t type) {
  const std::string& o = out_.str();
  const size_t header_len = payload_bytes + kHeader;
  wire_.push_back(static_cast<char>(type));
  wire_.push_back(static_cast<char>(last ? kEom : 0));
  wire_.push_back(static_cast<char>(header_len >> 8));
  wire_.push_back(static_cast<char>(header_len & 0xFF));
  wire_.push_back(static_cast<char>(spid_ >> 8));
  wire_.push_back(static_cast<char>(spid_ & 0xFF));
  wire_.push_back(static_cast<char>(packet_id_++));
  wire_.push_back('\0');
  wire_.append(o, start_, payload_bytes);
  start_ += payload_bytes;
}

void PacketChannel::flush_full_packets() {
  const size_t chunk = packet_size_ - kHeader;
  // Only packets followed by more data are known not to be the last of the message.
  while (out_.size() - start_ > chunk) packetize(chunk, false, kReply);
  if (start_ > (1u << 20)) {  // keep out_ small during long replies
    out_.str().erase(0, start_);
    start_ = 0;
  }
  if (wire_.size() >= kSendBatch) {
    send_all(wire_);
    wire_.clear();
  }
}

void PacketChannel::end_message(uint8_t type) {
  const size_t chunk = packet_size_ - kHeader;
  while (out_.size() - start_ > chunk) packetize(chunk, false, type);
  packetize(out_.size() - start_, true, type);
  send_all(wire_);
  wire_.clear();
  out_.clear();
  start_ = 0;
  packet_id_ = 1;
}

void PacketChannel::send_all(const std::string& data) {
  if (tls_ == nullptr || tls_one_packet_) {
    send_raw(data);
    return;
  }
  if (!tls_->write(data)) {
    broken_ = true;
    return;
  }
  send_raw(tls_->take_output());
}

void PacketChannel::send_raw(const std::string& data) {
  size_t off = 0;
  while (!broken_ && off < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) off += static_cast<size_t>(n);
    else if (n < 0 && errno == EINTR) continue;
    else broken_ = true;
  }
}

}  // namespace emu::tds
