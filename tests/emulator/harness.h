// harness.h — an in-process SQL Server emulator for test suites.
//
// A TestServer builds an emulated instance (emu::create_instance) and serves it over TDS on an
// ephemeral loopback port, on its own threads, until it is destroyed. Tests reach it through the
// real unixODBC + FreeTDS stack with connection_string(), and inspect or steer the instance with
// instance().stats() and instance().faults().
//
//   emu::TestServer server({.fixture = emu::fixture_path("payments-primary.json"), .engine_edition = 3});
//   SQLDriverConnect(..., server.connection_string(), ...);
//   EXPECT_EQ(server.instance().stats().batches, 1u);
//
// Errors (bad fixture, port in use) throw std::runtime_error: this is test scaffolding, the test
// fails with the message. Thread-safety: port()/connection strings are immutable after
// construction; instance() is thread-safe (see engine/api.h). Destruction stops the listener,
// closes every connection and joins the threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/api.h"

namespace emu {

class TdsServer;
namespace tds {
class TlsContext;
}

struct TestServerOptions {
  std::string fixture;                       // JSON fixture path; "" = empty instance
  std::string init_sql;                      // T-SQL file run after the fixture; "" = none
  int engine_edition = 3;                    // 2 Standard, 3 Enterprise, 8 Managed Instance
  std::string sa_password = "Emu-Passw0rd!";  // password of the built-in sa login
  std::string server_name = "UNDERSTUDY-EMU";  // @@SERVERNAME, ServerName in ERROR/INFO tokens
  // TLS (tds/tls.h): PEM certificate chain and key; empty = encryption not supported. With
  // require_encryption the server refuses unencrypted sessions, as SQL Server's Force Encryption.
  std::string tls_cert, tls_key;
  bool require_encryption = false;
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  // Serves an already-built instance (protocol tests with their own Instance implementation).
  explicit TestServer(std::unique_ptr<Instance> instance, std::string sa_password = "Emu-Passw0rd!",
                      std::shared_ptr<const tds::TlsContext> tls = nullptr);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const;
  // Closes the listener and every connection (the instance keeps its state): clients get
  // "connection refused", as from a stopped or unreachable server. resume_listening() binds the
  // same port again (throws std::runtime_error if it cannot). Both idempotent; call them from one
  // thread at a time (the cluster's control lock).
  void stop_listening();
  void resume_listening();
  bool listening() const { return listening_; }
  // DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=…;UID=sa;PWD={…};TDS_Version=7.4;ClientCharset=UTF-8
  std::string connection_string() const;
  // The same for another login (PWD braced, '}' doubled).
  std::string connection_string(const std::string& user, const std::string& password) const;
  // The same without PWD, for callers that add the password themselves (e.g. from the environment).
  std::string connection_string_without_password(const std::string& user = "sa") const;
  const std::string& sa_password() const { return sa_password_; }
  // The certificate and settings this server negotiates encryption with; nullptr = none.
  const std::shared_ptr<const tds::TlsContext>& tls() const { return tls_; }

  Instance& instance() { return *instance_; }
  Stats& stats() { return instance_->stats(); }
  FaultPlan& faults() { return instance_->faults(); }

 private:
  std::string sa_password_;
  std::unique_ptr<Instance> instance_;
  std::shared_ptr<const tds::TlsContext> tls_;
  std::unique_ptr<TdsServer> server_;
  uint16_t port_ = 0;
  bool listening_ = true;
};

// Absolute path of a shipped fixture: ${PROJECT_SOURCE_DIR}/tests/fixtures/<name>.
std::string fixture_path(const std::string& name);

}  // namespace emu
