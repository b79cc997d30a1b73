// emu_util.h — helpers for catalog/store/diff tests that run against the emulator: a temp dir,
// a fixture written from JSON, an ODBC connection as sa, round-trip counters.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness.h"
#include "odbc/connection.h"

namespace understudy::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/understudy-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `fixture` as <dir>/<name>.json and returns its path.
inline std::string write_fixture(const TempDir& dir, const std::string& name, const nlohmann::json& fixture) {
  std::string path = dir.file(name + ".json");
  std::ofstream(path) << fixture.dump(2);
  return path;
}

inline odbc::Connection connect_sa(emu::TestServer& server, const std::string& label = "primary") {
  auto c = odbc::Connection::connect({.connection_string = server.connection_string_without_password(),
                                      .password = Secret(server.sa_password()),
                                      .label = label});
  if (!c) {
    ADD_FAILURE() << c.error().to_string();
    std::abort();
  }
  return std::move(*c);
}

// Requests (batches + RPCs) the instance has served so far: the round trips.
inline uint64_t round_trips(emu::TestServer& server) { return server.stats().batches + server.stats().rpcs; }

}  // namespace understudy::testing
