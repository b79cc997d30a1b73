// commands.cc — the command table (see spec.h for how to add one). Order = order in help and docs.
#include "cli/handlers.h"
#include "cli/spec.h"

namespace understudy::cli {
namespace {

constexpr CommandSpec kCommands[] = {
    {.name = "config check",
     .summary = "check the configuration and print a redacted summary",
     .description = "Loads the configuration file with the environment and flag layers on top, validates every key "
                    "(unknown keys, connection strings with PWD=, open password files, pairs naming undefined "
                    "instances) and prints a summary in which every secret is redacted. With --resolve-secrets it "
                    "also reads every password and secret source and reports the ones that fail; values are "
                    "never printed. Exit 0 when the configuration is valid, 78 when it is not.",
     .run = run_config_check},
    {.name = "help",
     .summary = "show the commands, the options of one command, or the exit codes",
     .description = "`understudy help` lists the commands; `understudy help COMMAND` shows its options (the same as "
                    "`understudy COMMAND --help`); `understudy help exit-codes` lists the exit codes. With "
                    "--markdown the output is the Markdown of docs/cli.md (or docs/errors.md for exit-codes).",
     .run = run_help},
    {.name = "version",
     .summary = "print the version",
     .description = "Prints `understudy VERSION`.",
     .run = run_version},
};

}  // namespace

std::span<const CommandSpec> commands() { return kCommands; }

const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace understudy::cli
