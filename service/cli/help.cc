// help.cc — help text and Markdown, generated from the command/option tables and the error table.
#include "cli/help.h"

#include <sstream>

#include "base/error.h"

#ifndef UNDERSTUDY_VERSION
#define UNDERSTUDY_VERSION "0.0.0"
#endif

namespace understudy::cli {
namespace {

std::string type_name(const OptionSpec& o) {
  switch (o.type) {
    case OptType::kString: return "string";
    case OptType::kInt: return "integer";
    case OptType::kFlag: return "flag";
    case OptType::kEnum: return "enum";
    case OptType::kDuration: return "duration";
    case OptType::kPath: return "path";
  }
  return "string";
}

std::string allowed_list(const OptionSpec& o) {
  std::string s(o.allowed);
  for (auto& c : s)
    if (c == ',') c = '|';
  return s;
}

std::string synopsis(const OptionSpec& o) {
  if (o.positional) return std::string(o.value_name) + (o.rest ? "..." : "");
  std::string s = "--" + std::string(o.name);
  if (o.type == OptType::kEnum) return s + " " + allowed_list(o);
  if (o.type != OptType::kFlag) s += " " + std::string(o.value_name.empty() ? "VALUE" : o.value_name);
  return s;
}

std::string wrap(std::string_view text, size_t width, const std::string& indent) {
  std::string out, line;
  std::istringstream words{std::string(text)};
  std::string w;
  while (words >> w) {
    if (!line.empty() && indent.size() + line.size() + 1 + w.size() > width) {
      out += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty()) out += indent + line + "\n";
  return out;
}

std::string option_line(const OptionSpec& o) {
  std::string left = "  " + synopsis(o);
  std::string help(o.help);
  if (!o.default_value.empty()) help += " [default: " + std::string(o.default_value) + "]";
  if (!o.env.empty()) help += " [env: " + std::string(o.env) + "]";
  if (o.required) help += " [required]";
  if (left.size() < 30) left.resize(30, ' ');
  else left += "\n" + std::string(30, ' ');
  return left + help + "\n";
}

std::string usage_line(const CommandSpec& c) {
  std::string s = "understudy " + std::string(c.name);
  for (const auto& o : options())
    if (o.positional && applies(o, c.name)) s += o.required ? " " + synopsis(o) : " [" + synopsis(o) + "]";
  return s + " [options]";
}

std::string secret_names() {
  std::string s;
  for (const auto& o : options())
    if (o.secret) s += (s.empty() ? "" : ", ") + ("--" + std::string(o.name));
  return s;
}

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

std::string md_code(std::string_view s) { return s.empty() ? "" : "`" + std::string(s) + "`"; }

std::string md_option_table(std::string_view command) {
  std::ostringstream o;
  o << "| option | type | default | environment | config key | description |\n";
  o << "|---|---|---|---|---|---|\n";
  for (const auto& opt : options()) {
    if (opt.secret) continue;
    bool global = opt.commands == "*";
    if (command.empty() ? !global : (global || !applies(opt, command))) continue;
    std::string type = type_name(opt);
    if (opt.type == OptType::kEnum) type += ": " + md_code(allowed_list(opt));
    std::string help(opt.help);
    if (opt.required) help += " (required)";
    o << "| " << md_escape(md_code(synopsis(opt))) << " | " << md_escape(type) << " | " << md_code(opt.default_value)
      << " | " << md_code(opt.env) << " | " << md_code(opt.config_key) << " | " << md_escape(help) << " |\n";
  }
  return o.str();
}

}  // namespace

const char* version() { return UNDERSTUDY_VERSION; }

std::string overview_text() {
  std::ostringstream o;
  o << "understudy " << version() << " - keeps a SQL Server / Managed Instance DR target ready\n\n";
  o << "usage: understudy COMMAND [options]\n\ncommands:\n";
  for (const auto& c : commands()) {
    std::string name = "  " + std::string(c.name);
    if (name.size() < 22) name.resize(22, ' ');
    o << name << c.summary << "\n";
  }
  o << "\nglobal options:\n";
  for (const auto& opt : options())
    if (opt.commands == "*" && !opt.secret) o << option_line(opt);
  o << "\nsecrets are never options (" << secret_names() << " are refused); see docs/configuration.md\n";
  o << "run 'understudy help COMMAND' for the options of a command, 'understudy help exit-codes' for exit codes\n";
  return o.str();
}

std::string command_text(const CommandSpec& c) {
  std::ostringstream o;
  o << "usage: " << usage_line(c) << "\n\n";
  o << wrap(c.description, 100, "");
  std::string own;
  for (const auto& opt : options())
    if (opt.commands != "*" && !opt.secret && applies(opt, c.name)) own += option_line(opt);
  if (!own.empty()) o << "\noptions:\n" << own;
  o << "\nglobal options:\n";
  for (const auto& opt : options())
    if (opt.commands == "*" && !opt.secret) o << option_line(opt);
  return o.str();
}

std::string exit_codes_text() {
  std::ostringstream o;
  o << "exit codes:\n";
  size_t n = 0;
  const ErrorInfo* rows = error_table(&n);
  for (size_t i = 0; i < n; ++i) {
    std::string code = std::to_string(rows[i].exit_code);
    code.resize(5, ' ');
    std::string slug(rows[i].slug);
    slug.resize(14, ' ');
    o << "  " << code << slug << rows[i].description << "\n";
  }
  return o.str();
}

std::string cli_markdown() {
  std::ostringstream o;
  o << "# Command line\n\n";
  o << "<!-- Generated by `understudy help --markdown` from service/cli/commands.cc and options.cc; do not edit.\n"
       "     tests/service/cli checks that this file is current. -->\n\n";
  o << "`understudy COMMAND [options]`. Every option can be given as a flag; many also come from an environment "
       "variable, and options with a config key override that key of the configuration file "
       "([configuration.md](configuration.md)). Precedence, highest first: **flag > environment > config file > "
       "default**.\n\n";
  o << "Secrets are never options: " << secret_names()
    << " are refused with a hint, because a value on the command line is visible in `ps` and in shell history. "
       "Passwords and secrets come from `password_env`, `password_file` or a `[secrets]` source in the "
       "configuration file.\n\n";
  o << "Errors print `error: MESSAGE` and, when there is advice, `HINT: …` on stderr; the exit code comes from "
       "the error table ([errors.md](errors.md)).\n\n";
  o << "## Commands\n\n| command | summary |\n|---|---|\n";
  for (const auto& c : commands()) o << "| `" << c.name << "` | " << md_escape(c.summary) << " |\n";
  o << "\n## Global options\n\n" << md_option_table("");
  for (const auto& c : commands()) {
    o << "\n## `understudy " << c.name << "`\n\n";
    o << "Usage: `" << usage_line(c) << "`\n\n" << c.description << "\n";
    std::string table = md_option_table(c.name);
    if (table.find('\n', table.find('\n') + 1) + 1 < table.size()) o << "\n" << table;
  }
  o << "\n## Exit codes\n\n| exit code | meaning |\n|---|---|\n";
  size_t n = 0;
  const ErrorInfo* rows = error_table(&n);
  for (size_t i = 0; i < n; ++i) o << "| " << rows[i].exit_code << " | " << md_escape(rows[i].description) << " |\n";
  return o.str();
}

std::string errors_markdown() {
  std::ostringstream o;
  o << "# Errors and exit codes\n\n";
  o << "<!-- Generated by `understudy help exit-codes --markdown` from service/base/error_codes.def; do not edit.\n"
       "     tests/service/cli checks that this file is current. -->\n\n";
  o << "One table drives exit codes, HTTP problem types and this page. Exit codes 0, 1 and 2 are outcomes "
       "(0 ok / no drift / gate passes, 1 drift found / gate fails, 2 gate unknown); errors use "
       "sysexits-style codes. The CLI prints `error: MESSAGE` and an optional `HINT: …` on stderr; errors from "
       "SQL Server add `(SQL Server error N)`. HTTP errors are RFC 9457 problem documents whose `type` ends in "
       "the slug below.\n\n";
  o << "| name | exit code | HTTP status | problem type | meaning |\n|---|---|---|---|---|\n";
  size_t n = 0;
  const ErrorInfo* rows = error_table(&n);
  for (size_t i = 0; i < n; ++i)
    o << "| `" << rows[i].name << "` | " << rows[i].exit_code << " | " << rows[i].http_status << " | `"
      << rows[i].slug << "` | " << md_escape(rows[i].description) << " |\n";
  return o.str();
}

}  // namespace understudy::cli
