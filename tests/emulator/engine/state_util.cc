// state_util.cc — see state_util.h.
#include "engine/state_util.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <openssl/rand.h>

namespace emu::st {

namespace {

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s_, nullptr) != SQLITE_OK) {
      throw StateError(std::string("sqlite prepare: ") + sqlite3_errmsg(db) + " in: " + sql);
    }
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void bind(const std::vector<Value>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (is_null(v)) {
        rc = sqlite3_bind_null(s_, idx);
      } else if (auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(s_, idx, *n);
      } else if (auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(s_, idx, *d);
      } else if (auto* t = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(s_, idx, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
      } else {
        const auto& b = std::get<Blob>(v).bytes;
        rc = sqlite3_bind_blob(s_, idx, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) throw StateError(std::string("sqlite bind: ") + sqlite3_errmsg(db_));
    }
  }

  // True while rows come.
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StateError(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }

  Row row() const {
    Row r;
    const int n = sqlite3_column_count(s_);
    r.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      switch (sqlite3_column_type(s_, i)) {
        case SQLITE_NULL: r.emplace_back(Null{}); break;
        case SQLITE_INTEGER: r.emplace_back(static_cast<int64_t>(sqlite3_column_int64(s_, i))); break;
        case SQLITE_FLOAT: r.emplace_back(sqlite3_column_double(s_, i)); break;
        case SQLITE_TEXT: {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
          r.emplace_back(std::string(p, static_cast<size_t>(sqlite3_column_bytes(s_, i))));
          break;
        }
        default: {
          const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, i));
          const int len = sqlite3_column_bytes(s_, i);
          r.emplace_back(Blob{p ? std::string(p, static_cast<size_t>(len)) : std::string()});
        }
      }
    }
    return r;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

}  // namespace

std::vector<Row> query(sqlite3* db, const std::string& sql, const std::vector<Value>& params) {
  Stmt s(db, sql);
  s.bind(params);
  std::vector<Row> rows;
  while (s.step()) rows.push_back(s.row());
  return rows;
}

int exec(sqlite3* db, const std::string& sql, const std::vector<Value>& params) {
  Stmt s(db, sql);
  s.bind(params);
  while (s.step()) {
  }
  return sqlite3_changes(db);
}

std::optional<Value> scalar(sqlite3* db, const std::string& sql, const std::vector<Value>& params) {
  Stmt s(db, sql);
  s.bind(params);
  if (!s.step()) return std::nullopt;
  Row r = s.row();
  if (r.empty()) return std::nullopt;
  return r[0];
}

void exec_script(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    throw StateError("sqlite script: " + msg);
  }
}

Savepoint::Savepoint(sqlite3* db) : db_(db) { exec_script(db_, "SAVEPOINT emu_state"); }
Savepoint::~Savepoint() {
  if (!done_) {
    sqlite3_exec(db_, "ROLLBACK TO emu_state; RELEASE emu_state;", nullptr, nullptr, nullptr);
  }
}
void Savepoint::commit() {
  exec_script(db_, "RELEASE emu_state");
  done_ = true;
}

std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

int64_t today_int() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 10000LL + (tm.tm_mon + 1) * 100LL + tm.tm_mday;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw StateError("RAND_bytes failed");
  }
  return out;
}

std::string new_guid() {
  std::string b = random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  const std::string h = hex0x(b).substr(2);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::optional<std::string> normalize_guid(const std::string& in) {
  std::string s = in;
  if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  if (s.size() != 36) return std::nullopt;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = (i == 8 || i == 13 || i == 18 || i == 23);
    if (dash) {
      if (s[i] != '-') return std::nullopt;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return std::nullopt;
    } else {
      s[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[i])));
    }
  }
  return s;
}

std::string hex0x(const std::string& bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "0x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xF]);
  }
  return out;
}

bool unhex(const std::string& text, std::string* out) {
  std::string s = text;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s = s.substr(2);
  if (s.size() % 2 != 0) return false;
  std::string r;
  r.reserve(s.size() / 2);
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); i += 2) {
    const int hi = val(s[i]), lo = val(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    r.push_back(static_cast<char>(hi * 16 + lo));
  }
  *out = std::move(r);
  return true;
}

std::optional<std::string> as_text(const Value& v) {
  if (auto* t = std::get_if<std::string>(&v)) return *t;
  if (auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (auto* b = std::get_if<Blob>(&v)) return b->bytes;
  return std::nullopt;
}

std::optional<int64_t> as_int(const Value& v) {
  if (auto* n = std::get_if<int64_t>(&v)) return *n;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto* t = std::get_if<std::string>(&v)) {
    try {
      size_t used = 0;
      const long long n = std::stoll(*t, &used);
      while (used < t->size() && std::isspace(static_cast<unsigned char>((*t)[used]))) ++used;
      if (used == t->size()) return n;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

Value opt_text(const std::optional<std::string>& s) { return s ? Value{*s} : Value{Null{}}; }

size_t utf16_length(const std::string& utf8) {
  size_t n = 0;
  for (size_t i = 0; i < utf8.size();) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    n += (len == 4) ? 2 : 1;
    i += len;
  }
  return n;
}

void check_identifier_length(const std::string& name) {
  if (utf16_length(name) <= 128) return;
  // The message quotes the first 128 characters.
  std::string prefix;
  size_t units = 0;
  for (size_t i = 0; i < name.size() && units < 128;) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    prefix += name.substr(i, len);
    units += (len == 4) ? 2 : 1;
    i += len;
  }
  throw SqlError{103, "The identifier that starts with '" + prefix + "' is too long. Maximum length is 128.", 15, 4};
}

}  // namespace emu::st
