// hashing.cc — see hashing.h.
#include "engine/hashing.h"

#include <cstdint>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "engine/lexer.h"
#include "engine/state_util.h"

namespace emu::st {

namespace {

std::string digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) throw StateError("EVP_Digest failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

void put_le32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint32_t le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<size_t>(i)]);
  return v;
}

}  // namespace

std::string utf16le(const std::string& s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0xFFFD;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 6 && i + 1 < s.size()) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((c >> 4) == 14 && i + 2 < s.size()) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      len = 3;
    } else if ((c >> 3) == 30 && i + 3 < s.size()) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
      len = 4;
    }
    i += len;
    auto put16 = [&](uint32_t u) {
      out.push_back(static_cast<char>(u & 0xFF));
      out.push_back(static_cast<char>((u >> 8) & 0xFF));
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put16(0xD800 + (cp >> 10));
      put16(0xDC00 + (cp & 0x3FF));
    } else {
      put16(cp);
    }
  }
  return out;
}

std::string sql_password_hash(const std::string& password, const std::string& salt_in) {
  const std::string salt = salt_in.size() == 4 ? salt_in : random_bytes(4);
  return std::string("\x02\x00", 2) + salt + digest(EVP_sha512(), utf16le(password) + salt);
}

bool is_valid_hashed_password(const std::string& h) {
  if (h.size() == 70 && h[0] == 0x02 && h[1] == 0x00) return true;
  if (h.size() == 26 && h[0] == 0x01 && h[1] == 0x00) return true;
  return false;
}

bool verify_sql_password(const std::string& hash, const std::string& password) {
  if (!is_valid_hashed_password(hash)) return false;
  const std::string salt = hash.substr(2, 4);
  const EVP_MD* md = hash[0] == 0x02 ? EVP_sha512() : EVP_sha1();
  return digest(md, utf16le(password) + salt) == hash.substr(6);
}

std::string new_sql_login_sid() { return random_bytes(16); }

std::string windows_sid(const std::string& name) {
  const std::string upper = to_upper_ascii(name);
  const auto slash = upper.find('\\');
  const std::string domain = slash == std::string::npos ? std::string("BUILTIN") : upper.substr(0, slash);
  const std::string d = digest(EVP_sha256(), "domain:" + domain);
  const std::string u = digest(EVP_sha256(), "account:" + upper);
  std::string sid = std::string("\x01\x05\x00\x00\x00\x00\x00\x05", 8);
  put_le32(&sid, 21);
  put_le32(&sid, le32(d, 0));
  put_le32(&sid, le32(d, 4));
  put_le32(&sid, le32(d, 8));
  put_le32(&sid, 1000 + le32(u, 0) % 1000000);  // RIDs of ordinary accounts start at 1000
  return sid;
}

std::string external_sid(const std::string& name, const std::string& object_id) {
  if (auto g = normalize_guid(object_id)) {
    std::string hex;
    for (char c : *g) if (c != '-') hex.push_back(c);
    std::string b;
    unhex(hex, &b);
    // GUID byte order: first three groups little-endian.
    return std::string{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]} + b.substr(8);
  }
  return digest(EVP_sha256(), "entra:" + to_lower_ascii(name)).substr(0, 16);
}

}  // namespace emu::st
