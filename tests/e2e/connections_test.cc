// `understudy serve` under clients that misbehave on the wire (loopback only, bounded in number
// and time): slow clients that never finish their request must not keep /livez, /readyz and
// /metrics from answering (they held all 96 workers), and the request details of docs/api.md —
// a POST without a body, a GET with one, an encoded slash in a path parameter.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <httplib.h>

#include "world.h"

namespace e2e {
namespace {

int raw_connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{30, 0};  // a bound on every read of the tests below
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void raw_send(int fd, const std::string& s) { (void)::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

// Sends `request` on a new connection and reads until the server closes it (or 30 s pass).
std::string raw_exchange(int port, const std::string& request) {
  int fd = raw_connect(port);
  if (fd < 0) return "";
  raw_send(fd, request);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

std::string operator_bearer_header() { return std::string("Authorization: Bearer ") + kOperatorToken + "\r\n"; }

class ServeRequests : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new World();
    auto snap = world_->cli({"snapshot", "--pair", "payments"});
    if (snap.exit_code != 0) throw std::runtime_error("snapshot failed: " + snap.err);
    port_ = world_->start_serve();
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }
  static World* world_;
  static int port_;
};
World* ServeRequests::world_ = nullptr;
int ServeRequests::port_ = 0;

// docs/api.md: `POST /v1/pairs/{pair}/snapshots` takes an empty body or `{}` — also a POST that
// sends no Content-Length at all (curl -X POST). It was a bare 400 "request could not be handled"
// after httplib's read timeout.
TEST_F(ServeRequests, APostWithoutABodyIsAnEmptyBody) {
  auto r = raw_exchange(port_, "POST /v1/pairs/payments/snapshots HTTP/1.1\r\nHost: t\r\n" + operator_bearer_header() +
                               "Connection: close\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 201", 0), 0u) << r;
  EXPECT_NE(r.find("\"type\": \"snapshot\""), std::string::npos) << r;
  auto plan = raw_exchange(port_, "POST /v1/pairs/payments/sync HTTP/1.1\r\nHost: t\r\n" + operator_bearer_header() +
                                  "Connection: close\r\n\r\n");
  EXPECT_EQ(plan.rfind("HTTP/1.1 200", 0), 0u) << plan;
  EXPECT_NE(plan.find("\"apply\": false"), std::string::npos) << plan;
}

// docs/api.md: GET requests take no body. httplib never read it, so it was accepted (and its
// bytes taken for a next request).
TEST_F(ServeRequests, AGetWithABodyIsRefusedNamingTheBody) {
  auto r = raw_exchange(port_, "GET /v1/pairs HTTP/1.1\r\nHost: t\r\n" + operator_bearer_header() +
                               "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_NE(r.find("\"parameter\": \"body\""), std::string::npos) << r;
  EXPECT_NE(r.find("a GET request takes no body"), std::string::npos) << r;
  EXPECT_EQ(r.find("HTTP/1.1", 1), std::string::npos) << "one answer only: the body was not read as a request\n" << r;
  auto chunked = raw_exchange(port_, "GET /v1/pairs HTTP/1.1\r\nHost: t\r\n" + operator_bearer_header() +
                                     "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 400", 0), 0u) << chunked;
  auto empty = raw_exchange(port_, "GET /v1/pairs HTTP/1.1\r\nHost: t\r\n" + operator_bearer_header() +
                                   "Content-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(empty.rfind("HTTP/1.1 200", 0), 0u) << empty;
}

// docs/api.md: an encoded slash in a path parameter is 400 naming the parameter, not 404 (the
// path was decoded whole before it was split).
TEST_F(ServeRequests, AnEncodedSlashInAPathParameterIs400NamingIt) {
  for (const char* path : {"/v1/pairs/..%2f..%2fetc/drift", "/v1/pairs/a%2Fb/snapshots", "/v1/runs/x%2fy",
                           "/v1/gates/logins%2F..?pair=payments"}) {
    auto r = world_->get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 400) << path << "\n" << r->body;
    auto j = body_json(r);
    std::string p = std::string(path).find("/gates/") != std::string::npos ? "gate"
                    : std::string(path).find("/runs/") != std::string::npos ? "id"
                                                                             : "pair";
    EXPECT_EQ(j["parameter"], p) << path;
    EXPECT_EQ(j["detail"], p + " is not a valid name") << path;
  }
}

// 110 clients (more than the 96 workers) each open a connection, send the start of a request
// and then one header line a second, never finishing it; every probe must still be answered.
// Before, each slow client held a worker for as long as it trickled and /livez waited for them.
// The clients stop by themselves after 40 s at most (the probes' own bound is 30 s).
TEST(ServeConnections, SlowClientsDoNotStarveTheProbes) {
  World w;
  int port = w.start_serve();
  constexpr int kSlow = 110;
  std::vector<int> fds;
  for (int i = 0; i < kSlow; ++i) {
    int fd = raw_connect(port);
    ASSERT_GE(fd, 0) << "connection " << i;
    raw_send(fd, "GET /livez HTTP/1.1\r\nHost: slow\r\n");
    fds.push_back(fd);
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    for (int s = 0; s < 40 && !stop; ++s) {
      for (int fd : fds) raw_send(fd, "X-Slow: " + std::to_string(s) + "\r\n");
      for (int t = 0; t < 10 && !stop; ++t) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the slow clients hold their workers
  httplib::Client probe("127.0.0.1", port);
  probe.set_connection_timeout(30, 0);
  probe.set_read_timeout(30, 0);
  for (const char* path : {"/livez", "/readyz", "/metrics"}) {
    auto r = probe.Get(path);
    EXPECT_TRUE(r && r->status == 200) << path << " not answered while slow clients held connections";
  }
  stop = true;
  trickle.join();
  for (int fd : fds) ::close(fd);
}

}  // namespace
}  // namespace e2e
