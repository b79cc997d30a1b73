// spec.h — commands and options as data (the pgBackRest way).
//
// Two tables, commands.cc (kCommands) and options.cc (kOptions), are the single source from which
// the parser (CLI11), `--help`, `understudy help --markdown` (docs/cli.md) and the checks on
// secrets and allowed values are derived. Adding a command takes:
//   1. one row in kCommands naming its handler,
//   2. the handler's declaration in handlers.h and its body in cmd_<name>.cc
//      (`int run_snapshot(const Invocation&)`; returns an exit code from the error table),
//   3. rows in kOptions for any option it needs (its name in `commands`),
//   4. regenerating docs/cli.md (`build/bin/understudy help --markdown > docs/cli.md`; a test checks).
// Precedence of a value: flag > environment variable (`env`) > default. Options with a
// `config_key` are handed to service/config as layers, where they override the TOML file.
// Thread-safety: immutable tables.
#pragma once

#include <span>
#include <string_view>

namespace understudy::cli {

class Invocation;
using Handler = int (*)(const Invocation&);

enum class OptType {
  kString,    // free text
  kInt,       // decimal integer
  kFlag,      // present or not ("true"/"false" from the environment)
  kEnum,      // one of `allowed` (comma-separated)
  kDuration,  // "90s", "15m", "1h30m"
  kPath,      // a file or directory
};

struct OptionSpec {
  std::string_view name;           // long name without dashes ("pair"); positional when `positional`
  std::string_view commands;       // "*" for every command, else comma-separated command names
  OptType type = OptType::kString;
  std::string_view value_name;     // in help: "NAME", "FILE"
  std::string_view default_value;  // "" = none (the config file or the command decides)
  std::string_view allowed;        // kEnum: "table,json,csv"
  std::string_view env;            // "UNDERSTUDY_PAIR"; "" = not from the environment
  std::string_view config_key;     // config key this option overrides ("service.listen"); "" = none
  bool secret = false;             // never accepted as a flag: refused with `help` as the hint
  bool positional = false;
  bool rest = false;               // positional: takes every remaining word, joined by spaces
  bool required = false;
  std::string_view help;           // lower case, no final period
};

struct CommandSpec {
  std::string_view name;         // "config check" — words are nested subcommands
  std::string_view summary;      // one line, lower case
  std::string_view description;  // a paragraph for `help COMMAND` and docs/cli.md
  Handler run = nullptr;
};

std::span<const CommandSpec> commands();
std::span<const OptionSpec> options();

// True when `o` may be given to `command` ("*" rows apply everywhere).
bool applies(const OptionSpec& o, std::string_view command);
const CommandSpec* find_command(std::string_view name);
const OptionSpec* find_option(std::string_view name);

}  // namespace understudy::cli
