#include "log/log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/time.h"

namespace understudy::log {
namespace {

struct State {
  std::mutex mu;
  Format format = Format::kPlain;
  Level min_level = Level::kInfo;
  Sink sink;
};

State& state() {
  static State s;
  return s;
}

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string plain_value(const std::string& v) {
  bool quote = v.empty() || v.find_first_of(" \t\n\r\"=\\") != std::string::npos;
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    if (c == '\r') { out += "\\r"; continue; }
    out += c;
  }
  return out + "\"";
}

std::string number(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

}  // namespace

void configure(Format format, Level min_level) {
  std::lock_guard<std::mutex> lock(state().mu);
  state().format = format;
  state().min_level = min_level;
}

void set_sink(Sink sink) {
  std::lock_guard<std::mutex> lock(state().mu);
  state().sink = std::move(sink);
}

bool parse_level(std::string_view t, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError})
    if (level_name(l) == t) {
      *out = l;
      return true;
    }
  return false;
}

std::string format_line(Format format, Level level, std::string_view ts, std::string_view msg,
                        const std::vector<Field>& fields) {
  if (format == Format::kJson) {
    nlohmann::ordered_json j;
    j["ts"] = ts;
    j["level"] = level_name(level);
    j["msg"] = msg;
    for (const auto& f : fields)
      std::visit([&](const auto& v) { j[f.key] = v; }, f.value);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out(ts);
  out += ' ';
  std::string lvl(level_name(level));
  lvl.resize(5, ' ');
  out += lvl + ' ';
  out += msg;
  for (const auto& f : fields) {
    out += ' ' + f.key + '=';
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) out += plain_value(v);
          else if constexpr (std::is_same_v<T, bool>) out += v ? "true" : "false";
          else if constexpr (std::is_same_v<T, double>) out += number(v);
          else out += std::to_string(v);
        },
        f.value);
  }
  return out;
}

Logger Logger::with(Field field) const {
  Logger l = *this;
  l.base_.push_back(std::move(field));
  return l;
}

void Logger::write(Level level, std::string_view msg, std::initializer_list<Field> fields) const {
  State& s = state();
  Format format;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (level < s.min_level) return;
    format = s.format;
  }
  std::vector<Field> all = base_;
  all.insert(all.end(), fields.begin(), fields.end());
  std::string line = format_line(format, level, utc_now(), msg, all);
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.sink) {
    s.sink(line);
    return;
  }
  line += '\n';
  // One write(2) per line so concurrent processes sharing stderr do not interleave mid-line.
  ssize_t rc = ::write(STDERR_FILENO, line.data(), line.size());
  (void)rc;
}

}  // namespace understudy::log
