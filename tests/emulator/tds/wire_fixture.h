// wire_fixture.h — the protocol tests' server: the canned test engine (a protocol-test device
// only, see test_engine.h) behind a real TdsServer on an ephemeral loopback port.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "tds/server.h"
#include "tds/test_engine.h"

namespace emu::tds::testing {

struct CannedServer {
  CannedInstance instance;
  TdsServer server;

  // tls: the server's certificate and settings (tls.h); nullptr = encryption not supported.
  explicit CannedServer(std::shared_ptr<const TlsContext> tls = nullptr) : server(instance, std::move(tls)) {
    std::string error;
    if (!server.start("127.0.0.1", 0, &error)) throw std::runtime_error(error);
  }
  std::string connection_string(const std::string& user = "sa", const std::string& password = CannedInstance::kPassword,
                                const std::string& extra = "") const {
    return "DRIVER={FreeTDS};SERVER=127.0.0.1;PORT=" + std::to_string(server.port()) + ";UID=" + user + ";PWD={" +
           password + "};TDS_Version=7.4;ClientCharset=UTF-8" + extra;
  }
};

}  // namespace emu::tds::testing
