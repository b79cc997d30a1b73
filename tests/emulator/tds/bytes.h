// bytes.h — little helpers for TDS byte streams: a growable writer, a bounds-checked reader, and
// UTF-8 ↔ UTF-16LE / CP1252 conversion.
//
// TDS is little-endian except the packet header, the PRELOGIN option table and the LOGINACK
// version (big-endian: MS-TDS 2.2.3.1 packet header, 2.2.6.5 PRELOGIN, 2.2.7.14 LOGINACK); the
// writer has both. The reader throws ProtocolError on a short or malformed buffer; the connection
// turns that into a closed socket.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace emu::tds {

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ByteWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { put_le(v, 2); }
  void u32(uint32_t v) { put_le(v, 4); }
  void u64(uint64_t v) { put_le(v, 8); }
  void u16be(uint16_t v) { u8(static_cast<uint8_t>(v >> 8)); u8(static_cast<uint8_t>(v)); }
  void u32be(uint32_t v) { u16be(static_cast<uint16_t>(v >> 16)); u16be(static_cast<uint16_t>(v)); }
  void bytes(std::string_view b) { buf_.append(b.data(), b.size()); }
  void zeros(size_t n) { buf_.append(n, '\0'); }
  // B_VARCHAR: char count (1 byte) + UTF-16LE. US_VARCHAR: char count (2 bytes) + UTF-16LE.
  void b_varchar(std::string_view utf8);
  void us_varchar(std::string_view utf8);
  // Overwrites a little-endian u16 already written at `pos` (token lengths known afterwards).
  void patch_u16(size_t pos, uint16_t v) {
    buf_[pos] = static_cast<char>(v & 0xFF);
    buf_[pos + 1] = static_cast<char>(v >> 8);
  }
  size_t size() const { return buf_.size(); }
  std::string& str() { return buf_; }
  const std::string& str() const { return buf_; }
  void clear() { buf_.clear(); }

 private:
  void put_le(uint64_t v, int n) {  // one append per value: this runs for every column of every row
    char b[8];
    for (int i = 0; i < n; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
    buf_.append(b, static_cast<size_t>(n));
  }
  std::string buf_;
};

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  explicit ByteReader(std::string_view s)
      : p_(reinterpret_cast<const uint8_t*>(s.data())), n_(s.size()) {}
  size_t remaining() const { return n_ - pos_; }
  size_t pos() const { return pos_; }
  bool at_end() const { return pos_ >= n_; }
  uint8_t peek() const { need(1); return p_[pos_]; }
  uint8_t u8() { need(1); return p_[pos_++]; }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  uint64_t le(int n) {
    need(static_cast<size_t>(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[pos_ + i]) << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }
  std::string_view bytes(size_t n) {
    need(n);
    std::string_view v(reinterpret_cast<const char*>(p_ + pos_), n);
    pos_ += n;
    return v;
  }
  void skip(size_t n) { need(n); pos_ += n; }
  // B_VARCHAR / US_VARCHAR → UTF-8.
  std::string b_varchar();
  std::string us_varchar();

 private:
  void need(size_t n) const {
    if (n > n_ - pos_) throw ProtocolError("truncated tds message");
  }
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
};

// "0A 00 FF" — bytes as upper-case hex pairs separated by spaces (tests, protocol logs).
std::string to_hex(std::string_view bytes);

// UTF-8 → UTF-16LE bytes (invalid sequences become U+FFFD; supplementary planes as surrogate pairs).
std::string utf8_to_utf16le(std::string_view utf8);
// The same, appended to `out` (lets hot paths reuse a buffer).
void append_utf16le(std::string& out, std::string_view utf8);
// UTF-16LE bytes → UTF-8 (an odd trailing byte is dropped; lone surrogates become U+FFFD).
std::string utf16le_to_utf8(std::string_view utf16);
// Number of UTF-16 code units of a UTF-8 string.
size_t utf16_units(std::string_view utf8);
// UTF-8 → Windows-1252, the code page of the emulator's SQL_Latin1_General_CP1_CI_AS collation
// (characters it lacks become '?', as SQL Server does); and back.
std::string utf8_to_cp1252(std::string_view utf8);
std::string cp1252_to_utf8(std::string_view cp1252);

}  // namespace emu::tds
