#include "http/auth.h"

#include <openssl/crypto.h>

#include "base/sha256.h"

namespace understudy::http {

namespace {
bool from_hex(const std::string& hex, unsigned char out[32]) {
  if (hex.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    unsigned v = 0;
    for (int k = 0; k < 2; ++k) {
      char c = hex[2 * i + k];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return false;
    }
    out[i] = static_cast<unsigned char>(v);
  }
  return true;
}
}  // namespace

Authenticator::Authenticator(std::vector<config::Token> tokens) {
  for (const auto& t : tokens) {
    Entry e{t.name, t.role, {}, false};
    e.valid = from_hex(t.sha256, e.hash);
    tokens_.push_back(std::move(e));
  }
}

AuthOutcome Authenticator::authenticate(std::string_view authorization, Principal* out) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty()) return AuthOutcome::kNoToken;
  if (authorization.size() <= kBearer.size() || authorization.substr(0, kBearer.size()) != kBearer)
    return AuthOutcome::kBadToken;
  const auto h = sha256(authorization.substr(kBearer.size()));
  const Entry* match = nullptr;
  for (const auto& e : tokens_) {  // every entry, always: no early exit
    bool eq = e.valid && CRYPTO_memcmp(e.hash, h.data(), h.size()) == 0;
    if (eq && !match) match = &e;
  }
  if (!match) return AuthOutcome::kBadToken;
  out->name = match->name;
  out->role = match->role;
  return AuthOutcome::kOk;
}

}  // namespace understudy::http
