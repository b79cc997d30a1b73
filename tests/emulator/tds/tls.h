// tls.h — TLS for the TDS server, as SQL Server offers it (OpenSSL with memory BIOs).
//
// TlsContext holds the server certificate and key (`--tls-cert`, `--tls-key`) and whether the
// server requires encryption (`--require-encryption`, SQL Server's "Force Encryption"). It keeps two
// OpenSSL contexts: TDS 7.x, whose handshake travels inside PRELOGIN (0x12) packets and is capped at
// TLS 1.2 (SQL Server offers TLS 1.3 only with TDS 8.0:
// https://learn.microsoft.com/en-us/sql/relational-databases/security/networking/tls-1-3), and
// TDS 8.0 "strict" (TLS first on the raw socket, MS-TDS 3.3.5.1), TLS 1.2–1.3 with ALPN "tds/8.0".
//
// TlsStream is one connection's TLS state. It never touches the socket: the PacketChannel feeds it
// the peer's bytes and sends what it produces, because in TDS 7.x the handshake records are the
// payload of PRELOGIN packets (MS-TDS 2.2.6.5) and only afterwards do TLS records travel bare.
//
// Thread-safety: a TlsContext is immutable after load() and shared by every connection thread
// (OpenSSL contexts are safe to share once configured); a TlsStream belongs to one connection.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

namespace emu::tds {

struct TlsSettings {
  std::string cert_file;  // PEM: the server certificate, then any intermediates
  std::string key_file;   // PEM: its private key
  bool require = false;   // refuse unencrypted sessions (PRELOGIN answers ENCRYPT_ON)
};

class TlsContext {
 public:
  // Loads the certificate chain and key and checks that they match; nullptr with *error naming the
  // file and OpenSSL's reason otherwise.
  static std::shared_ptr<const TlsContext> load(const TlsSettings& settings, std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  bool required() const { return required_; }
  SSL_CTX* tds7() const { return tds7_; }
  SSL_CTX* tds8() const { return tds8_; }

 private:
  TlsContext() = default;
  SSL_CTX* tds7_ = nullptr;
  SSL_CTX* tds8_ = nullptr;
  bool required_ = false;
};

class TlsStream {
 public:
  explicit TlsStream(SSL_CTX* ctx);  // server side
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  enum class Step { kDone, kWantInput, kFailed };
  void feed(std::string_view ciphertext);  // bytes received from the client
  Step handshake();                        // drives the handshake with what was fed
  std::string take_output();               // ciphertext to send to the client (may be empty)
  // Appends the plaintext decrypted from what was fed to *out. False once the peer closed the TLS
  // session or sent something that does not decrypt (the connection is then over).
  bool read(std::string* out);
  bool write(std::string_view plain);  // encrypts (send take_output() afterwards); false: broken
  std::string error() const { return error_; }  // why the last step failed

 private:
  bool fail(const char* what, int rc);
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  std::string error_;
};

// Length of the complete TLS record at data[0..] (5-byte header + body), or 0 if incomplete.
size_t tls_record_size(std::string_view data);

}  // namespace emu::tds
