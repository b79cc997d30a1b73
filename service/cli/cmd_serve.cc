// cmd_serve.cc — `understudy serve`: the HTTP gate service (service/http).
//
// Order of startup, so that "ready" means ready: configuration → store (migrations) → gate files
// (a bad file stops here, exit 65) → bind the listener → print "listening on HOST:PORT" on stdout
// (tests and scripts read the port from it when listen is :0) → READY=1 to systemd when
// NOTIFY_SOCKET is set → scheduled snapshots → serve. SIGHUP reloads the gate files (the last
// good set stays on error); SIGTERM/SIGINT stop the listener and the scheduler.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ostream>
#include <thread>

#include "cli/handlers.h"
#include "cli/invocation.h"
#include "http/app.h"
#include "http/server.h"

namespace understudy::cli {

namespace {

// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET.
void notify_systemd(const char* state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path || std::strlen(path) >= sizeof(sockaddr_un::sun_path)) return;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(path));
  (void)::sendto(fd, state, std::strlen(state), 0, reinterpret_cast<sockaddr*>(&addr), len);
  ::close(fd);
}

}  // namespace

int run_serve(const Invocation& inv) {
  auto cfg = inv.config();
  if (!cfg) return inv.fail(cfg.error());

  // Signals are taken by one thread with sigwait; block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto app = http::App::open({**cfg, nullptr});
  if (!app) return inv.fail(app.error());
  http::Server server(**app);
  auto bound = server.bind((*cfg)->service.listen);
  if (!bound) return inv.fail(bound.error());

  auto listen = (*cfg)->service.listen;
  auto host = listen.substr(0, listen.rfind(':'));
  bool tls = !(*cfg)->service.tls_cert.empty();
  inv.out() << "listening on " << host << ":" << server.port() << (tls ? " (tls)" : "") << std::endl;
  inv.logger().info("understudy serve ready",
                    {{"listen", host + ":" + std::to_string(server.port())},
                     {"tls", tls},
                     {"gates", (*app)->gates().current()->size()},
                     {"pairs", (*cfg)->pairs.size()},
                     {"snapshot_interval_seconds", (*cfg)->service.snapshot_interval.count()}});
  if ((*cfg)->service.tokens.empty())
    inv.logger().warn("no tokens configured: every /v1 route answers 401", {{"hint", "add [[service.tokens]]"}});
  notify_systemd("READY=1");
  (*app)->start_scheduler();

  std::thread signals([&] {
    while (true) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0) continue;
      if (sig == SIGHUP) {
        auto st = (*app)->reload_gates("signal");
        if (st)
          inv.logger().info("gates reloaded", {{"gates", (*app)->gates().current()->size()}});
        else
          inv.logger().error("gate reload failed; the last good set stays in force",
                             {{"error", st.error().message}, {"hint", st.error().hint}});
        continue;
      }
      inv.logger().info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      notify_systemd("STOPPING=1");
      server.stop();
      return;
    }
  });
  server.serve();
  (*app)->stop();
  signals.join();
  return 0;
}

}  // namespace understudy::cli
