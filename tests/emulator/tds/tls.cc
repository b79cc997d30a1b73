// tls.cc — see tls.h.
#include "tds/tls.h"

#include <openssl/err.h>

#include <cstring>

namespace emu::tds {
namespace {

std::string openssl_reason() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// ALPN for TDS 8.0: the client offers "tds/8.0" (MS-TDS 3.3.5.1, TLS first); a client that offers
// other protocols only gets the no_application_protocol alert (RFC 7301 §3.2).
int select_tds8_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                     unsigned int inlen, void*) {
  static constexpr unsigned char kTds8[] = {'t', 'd', 's', '/', '8', '.', '0'};
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int n = in[i];
    if (i + 1 + n > inlen) break;
    if (n == sizeof kTds8 && std::memcmp(in + i + 1, kTds8, n) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(n);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + n;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

SSL_CTX* make_server_ctx(const TlsSettings& s, int max_version, bool tds8, std::string* error) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    *error = "cannot create a TLS context: " + openssl_reason();
    return nullptr;
  }
  // TLS 1.2 at least: the version Microsoft recommends as a Managed Instance's "Minimal TLS
  // Version" (https://learn.microsoft.com/en-us/azure/azure-sql/managed-instance/minimal-tls-version-configure).
  // An older client fails the handshake here; a Managed Instance answers it with error 47072.
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  // No session tickets: after a TDS 7.x handshake the client expects no further PRELOGIN packet.
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (tds8) SSL_CTX_set_alpn_select_cb(ctx, select_tds8_alpn, nullptr);
  if (SSL_CTX_use_certificate_chain_file(ctx, s.cert_file.c_str()) != 1) {
    *error = "cannot load the TLS certificate " + s.cert_file + ": " + openssl_reason();
  } else if (SSL_CTX_use_PrivateKey_file(ctx, s.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    *error = "cannot load the TLS key " + s.key_file + ": " + openssl_reason();
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    *error = "the TLS key " + s.key_file + " does not belong to the certificate " + s.cert_file;
  } else {
    return ctx;
  }
  SSL_CTX_free(ctx);
  return nullptr;
}

}  // namespace

std::shared_ptr<const TlsContext> TlsContext::load(const TlsSettings& settings, std::string* error) {
  std::shared_ptr<TlsContext> c(new TlsContext());
  c->required_ = settings.require;
  c->tds7_ = make_server_ctx(settings, TLS1_2_VERSION, false, error);
  if (c->tds7_ == nullptr) return nullptr;
  c->tds8_ = make_server_ctx(settings, TLS1_3_VERSION, true, error);
  if (c->tds8_ == nullptr) return nullptr;
  return c;
}

TlsContext::~TlsContext() {
  SSL_CTX_free(tds7_);
  SSL_CTX_free(tds8_);
}

TlsStream::TlsStream(SSL_CTX* ctx) : ssl_(SSL_new(ctx)), in_(BIO_new(BIO_s_mem())), out_(BIO_new(BIO_s_mem())) {
  BIO_set_mem_eof_return(in_, -1);  // an empty input means "wait for more", not end of stream
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_accept_state(ssl_);
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

bool TlsStream::fail(const char* what, int rc) {
  const int e = SSL_get_error(ssl_, rc);
  if (e == SSL_ERROR_ZERO_RETURN) {
    error_ = std::string(what) + ": the client closed the TLS session";
  } else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    error_ = std::string(what) + ": the client stopped the TLS session";
  } else {
    error_ = std::string(what) + ": " + openssl_reason();
  }
  return false;
}

void TlsStream::feed(std::string_view ciphertext) {
  if (!ciphertext.empty()) BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

TlsStream::Step TlsStream::handshake() {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) return Step::kDone;
  if (SSL_get_error(ssl_, rc) == SSL_ERROR_WANT_READ) return Step::kWantInput;
  fail("TLS handshake failed", rc);
  return Step::kFailed;
}

std::string TlsStream::take_output() {
  std::string out(BIO_ctrl_pending(out_), '\0');
  if (!out.empty()) {
    const int n = BIO_read(out_, out.data(), static_cast<int>(out.size()));
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  return out;
}

bool TlsStream::read(std::string* out) {
  char buf[16384];
  for (;;) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (SSL_get_error(ssl_, n) == SSL_ERROR_WANT_READ) return true;
    return fail("TLS read failed", n);
  }
}

bool TlsStream::write(std::string_view plain) {
  if (plain.empty()) return true;
  ERR_clear_error();
  // Memory BIOs never block, so SSL_write takes everything or fails for good.
  const int rc = SSL_write(ssl_, plain.data(), static_cast<int>(plain.size()));
  return rc > 0 || fail("TLS write failed", rc);
}

size_t tls_record_size(std::string_view data) {
  if (data.size() < 5) return 0;
  const size_t total = 5 + ((static_cast<unsigned char>(data[3]) << 8) | static_cast<unsigned char>(data[4]));
  return data.size() >= total ? total : 0;
}

}  // namespace emu::tds
