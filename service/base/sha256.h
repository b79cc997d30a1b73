// sha256.h — the one SHA-256 of Understudy (OpenSSL's EVP underneath): object fingerprints, the
// store's snapshot digests, the audit trail's hash chain and the service's token hashes.
//
// Thread-safety: the free functions are reentrant (each thread reuses its own context); a Sha256
// object belongs to one thread at a time.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, without OpenSSL's headers here

namespace understudy {

// Incremental SHA-256 over one reusable context: setting a context up per call cost as much as
// hashing a small object, and a snapshot hashes half a million of them twice.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  // Writes the 32-byte digest of everything updated since the last finish() and starts over.
  void finish(unsigned char* out);

 private:
  ::evp_md_ctx_st* ctx_;
};

// The raw 32-byte digest of `data`.
std::array<unsigned char, 32> sha256(std::string_view data);
// Hex SHA-256 of `data` (lower case, 64 characters), and the raw digest as a string of 32 bytes.
std::string sha256_hex(std::string_view data);
std::string sha256_raw(std::string_view data);

// Lower-case hex of `n` bytes.
std::string hex_of(const unsigned char* bytes, size_t n);

}  // namespace understudy
