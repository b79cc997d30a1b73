// test_engine.cc — see test_engine.h. A protocol-test device only.
#include "tds/test_engine.h"

#include <sstream>

namespace emu::tds::testing {
namespace {

std::string value_text(const Value& v) {
  if (is_null(v)) return "NULL";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return "0x" + std::to_string(std::get<Blob>(v).bytes.size()) + "bytes";
}

class CannedSession final : public Session {
 public:
  CannedSession(CannedInstance& inst, std::string db) : inst_(inst), db_(std::move(db)) {}

  void execute_batch(const std::string& sql, ReplySink& sink) override {
    inst_.record("batch:" + sql);
    std::istringstream lines(sql);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      run(line, sink);
    }
  }

  RpcResult execute_rpc(const RpcRequest& req, ReplySink& sink) override {
    std::string rec = "rpc:" + req.proc_name;
    for (const auto& p : req.params) rec += "|" + p.name + "=" + value_text(p.value) + (p.output ? " out" : "");
    inst_.record(rec);
    RpcResult result;
    const std::string& n = req.proc_name;
    if (n == "sp_executesql" || n == "sp_prepexec" || n == "sp_execute" || n == "SP_EXECUTE") {
      // sp_executesql: @stmt, @params, values; sp_prepexec: @handle, @params, @stmt, values;
      // sp_execute: @handle, values.
      const size_t first = n == "sp_executesql" ? 2 : n == "sp_prepexec" ? 3 : 1;
      std::vector<ColumnInfo> cols;
      Row row;
      for (size_t i = first; i < req.params.size(); ++i) {
        cols.push_back({"p" + std::to_string(i - first + 1), req.params[i].type, true});
        row.push_back(req.params[i].value);
      }
      const size_t stmt_index = n == "sp_prepexec" ? 2 : 0;
      if (n != "sp_execute" && n != "SP_EXECUTE" && stmt_index < req.params.size()) {
        const auto* stmt = std::get_if<std::string>(&req.params[stmt_index].value);
        if (stmt && stmt->rfind("error", 0) == 0) {
          sink.message(Message{547, 0, 16, "The INSERT statement conflicted with the FOREIGN KEY constraint.", 1, {}});
          sink.done({false, 0, true, 0});
          result.error = true;
          return result;
        }
      }
      if (cols.empty()) {
        cols.push_back({"none", SqlType::Int(), true});
        row.emplace_back();  // NULL
      }
      sink.columns(cols);
      sink.row(row);
      sink.done({true, 1, false, 0xC1});
      if (n == "sp_prepexec") result.outputs.push_back({0, req.params[0].name, SqlType::Int(), int64_t{1}});
    } else if (n == "sp_prepare") {
      sink.columns({{"p1", SqlType::Int(), true}});
      result.outputs.push_back({0, req.params[0].name, SqlType::Int(), int64_t{1}});
    } else if (n == "sp_unprepare") {
      // nothing to release
    } else if (n == "echo_out") {
      const auto* v = req.params.empty() ? nullptr : std::get_if<int64_t>(&req.params[0].value);
      result.outputs.push_back({0, req.params[0].name, SqlType::Int(), int64_t{(v ? *v : 0) + 1000}});
    } else {
      sink.message(Message{2812, 62, 16, "Could not find stored procedure '" + n + "'.", 1, {}});
      result.error = true;
      result.return_status = -6;
    }
    return result;
  }

  bool begin_transaction(Message*) override { tid_ = ++next_tid_; inst_.record("begin"); return true; }
  bool commit_transaction(Message* err) override { return end_tran("commit", err); }
  bool rollback_transaction(Message* err) override { return end_tran("rollback", err); }
  uint64_t transaction_id() const override { return tid_; }
  std::string current_database() const override { return db_; }
  void reset() override { inst_.record("reset"); tid_ = 0; db_ = "master"; }

 private:
  bool end_tran(const std::string& what, Message* err) {
    inst_.record(what);
    if (tid_ == 0) {
      *err = Message{3902, 1, 16, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.", 1, {}};
      return false;
    }
    tid_ = 0;
    return true;
  }

  void run(const std::string& line, ReplySink& sink) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    std::string rest;
    std::getline(in, rest);
    if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
    if (cmd == "select" && rest == "1") {
      sink.columns({{"one", SqlType::Int(), true}});
      sink.row({int64_t{1}});
      sink.done({true, 1, false, 0xC1});
    } else if (cmd == "rows" || cmd == "endless") {
      const int64_t n = cmd == "rows" ? std::stoll(rest) : 100'000'000;
      sink.columns({{"id", SqlType::Int(), false}, {"name", SqlType::NVarChar(50), true}});
      int64_t i = 1;
      for (; i <= n && !sink.cancelled(); ++i) sink.row({i, "row-" + std::to_string(i)});
      sink.done({true, i - 1, false, 0xC1});
    } else if (cmd == "types") {
      types(sink);
    } else if (cmd == "echo") {
      sink.columns({{"text", SqlType::NVarChar(-1), true}});
      sink.row({rest});
      sink.done({true, 1, false, 0xC1});
    } else if (cmd == "error") {
      const auto sp = rest.find(' ');
      sink.message(Message{std::stoi(rest.substr(0, sp)), 1, 16, rest.substr(sp + 1), 1, {}});
      sink.done({false, 0, true, 0});
    } else if (cmd == "info") {
      sink.message(Message{0, 1, 0, rest, 1, {}});
      sink.columns({{"after", SqlType::Int(), true}});
      sink.row({int64_t{7}});
      sink.done({true, 1, false, 0xC1});
    } else if (cmd == "multi") {
      sink.columns({{"a", SqlType::Int(), true}});
      sink.row({int64_t{1}});
      sink.done({true, 1, false, 0xC1});
      sink.done({true, 3, false, 0xC3});
      sink.columns({{"b", SqlType::NVarChar(10), true}});
      sink.row({std::string("x")});
      sink.row({std::string("y")});
      sink.done({true, 2, false, 0xC1});
    } else if (cmd == "drop") {
      throw DropConnection{};
    } else if (cmd == "use") {
      db_ = rest;
      sink.message(Message{5701, 1, 0, "Changed database context to '" + rest + "'.", 1, {}});
      sink.done({false, 0, false, 0});
    } else {
      sink.message(Message{102, 1, 15, "Incorrect syntax near '" + cmd + "'.", 1, {}});
      sink.done({false, 0, true, 0});
    }
  }

  void types(ReplySink& sink) {
    const std::vector<ColumnInfo> cols = {
        {"c_bit", SqlType::Bit(), true},
        {"c_tinyint", SqlType::TinyInt(), true},
        {"c_smallint", SqlType::SmallInt(), true},
        {"c_int", SqlType::Int(), true},
        {"c_bigint", SqlType::BigInt(), true},
        {"c_float", SqlType::Float(), true},
        {"c_decimal", SqlType::Decimal(10, 2), true},
        {"c_numeric", {SqlTypeId::kNumeric, 0, 25, 0}, true},
        {"c_char", SqlType::Char(5), true},
        {"c_varchar", SqlType::VarChar(20), true},
        {"c_nchar", SqlType::NChar(4), true},
        {"c_nvarchar", SqlType::NVarChar(50), true},
        {"c_nvarchar_max", SqlType::NVarChar(-1), true},
        {"c_binary", {SqlTypeId::kBinary, 4}, true},
        {"c_varbinary", SqlType::VarBinary(16), true},
        {"c_varbinary_max", SqlType::VarBinary(-1), true},
        {"c_datetime", SqlType::DateTime(), true},
        {"c_datetime2", {SqlTypeId::kDateTime2, 0, 0, 7}, true},
        {"c_datetimeoffset", {SqlTypeId::kDateTimeOffset, 0, 0, 7}, true},
        {"c_guid", SqlType::Guid(), true},
        {"c_variant", {SqlTypeId::kSqlVariant}, true},
    };
    sink.columns(cols);
    sink.row({int64_t{1}, int64_t{255}, int64_t{-32768}, int64_t{-2147483647 - 1}, int64_t{9223372036854775807LL},
              0.5, std::string("-12345.67"), std::string("1234567890123456789012345"), std::string("ab"),
              std::string("café"), std::string("日本"), std::string("Grüße 😀"), std::string(5000, 'x'),
              Blob{std::string("\x01\x02", 2)}, Blob{std::string("\x00\xFF\x10", 3)}, Blob{std::string(10000, '\x5A')},
              std::string("2024-01-02 03:04:05.123"), std::string("2024-01-02 03:04:05.1234567"),
              std::string("2024-01-02 03:04:05.1234567 +02:00"), std::string("6F9619FF-8B86-D011-B42D-00C04FC964FF"),
              std::string("variant text")});
    sink.row(Row(cols.size(), Null{}));
    sink.done({true, 2, false, 0xC1});
  }

  CannedInstance& inst_;
  std::string db_;
  uint64_t tid_ = 0;
  uint64_t next_tid_ = 0;
};

}  // namespace

LoginResult CannedInstance::login(const LoginRequest& req) {
  record("login:" + req.user + "@" + req.database);
  LoginResult r;
  if (req.user == "disabled") {
    r.error = Message{18470, 1, 14, "Login failed for user 'disabled'. Reason: The account is disabled.", 1, {}};
  } else if ((req.user != "sa" && req.user != "Ünïcødé") || req.password != kPassword) {
    r.error = Message{18456, 1, 14, "Login failed for user '" + req.user + "'.", 1, {}};
  } else {
    r.ok = true;
    r.database = req.database.empty() ? "master" : req.database;
  }
  return r;
}

std::unique_ptr<Session> CannedInstance::open_session(const LoginRequest&, const std::string& database, uint16_t) {
  return std::make_unique<CannedSession>(*this, database);
}

void CannedInstance::record(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  log_.push_back(what);
}

std::vector<std::string> CannedInstance::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

}  // namespace emu::tds::testing
