// harness.cc — see harness.h.
#include "harness.h"

#include <stdexcept>

#include "engine/instance.h"
#include "instance_options.h"
#include "tds/server.h"

#ifndef EMU_FIXTURES_DIR
#error "EMU_FIXTURES_DIR must be defined by the build"
#endif

namespace emu {
namespace {

// ODBC connection-string value in braces; a '}' inside is doubled.
std::string braced(const std::string& v) {
  std::string out = "{";
  for (char c : v) {
    out.push_back(c);
    if (c == '}') out.push_back('}');
  }
  out.push_back('}');
  return out;
}

std::unique_ptr<Instance> build_instance(const TestServerOptions& o) {
  std::string error;
  auto instance =
      create_instance(make_instance_options(o.server_name, o.engine_edition, o.sa_password, o.fixture, o.init_sql), &error);
  if (!instance) throw std::runtime_error("emulator: cannot create instance: " + error);
  return instance;
}

std::shared_ptr<const tds::TlsContext> load_tls(const TestServerOptions& o) {
  if (o.tls_cert.empty() && o.tls_key.empty()) {
    if (o.require_encryption) throw std::runtime_error("emulator: require_encryption needs tls_cert and tls_key");
    return nullptr;
  }
  std::string error;
  auto tls = tds::TlsContext::load({o.tls_cert, o.tls_key, o.require_encryption}, &error);
  if (!tls) throw std::runtime_error("emulator: " + error);
  return tls;
}

}  // namespace

TestServer::TestServer(TestServerOptions options)
    : TestServer(build_instance(options), options.sa_password, load_tls(options)) {}

TestServer::TestServer(std::unique_ptr<Instance> instance, std::string sa_password,
                       std::shared_ptr<const tds::TlsContext> tls)
    : sa_password_(std::move(sa_password)), instance_(std::move(instance)), tls_(std::move(tls)) {
  server_ = std::make_unique<TdsServer>(*instance_, tls_);
  std::string error;
  if (!server_->start("127.0.0.1", 0, &error)) throw std::runtime_error("emulator: " + error);
  port_ = server_->port();
}

TestServer::~TestServer() { server_->stop(); }

uint16_t TestServer::port() const { return port_; }

void TestServer::stop_listening() {
  if (!listening_) return;
  server_->stop();
  listening_ = false;
}

void TestServer::resume_listening() {
  if (listening_) return;
  server_ = std::make_unique<TdsServer>(*instance_, tls_);
  std::string error;
  if (!server_->start("127.0.0.1", port_, &error)) throw std::runtime_error("emulator: " + error);
  listening_ = true;
}

std::string TestServer::connection_string() const { return connection_string("sa", sa_password_); }

std::string TestServer::connection_string(const std::string& user, const std::string& password) const {
  return "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=" + std::to_string(port()) + ";UID=" + braced(user) +
         ";PWD=" + braced(password) + ";TDS_Version=7.4;ClientCharset=UTF-8";
}

std::string TestServer::connection_string_without_password(const std::string& user) const {
  return "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=" + std::to_string(port()) + ";UID=" + braced(user) +
         ";TDS_Version=7.4;ClientCharset=UTF-8";
}

std::string fixture_path(const std::string& name) { return std::string(EMU_FIXTURES_DIR) + "/" + name; }

}  // namespace emu
