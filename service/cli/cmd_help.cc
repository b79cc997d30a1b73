// cmd_help.cc — `understudy help [COMMAND|exit-codes] [--markdown]`.
#include <ostream>

#include "cli/handlers.h"
#include "cli/help.h"
#include "cli/invocation.h"

namespace understudy::cli {

int run_help(const Invocation& inv) {
  std::string topic = inv.value("topic");
  bool md = inv.flag("markdown");
  if (topic.empty()) {
    inv.out() << (md ? cli_markdown() : overview_text());
    return 0;
  }
  if (topic == "exit-codes") {
    inv.out() << (md ? errors_markdown() : exit_codes_text());
    return 0;
  }
  const CommandSpec* c = find_command(topic);
  if (c == nullptr)
    return inv.fail(Error(ErrorCode::kUsage, "unknown command '" + topic + "'", "run 'understudy help' for the commands"));
  if (md)
    return inv.fail(Error(ErrorCode::kUsage, "--markdown applies to the whole reference, not one command",
                          "run 'understudy help --markdown'"));
  inv.out() << command_text(*c);
  return 0;
}

}  // namespace understudy::cli
