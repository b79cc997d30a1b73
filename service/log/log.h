// log.h — structured logs to stderr: JSON lines or plain text, UTC RFC 3339 timestamps.
//
//   auto lg = log::Logger().with("run_id", run_id);
//   lg.info("snapshot stored", {{"instance", "primary"}, {"objects", 1234}});
// plain: 2026-11-27T07:00:43.123Z info  snapshot stored run_id=7f3a instance=primary objects=1234
// json:  {"ts":"2026-11-27T07:00:43.123Z","level":"info","msg":"snapshot stored","run_id":"7f3a",…}
//
// A Secret cannot be logged: Field has no constructor for it (deleted, so the attempt is a
// compile error rather than a silent "[redacted]" that hides a bug). Values with spaces, quotes or
// '=' are quoted in plain format; invalid UTF-8 becomes U+FFFD in JSON.
// Thread-safety: every function is thread-safe; one line is written atomically (one mutex, one
// write). configure() is meant for startup but is safe at any time.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/secret.h"

namespace understudy::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kPlain, kJson };

struct Field {
  std::string key;
  std::variant<std::string, int64_t, double, bool> value;

  Field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  Field(std::string_view k, I v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, const Secret&) = delete;  // secrets are never logged
};

// Where lines go; default: stderr. Tests install a sink that collects lines.
using Sink = std::function<void(const std::string& line)>;

// Process-wide settings. Lines below `min_level` are dropped.
void configure(Format format, Level min_level);
void set_sink(Sink sink);  // nullptr restores stderr
// "debug" | "info" | "warn" | "error" -> Level; false when unknown.
bool parse_level(std::string_view text, Level* out);

class Logger {
 public:
  Logger() = default;
  // A logger whose every line also carries `field` (e.g. run_id).
  Logger with(Field field) const;

  void debug(std::string_view msg, std::initializer_list<Field> fields = {}) const { write(Level::kDebug, msg, fields); }
  void info(std::string_view msg, std::initializer_list<Field> fields = {}) const { write(Level::kInfo, msg, fields); }
  void warn(std::string_view msg, std::initializer_list<Field> fields = {}) const { write(Level::kWarn, msg, fields); }
  void error(std::string_view msg, std::initializer_list<Field> fields = {}) const { write(Level::kError, msg, fields); }
  void write(Level level, std::string_view msg, std::initializer_list<Field> fields) const;

 private:
  std::vector<Field> base_;
};

// Formats one line without writing it (used by write(); exposed for tests). `ts` is RFC 3339.
std::string format_line(Format format, Level level, std::string_view ts, std::string_view msg,
                        const std::vector<Field>& fields);
}  // namespace understudy::log
