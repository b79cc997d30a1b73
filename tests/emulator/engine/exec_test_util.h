// exec_test_util.h — in-process helpers for the executor's tests: an instance built with
// create_instance, a session on it, and a ReplySink that records everything it is told.
// Thread-safety: test code, one thread per sink.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/api.h"
#include "engine/instance.h"

namespace emu::testing {

struct ResultSet {
  std::vector<ColumnInfo> columns;
  std::vector<Row> rows;
};

class CaptureSink final : public ReplySink {
 public:
  void message(const Message& m) override { messages.push_back(m); }
  void columns(const std::vector<ColumnInfo>& cols) override { sets.push_back(ResultSet{cols, {}}); }
  void row(const Row& values) override { sets.back().rows.push_back(values); }
  void done(const DoneInfo& d) override { dones.push_back(d); }
  bool cancelled() const override { return cancel_after_rows >= 0 && static_cast<long>(total_rows()) >= cancel_after_rows; }

  size_t total_rows() const {
    size_t n = 0;
    for (const auto& s : sets) n += s.rows.size();
    return n;
  }
  std::vector<Message> errors() const {
    std::vector<Message> out;
    for (const auto& m : messages)
      if (m.severity > 10) out.push_back(m);
    return out;
  }
  // "208: Invalid object name 'x'." for the first error, or "" when none.
  std::string first_error() const {
    auto e = errors();
    return e.empty() ? std::string() : std::to_string(e[0].number) + ": " + e[0].text;
  }

  std::vector<Message> messages;
  std::vector<ResultSet> sets;
  std::vector<DoneInfo> dones;
  long cancel_after_rows = -1;
};

inline const char* kSaPassword = "Emu-Passw0rd!";

inline std::unique_ptr<Instance> make_instance(int engine_edition = 3, const std::string& fixture = "",
                                               const std::string& init_sql = "") {
  InstanceOptions o;
  o.config.engine_edition = engine_edition;
  o.sa_password = kSaPassword;
  o.fixture_path = fixture;
  o.init_sql_path = init_sql;
  std::string error;
  auto inst = create_instance(o, &error);
  EXPECT_NE(inst, nullptr) << error;
  return inst;
}

inline std::unique_ptr<Session> make_session(Instance& inst, const std::string& db = "master", uint16_t spid = 51) {
  LoginRequest req;
  req.user = "sa";
  req.password = kSaPassword;
  return inst.open_session(req, db, spid);
}

// Runs a batch and returns what the sink saw.
inline CaptureSink run(Session& s, const std::string& sql) {
  CaptureSink sink;
  s.execute_batch(sql, sink);
  return sink;
}

inline std::string text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (const auto* b = std::get_if<Blob>(&v)) return "blob:" + b->bytes;
  return "NULL";
}

// A fresh instance (no fixture) and an sa session in master for each test.
class ExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inst = make_instance();
    ASSERT_NE(inst, nullptr);
    session = make_session(*inst);
  }
  CaptureSink q(const std::string& sql) { return run(*session, sql); }
  std::unique_ptr<Instance> inst;
  std::unique_ptr<Session> session;
};

}  // namespace emu::testing
