// auth.h — bearer tokens with roles (runbook, auditor, operator).
//
// The configuration holds only the SHA-256 (hex) of each token. A presented token is hashed and
// compared with every configured hash in constant time (CRYPTO_memcmp, and all hashes are always
// compared), so neither timing nor early exit tells how close a guess was. Nothing here logs or
// returns the token or a hash; the caller learns the token's name and role only.
// Thread-safety: immutable after construction; authenticate() is safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace understudy::http {

struct Principal {
  std::string name;  // the token's name in the config (for logs and the audit trail)
  config::Role role = config::Role::kRunbook;
};

enum class AuthOutcome { kNoToken, kBadToken, kOk };

class Authenticator {
 public:
  explicit Authenticator(std::vector<config::Token> tokens);
  // `authorization` is the Authorization header value ("" when absent).
  AuthOutcome authenticate(std::string_view authorization, Principal* out) const;
  bool has_tokens() const { return !tokens_.empty(); }

 private:
  struct Entry {
    std::string name;
    config::Role role;
    unsigned char hash[32];
    bool valid;
  };
  std::vector<Entry> tokens_;
};

}  // namespace understudy::http
