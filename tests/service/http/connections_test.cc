// The server's connection bounds (http/connections.h) with small limits, in process, on loopback:
// a request trickled header line by header line is cut off at its deadline; idle and slow
// connections beyond the workers are closed to make room for a probe; a client holding its
// whole quota of connections gets the oldest one closed, not the new one refused.
// Bounded: every client stops by itself after a few seconds; nothing asserts a duration.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <httplib.h>

#include "config/config.h"
#include "http/app.h"
#include "http/server.h"

namespace understudy::http {
namespace {

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

// Whether the server has closed `fd`: what it sent (a 400 for a cut-off request) is read, then
// a read returns 0 or an error other than "nothing yet".
bool closed_by_server(int fd) {
  char buf[512];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
  }
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

class Connections : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("understudy-connections-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto cfg = config::load_from_string("store = \"" + (dir_ / "u.db").string() + "\"\n[service]\nsnapshot_interval = \"0\"\n",
                                        "connections_test.toml");
    ASSERT_TRUE(cfg) << cfg.error().to_string();
    auto app = App::open({.config = *cfg});
    ASSERT_TRUE(app) << app.error().to_string();
    app_ = std::move(*app);
  }
  void start(Limits limits) {
    server_ = std::make_unique<Server>(*app_, limits);
    ASSERT_TRUE(server_->bind("127.0.0.1:0"));
    thread_ = std::thread([this] { server_->serve(); });
    // Up once /livez answers.
    for (int i = 0; i < 100; ++i) {
      httplib::Client c("127.0.0.1", server_->port());
      if (auto r = c.Get("/livez"); r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "the server did not come up";
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    app_.reset();
    std::filesystem::remove_all(dir_);
  }
  int port() const { return server_->port(); }
  std::filesystem::path dir_;
  std::unique_ptr<App> app_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// A client that sends one header line every 200 ms never finishes its request: the server closes
// the connection once the request deadline (1 s) passes. httplib alone reset its 5 s read timeout
// at every line and held the worker for as long as the client went on.
TEST_F(Connections, ARequestTrickledLineByLineIsCutOffAtItsDeadline) {
  start({.workers = 4, .reserved = 1, .per_client = 8, .request_seconds = 1, .idle_seconds = 5});
  int fd = connect_to(port());
  std::string head = "GET /livez HTTP/1.1\r\nHost: t\r\n";
  ASSERT_GT(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), 0);
  bool closed = false;
  for (int i = 0; i < 25 && !closed; ++i) {  // 5 s of trickling at most
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::string line = "X-Slow-" + std::to_string(i) + ": 1\r\n";
    (void)::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
    closed = closed_by_server(fd);
  }
  ::close(fd);
  EXPECT_TRUE(closed) << "the server kept reading a request that never ends";
}

// Four workers, six connections that send nothing (idle keep-alive clients, or slow ones): a
// probe still gets its answer, because the oldest connections not running a request are closed to
// free a worker for it.
TEST_F(Connections, IdleConnectionsBeyondTheWorkersMakeRoomForAProbe) {
  start({.workers = 4, .reserved = 1, .per_client = 16, .request_seconds = 30, .idle_seconds = 30});
  std::vector<int> idle;
  for (int i = 0; i < 6; ++i) idle.push_back(connect_to(port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // they hold the workers
  httplib::Client probe("127.0.0.1", port());
  probe.set_read_timeout(10, 0);
  auto r = probe.Get("/livez");
  EXPECT_TRUE(r && r->status == 200) << "the probe waited for idle connections";
  int closed = 0;
  for (int fd : idle) {
    closed += closed_by_server(fd) ? 1 : 0;
    ::close(fd);
  }
  EXPECT_GE(closed, 1) << "no idle connection was closed to make room";
}

// One client at its quota (3) opens a fourth connection: its oldest idle one is closed and the
// new one is served.
TEST_F(Connections, AClientAtItsQuotaLosesItsOldestIdleConnection) {
  start({.workers = 8, .reserved = 1, .per_client = 3, .request_seconds = 30, .idle_seconds = 30});
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(connect_to(port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // admitted in this order
  }
  httplib::Client probe("127.0.0.1", port());
  probe.set_read_timeout(10, 0);
  auto r = probe.Get("/readyz");
  EXPECT_TRUE(r && r->status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(closed_by_server(held[0])) << "the oldest connection should have made room";
  EXPECT_FALSE(closed_by_server(held[2]));
  for (int fd : held) ::close(fd);
}

}  // namespace
}  // namespace understudy::http
