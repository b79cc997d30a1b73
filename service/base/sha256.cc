#include "base/sha256.h"

#include <stdexcept>

#include <openssl/evp.h>

namespace understudy {

namespace {

// SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up on every call.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, sha256_md(), nullptr) != 1) throw std::runtime_error("sha-256 is not available");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) throw std::runtime_error("sha-256 failed");
}

void Sha256::finish(unsigned char* out) {
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, out, &len) != 1 || len != 32 || EVP_DigestInit_ex(ctx_, sha256_md(), nullptr) != 1)
    throw std::runtime_error("sha-256 failed");  // only on OpenSSL misconfiguration
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  thread_local Sha256 hasher;
  std::array<unsigned char, 32> md{};
  hasher.update(data);
  hasher.finish(md.data());
  return md;
}

std::string sha256_raw(std::string_view data) {
  auto md = sha256(data);
  return std::string(reinterpret_cast<const char*>(md.data()), md.size());
}

std::string sha256_hex(std::string_view data) {
  auto md = sha256(data);
  return hex_of(md.data(), md.size());
}

std::string hex_of(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

}  // namespace understudy
