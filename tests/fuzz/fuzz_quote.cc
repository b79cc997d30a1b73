// fuzz_quote — identifier and literal quoting (service/tsql/quote.h) against the emulator's
// T-SQL parser: for any byte string, what quote_name() accepts comes back from
// `SELECT 1 AS <quoted>` as exactly that column name, and what quote_string() writes comes back
// from `SELECT <literal>` as exactly that value. A difference aborts (a finding).
// Input: the bytes are the name and the text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/api.h"
#include "engine/instance.h"
#include "tsql/quote.h"

namespace {

class Sink final : public emu::ReplySink {
 public:
  void message(const emu::Message& m) override {
    if (m.severity > 10 && error.empty()) error = std::to_string(m.number) + ": " + m.text;
  }
  void columns(const std::vector<emu::ColumnInfo>& cols) override {
    if (names.empty())
      for (const auto& c : cols) names.push_back(c.name);
  }
  void row(const emu::Row& values) override {
    if (!values.empty())
      if (const auto* s = std::get_if<std::string>(&values[0])) value = *s, has_value = true;
  }
  void done(const emu::DoneInfo&) override {}
  bool cancelled() const override { return false; }
  std::vector<std::string> names;
  std::string value, error;
  bool has_value = false;
};

emu::Session& session() {
  static std::unique_ptr<emu::Instance> inst = [] {
    emu::InstanceOptions o;
    o.sa_password = "Fuzz-Passw0rd!";
    std::string error;
    auto i = emu::create_instance(o, &error);
    if (!i) {
      std::fprintf(stderr, "fuzz_quote: no instance: %s\n", error.c_str());
      std::abort();
    }
    return i;
  }();
  static std::unique_ptr<emu::Session> s = [] {
    emu::LoginRequest req;
    req.user = "sa";
    req.password = "Fuzz-Passw0rd!";
    return inst->open_session(req, "master", 51);
  }();
  return *s;
}

[[noreturn]] void finding(const char* what, const std::string& sql, const std::string& got) {
  std::fprintf(stderr, "fuzz_quote: %s\n  sql: %s\n  got: %s\n", what, sql.c_str(), got.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  if (auto q = understudy::tsql::quote_name(input)) {
    std::string sql = "SELECT 1 AS " + *q;
    Sink sink;
    session().execute_batch(sql, sink);
    if (!sink.error.empty()) finding("a quoted name was refused", sql, sink.error);
    if (sink.names.size() != 1 || sink.names[0] != input)
      finding("the name read back differs", sql, sink.names.empty() ? "(no column)" : sink.names[0]);
  }
  // Literals: any valid UTF-8 text without NUL (the ODBC layer's domain: text goes out as UTF-16).
  if (understudy::tsql::utf16_length(input) && input.find('\0') == std::string::npos) {
    std::string sql = "SELECT " + understudy::tsql::quote_string(input);
    Sink sink;
    session().execute_batch(sql, sink);
    if (!sink.error.empty()) finding("a quoted literal was refused", sql, sink.error);
    if (!sink.has_value || sink.value != input) finding("the literal read back differs", sql, sink.value);
  }
  return 0;
}
