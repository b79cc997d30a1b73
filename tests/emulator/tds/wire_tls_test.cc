// wire_tls_test.cc — encryption as SQL Server negotiates it, against the canned protocol-test
// engine: the PRELOGIN ENCRYPTION answers and what follows them (MS-TDS 2.2.6.5, both tables), a
// login that skips the negotiation, TDS 8.0 (TLS first with ALPN "tds/8.0", MS-TDS 3.3.5.1) with an
// OpenSSL client, and FreeTDS ODBC with the certificate verified against a CA made at test time.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "tds/odbc_client.h"
#include "tds/raw_client.h"
#include "tds/test_pki.h"
#include "tds/tls.h"
#include "tds/wire_fixture.h"

namespace emu::tds::testing {
namespace {

enum class ServerTls { kNoCertificate, kCertificate, kRequired };

std::shared_ptr<const TlsContext> server_tls(ServerTls mode) {
  if (mode == ServerTls::kNoCertificate) return nullptr;
  std::string error;
  auto tls = TlsContext::load({test_pki().cert, test_pki().key, mode == ServerTls::kRequired}, &error);
  if (!tls) throw std::runtime_error(error);
  return tls;
}

// PRELOGIN with VERSION and ENCRYPTION = `encryption` (MS-TDS 2.2.6.5).
std::string prelogin(uint8_t encryption) {
  std::string p("\x00\x00\x0B\x00\x06\x01\x00\x11\x00\x01\xFF", 11);
  p += std::string("\x10\x00\x00\x00\x00\x00", 6);
  p.push_back(static_cast<char>(encryption));
  return p;
}

// The ENCRYPTION option of a PRELOGIN reply, -1 if absent.
int reply_encryption(const std::string& payload) {
  for (size_t i = 0; i + 5 <= payload.size() && static_cast<uint8_t>(payload[i]) != 0xFF; i += 5) {
    if (payload[i] != 0x01) continue;
    const size_t off = (static_cast<unsigned char>(payload[i + 1]) << 8) | static_cast<unsigned char>(payload[i + 2]);
    return off < payload.size() ? static_cast<unsigned char>(payload[off]) : -1;
  }
  return -1;
}

constexpr uint8_t kOff = 0x00, kOn = 0x01, kNotSup = 0x02, kReq = 0x03;

// What the server does after its answer: let a plain LOGIN7 in, wait for a TLS handshake (a plain
// LOGIN7 instead closes the connection), or close the connection.
enum class Then { kPlainLogin, kTlsHandshake, kClosed };

struct NegotiationCase {
  ServerTls server;
  uint8_t client;
  uint8_t answer;
  Then then;
};

std::string case_name(const NegotiationCase& c) {
  static const char* const kServer[] = {"NoCertificate", "Certificate", "Required"};
  static const char* const kClient[] = {"Off", "On", "NotSup", "Req"};
  return std::string("Server") + kServer[static_cast<int>(c.server)] + "Client" + kClient[c.client];
}
void PrintTo(const NegotiationCase& c, std::ostream* os) { *os << case_name(c); }
std::string negotiation_case_name(const ::testing::TestParamInfo<NegotiationCase>& info) {
  return case_name(info.param);
}

class WireTlsNegotiation : public ::testing::TestWithParam<NegotiationCase> {};

// MS-TDS 2.2.6.5: "Value returned by server" by client value and server setting (OFF = has a
// certificate, ON = requires encryption, NOT_SUP = none), and the client's table: OFF answered by
// OFF is login-only encryption, by ON/REQ full encryption; "(connection terminated)" cases close.
TEST_P(WireTlsNegotiation, AnswerAndWhatFollows) {
  const NegotiationCase& c = GetParam();
  CannedServer srv(server_tls(c.server));
  RawClient client(srv.server.port());
  client.send(0x12, prelogin(c.client));
  const auto reply = client.read_message();
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].type, 0x04);
  EXPECT_EQ(reply_encryption(reply[0].payload), c.answer);
  if (c.then == Then::kClosed) {
    EXPECT_TRUE(client.closed_by_server());
    return;
  }
  client.send(0x10, client.login7("sa", CannedInstance::kPassword));
  if (c.then == Then::kTlsHandshake) {
    EXPECT_TRUE(client.closed_by_server()) << "a login that skips the TLS handshake must not get in";
    EXPECT_EQ(srv.instance.stats().logins.load(), 0u);
  } else {
    EXPECT_FALSE(client.read_message().empty());
    EXPECT_EQ(srv.instance.stats().logins.load(), 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, WireTlsNegotiation,
    ::testing::Values(NegotiationCase{ServerTls::kNoCertificate, kOff, kNotSup, Then::kPlainLogin},
                      NegotiationCase{ServerTls::kNoCertificate, kOn, kNotSup, Then::kClosed},
                      NegotiationCase{ServerTls::kNoCertificate, kNotSup, kNotSup, Then::kPlainLogin},
                      NegotiationCase{ServerTls::kNoCertificate, kReq, kNotSup, Then::kClosed},
                      NegotiationCase{ServerTls::kCertificate, kOff, kOff, Then::kTlsHandshake},
                      NegotiationCase{ServerTls::kCertificate, kOn, kOn, Then::kTlsHandshake},
                      NegotiationCase{ServerTls::kCertificate, kNotSup, kNotSup, Then::kPlainLogin},
                      NegotiationCase{ServerTls::kCertificate, kReq, kOn, Then::kTlsHandshake},
                      NegotiationCase{ServerTls::kRequired, kOff, kReq, Then::kTlsHandshake},
                      NegotiationCase{ServerTls::kRequired, kOn, kOn, Then::kTlsHandshake},
                      NegotiationCase{ServerTls::kRequired, kNotSup, kReq, Then::kClosed},
                      NegotiationCase{ServerTls::kRequired, kReq, kOn, Then::kTlsHandshake}),
    negotiation_case_name);

TEST(WireTls, CertificateAuthenticationIsRefusedByClosingTheConnection) {
  CannedServer srv(server_tls(ServerTls::kCertificate));
  RawClient client(srv.server.port());
  client.send(0x12, prelogin(0x81));  // ENCRYPT_CLIENT_CERT_ON: not supported by the emulator
  EXPECT_TRUE(client.read_message().empty());
  EXPECT_TRUE(client.closed_by_server());
}

TEST(WireTls, RequiredEncryptionRefusesALoginWithoutPrelogin) {
  CannedServer srv(server_tls(ServerTls::kRequired));
  RawClient client(srv.server.port());
  client.send(0x10, client.login7("sa", CannedInstance::kPassword));
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(srv.instance.stats().logins.load(), 0u);
}

TEST(WireTls, LoadNamesAMissingCertificateAndAKeyThatDoesNotMatch) {
  std::string error;
  EXPECT_EQ(TlsContext::load({test_pki().dir + "/nope.pem", test_pki().key, false}, &error), nullptr);
  EXPECT_NE(error.find("cannot load the TLS certificate " + test_pki().dir + "/nope.pem"), std::string::npos) << error;
  EXPECT_EQ(TlsContext::load({test_pki().cert, rogue_pki().key, false}, &error), nullptr);
  EXPECT_NE(error.find("cannot load the TLS key " + rogue_pki().key), std::string::npos) << error;
  EXPECT_NE(error.find("key values mismatch"), std::string::npos) << error;
}

// A TDS 8.0 client on OpenSSL: TLS first on the socket, verifying the server against the test CA.
class Tds8Client {
 public:
  Tds8Client(uint16_t port, const std::string& alpn) : raw_(port), ctx_(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_load_verify_locations(ctx_, test_pki().ca.c_str(), nullptr);
    std::string wire_alpn(1, static_cast<char>(alpn.size()));
    wire_alpn += alpn;
    SSL_CTX_set_alpn_protos(ctx_, reinterpret_cast<const unsigned char*>(wire_alpn.data()),
                            static_cast<unsigned>(wire_alpn.size()));
    ssl_ = SSL_new(ctx_);
    SSL_set1_host(ssl_, "localhost");
    SSL_set_tlsext_host_name(ssl_, "localhost");
    SSL_set_fd(ssl_, raw_.fd());
  }
  ~Tds8Client() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  bool handshake() { return SSL_connect(ssl_) == 1; }
  std::string alpn() const {
    const unsigned char* p = nullptr;
    unsigned n = 0;
    SSL_get0_alpn_selected(ssl_, &p, &n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  std::string version() const { return SSL_get_version(ssl_); }
  void send(uint8_t type, const std::string& payload) {
    const std::string wire = RawClient::packets(type, payload);
    ASSERT_EQ(SSL_write(ssl_, wire.data(), static_cast<int>(wire.size())), static_cast<int>(wire.size()));
  }
  // The payload of one whole reply message (up to EOM), through TLS.
  std::string reply() {
    std::string payload;
    for (;;) {
      char h[8];
      if (!read_exact(h, 8)) return payload;
      const size_t len = (static_cast<unsigned char>(h[2]) << 8) | static_cast<unsigned char>(h[3]);
      std::string body(len - 8, '\0');
      if (!read_exact(body.data(), body.size())) return payload;
      payload += body;
      if (h[1] & 1) return payload;
    }
  }

 private:
  bool read_exact(char* p, size_t n) {
    while (n > 0) {
      const int got = SSL_read(ssl_, p, static_cast<int>(n));
      if (got <= 0) return false;
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
  RawClient raw_;
  SSL_CTX* ctx_;
  SSL* ssl_ = nullptr;
};

TEST(WireTls, Tds8RunsTlsFirstThenPreloginAndLoginInsideIt) {
  CannedServer srv(server_tls(ServerTls::kRequired));
  Tds8Client c(srv.server.port(), "tds/8.0");
  ASSERT_TRUE(c.handshake()) << ERR_error_string(ERR_get_error(), nullptr);
  EXPECT_EQ(c.alpn(), "tds/8.0");
  EXPECT_EQ(c.version(), "TLSv1.3");
  c.send(0x12, prelogin(kNotSup));  // what tedious sends in strict mode; no TDS 7.x negotiation follows
  EXPECT_EQ(reply_encryption(c.reply()), kNotSup);
  RawClient login_builder(srv.server.port());
  c.send(0x10, login_builder.login7("sa", CannedInstance::kPassword));
  const std::string login_reply = c.reply();
  EXPECT_NE(login_reply.find('\xAD'), std::string::npos) << "LOGINACK expected";
  EXPECT_EQ(srv.instance.stats().logins_tds8.load(), 1u);
}

TEST(WireTls, Tds8ClientOfferingAnotherProtocolGetsNoSession) {
  CannedServer srv(server_tls(ServerTls::kCertificate));
  Tds8Client c(srv.server.port(), "h2");
  EXPECT_FALSE(c.handshake());
  EXPECT_EQ(srv.instance.stats().logins.load(), 0u);
}

TEST(WireTls, Tds8WithoutACertificateClosesTheConnection) {
  CannedServer srv;
  Tds8Client c(srv.server.port(), "tds/8.0");
  EXPECT_FALSE(c.handshake());
}

// FreeTDS ODBC (1.3): Encryption= in the connection string, the CA through the freetds.conf
// section named by Servername= (test_pki.h).
class WireTlsFreeTds : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { install_freetds_conf(); }
  static std::string conn_str(const CannedServer& srv, const std::string& section, const std::string& extra = "") {
    return "DRIVER={FreeTDS};Servername=" + section + ";Port=" + std::to_string(srv.server.port()) +
           ";UID=sa;PWD={" + CannedInstance::kPassword + "};ClientCharset=UTF-8" + extra;
  }
};

TEST_F(WireTlsFreeTds, RequireEncryptsTheWholeSessionWithTheCertificateVerified) {
  CannedServer srv(server_tls(ServerTls::kRequired));
  OdbcConnection conn;
  ASSERT_TRUE(conn.connect(conn_str(srv, "emu_verified"))) << ::testing::PrintToString(conn.diags());
  const ExecOutcome r = conn.exec("rows 3000");  // a reply of many packets and TLS records
  ASSERT_TRUE(SQL_SUCCEEDED(r.rc)) << ::testing::PrintToString(r.diags);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].rows.size(), 3000u);
  EXPECT_EQ(srv.instance.stats().logins_tls.load(), 1u);
}

TEST_F(WireTlsFreeTds, ACertificateFromAnotherCaIsRefused) {
  CannedServer srv(server_tls(ServerTls::kRequired));
  OdbcConnection conn;
  EXPECT_FALSE(conn.connect(conn_str(srv, "emu_rogue_ca")));
  EXPECT_EQ(srv.instance.stats().logins.load(), 0u);
}

TEST_F(WireTlsFreeTds, ACertificateForAnotherHostIsRefusedThoughItsCaIsTrusted) {
  std::string error;
  auto tls = TlsContext::load({wrong_host_pki().cert, wrong_host_pki().key, true}, &error);
  ASSERT_TRUE(tls) << error;
  CannedServer srv(tls);
  OdbcConnection checked;
  EXPECT_FALSE(checked.connect(conn_str(srv, "emu_wrong_host")));
  EXPECT_EQ(srv.instance.stats().logins.load(), 0u);
  OdbcConnection unchecked;  // the same CA without the host name check: the name was the reason
  EXPECT_TRUE(unchecked.connect(conn_str(srv, "emu_wrong_host_unchecked"))) << ::testing::PrintToString(unchecked.diags());
}

TEST_F(WireTlsFreeTds, RequestAgainstAServerThatAllowsPlainEncryptsTheLoginOnly) {
  CannedServer srv(server_tls(ServerTls::kCertificate));
  OdbcConnection conn;
  ASSERT_TRUE(conn.connect(conn_str(srv, "emu_request"))) << ::testing::PrintToString(conn.diags());
  const ExecOutcome r = conn.exec("select 1");
  ASSERT_TRUE(SQL_SUCCEEDED(r.rc)) << ::testing::PrintToString(r.diags);
  EXPECT_EQ(srv.instance.stats().logins_tls_login_only.load(), 1u);
  EXPECT_EQ(srv.instance.stats().logins_tls.load(), 0u);
}

TEST_F(WireTlsFreeTds, EncryptionOffIsClosedWhenTheServerRequiresEncryption) {
  CannedServer srv(server_tls(ServerTls::kRequired));
  OdbcConnection conn;
  EXPECT_FALSE(conn.connect(srv.connection_string("sa", CannedInstance::kPassword, ";Encryption=off")));
  EXPECT_EQ(srv.instance.stats().logins.load(), 0u);
}

}  // namespace
}  // namespace emu::tds::testing
