// invocation.h — what a command handler receives: the parsed values, the config, the streams.
//
// Values follow the precedence flag > environment > default (spec.h). config() loads the TOML
// file named by --config with the environment and flag values of options that carry a
// `config_key` layered on top, configures logging from the result, and caches it.
// fail() prints an Error the one way the CLI prints errors — "error: <message>" and, when there
// is one, "HINT: <hint>" on stderr — and returns the error's exit code.
// Thread-safety: one Invocation per run, used by the thread that runs the command.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/spec.h"
#include "config/config.h"
#include "log/log.h"

namespace understudy::cli {

// The environment as the CLI sees it (a seam so tests need not setenv).
using Getenv = std::function<std::optional<std::string>(const std::string& name)>;
Getenv process_environment();

struct Value {
  std::string text;
  std::string origin;  // "--pair", "environment variable UNDERSTUDY_PAIR", "default"
  bool from_flag = false;
  bool from_env = false;
};

class Invocation {
 public:
  Invocation(const CommandSpec& command, std::map<std::string, Value> values, std::ostream& out, std::ostream& err);

  const CommandSpec& command() const { return command_; }
  // The option's value, or nullopt when neither flag, environment nor default gave one.
  std::optional<std::string> get(std::string_view option) const;
  // The value or "".
  std::string value(std::string_view option) const;
  // kFlag options: given (or true from the environment).
  bool flag(std::string_view option) const;
  // Where the value came from, for messages ("--pair", "environment variable …", "default").
  std::string origin(std::string_view option) const;

  // The configuration (loaded once; errors are kConfig, exit 78).
  [[nodiscard]] Result<const config::Config*> config() const;

  std::ostream& out() const { return out_; }
  std::ostream& err() const { return err_; }
  const log::Logger& logger() const { return logger_; }

  // Prints "error: …\nHINT: …" to err() and returns e.exit_code().
  int fail(const Error& e) const;

 private:
  const CommandSpec& command_;
  std::map<std::string, Value> values_;
  std::ostream& out_;
  std::ostream& err_;
  log::Logger logger_;
  mutable std::optional<config::Config> config_;
};

// Prints an error the CLI way to `err`; returns its exit code.
int print_error(std::ostream& err, const Error& e);

// A report of a command that prints table or json: `--format json` → its to_json(), else to_text().
template <typename Report>
void print_report(const Invocation& inv, const Report& report) {
  if (inv.value("format") == "json") {
    inv.out() << report.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    inv.out() << report.to_text();
  }
}

}  // namespace understudy::cli
