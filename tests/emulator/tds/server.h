// server.h — TdsServer: serves an emulated instance over TDS 7.2–7.4 on a TCP port; with a
// TlsContext it negotiates encryption as SQL Server does (tls.h, connection.h) and also accepts
// TDS 8.0 (TLS first).
//
// One thread per accepted connection; each connection logs in against Instance::login and then
// runs its requests on its own Session. stop() (also run by the destructor) closes the listening
// socket and every connection socket, then joins all threads.
// Thread-safety: start()/stop() from one owning thread; port() any time after start().
// Ownership: the Instance is borrowed and must outlive the server; the TlsContext is shared.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/api.h"
#include "tds/tls.h"

namespace emu {

class TdsServer {
 public:
  // tls == nullptr: no certificate, PRELOGIN answers ENCRYPT_NOT_SUP.
  explicit TdsServer(Instance& instance, std::shared_ptr<const tds::TlsContext> tls = nullptr);
  ~TdsServer();
  TdsServer(const TdsServer&) = delete;
  TdsServer& operator=(const TdsServer&) = delete;

  // Binds host:port (port 0 = ephemeral) and starts accepting. False with *error on failure.
  [[nodiscard]] bool start(const std::string& host, uint16_t port, std::string* error);
  uint16_t port() const { return port_; }
  // Closes the listener and all connections, joins every thread. Idempotent.
  void stop();

 private:
  struct Conn {
    int fd = -1;
    std::thread thread;
    std::atomic<bool> finished{false};
  };
  void accept_loop();
  void reap_finished();  // joins threads of connections that ended (caller holds mu_)

  Instance& instance_;
  std::shared_ptr<const tds::TlsContext> tls_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> next_spid_{51};
  std::thread accept_thread_;
  std::mutex mu_;
  std::list<std::unique_ptr<Conn>> conns_;
};

}  // namespace emu
