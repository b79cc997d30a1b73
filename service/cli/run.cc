// run.cc — argv -> CLI11 (built from the tables) -> values with precedence -> handler.
#include "cli/run.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <deque>
#include <ostream>

#include "cli/help.h"

namespace understudy::cli {
namespace {

int usage(std::ostream& err, std::string message, std::string hint) {
  return print_error(err, Error(ErrorCode::kUsage, std::move(message), std::move(hint)));
}

std::string help_hint(std::string_view command) {
  return command.empty() ? "run 'understudy help' for the commands"
                         : "run 'understudy help " + std::string(command) + "' for its options";
}

std::string lower_first(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && (s.size() < 2 || !(s[1] >= 'A' && s[1] <= 'Z'))) s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::string flag_name(const OptionSpec& o) {
  return o.positional ? std::string(o.value_name) : "--" + std::string(o.name);
}

// Checks a value against its option's type; the message names where it came from.
Status check_value(const OptionSpec& o, std::string& text, const std::string& origin) {
  auto bad = [&](const std::string& what) {
    return understudy::fail(ErrorCode::kUsage, origin + " must be " + what + " (got '" + text + "')");
  };
  switch (o.type) {
    case OptType::kEnum: {
      std::string allowed(o.allowed), list;
      bool found = false;
      size_t start = 0;
      while (start <= allowed.size()) {
        size_t comma = allowed.find(',', start);
        std::string item = allowed.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        found = found || item == text;
        list += (list.empty() ? "" : ", ") + item;
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      if (!found) return bad("one of " + list);
      return {};
    }
    case OptType::kInt:
      if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18)
        return bad("a non-negative integer");
      return {};
    case OptType::kDuration:
      if (!config::parse_duration(text)) return bad("a duration such as 90s, 15m or 1h30m");
      return {};
    case OptType::kFlag:
      if (text == "1" || text == "true" || text == "yes") text = "true";
      else if (text == "0" || text == "false" || text == "no" || text.empty()) text = "false";
      else return bad("true or false");
      return {};
    case OptType::kString:
    case OptType::kPath:
      return {};
  }
  return {};
}

// What CLI11 filled in for one option of one command.
struct Slot {
  const OptionSpec* spec;
  CLI::Option* option;
  std::string* single;
  std::vector<std::string>* many;
};

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const Getenv& getenv) {
  // Secrets are refused before anything else looks at them, whatever their position.
  for (const auto& a : args) {
    if (a.rfind("--", 0) != 0) continue;
    std::string name = a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
    const OptionSpec* o = find_option(name);
    if (o != nullptr && o->secret)
      return usage(err, "--" + name + " is not accepted: a secret on the command line is visible in ps and shell history",
                   std::string(o->help));
  }

  CLI::App app("understudy", "understudy");
  app.set_help_flag();
  // One command per invocation: once a command word is parsed, later words that happen to be
  // command names ("help config check") are arguments, not more commands.
  app.require_subcommand(0, 1);
  std::map<std::string, CLI::App*> apps;  // "config", "config check", …
  std::map<CLI::App*, const CommandSpec*> leaves;
  std::deque<std::string> singles;
  std::deque<std::vector<std::string>> multis;
  std::map<const CLI::App*, std::vector<Slot>> slots;

  auto add = [&](CLI::App* target, const OptionSpec& o) {
    Slot s{&o, nullptr, nullptr, nullptr};
    if (o.type == OptType::kFlag && !o.positional) {
      s.option = target->add_flag("--" + std::string(o.name));
    } else if (o.rest) {
      s.many = &multis.emplace_back();
      s.option = target->add_option(std::string(o.name), *s.many);
    } else {
      s.single = &singles.emplace_back();
      s.option = target->add_option(o.positional ? std::string(o.name) : "--" + std::string(o.name), *s.single);
    }
    slots[target].push_back(s);
  };

  for (const auto& o : options())
    if (o.commands == "*" && !o.secret) add(&app, o);
  for (const auto& c : commands()) {
    CLI::App* parent = &app;
    std::string path;
    std::string_view rest = c.name;
    while (!rest.empty()) {
      size_t sp = rest.find(' ');
      std::string word(rest.substr(0, sp));
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      path += (path.empty() ? "" : " ") + word;
      auto it = apps.find(path);
      if (it == apps.end()) {
        CLI::App* child = parent->add_subcommand(word, rest.empty() ? std::string(c.summary) : std::string());
        child->set_help_flag();
        child->fallthrough();
        if (!rest.empty()) child->require_subcommand(0, 1);
        it = apps.emplace(path, child).first;
      }
      parent = it->second;
    }
    leaves[parent] = &c;
    for (const auto& o : options())
      if (o.commands != "*" && !o.secret && applies(o, c.name)) add(parent, o);
  }

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    auto extra = app.remaining();
    if (app.get_subcommands().empty() && !extra.empty() && extra.front().rfind("-", 0) != 0)
      return usage(err, "unknown command '" + extra.front() + "'", help_hint(""));
    return usage(err, lower_first(e.what()), help_hint(""));
  }

  // The chosen command: follow the parsed subcommands down.
  CLI::App* cur = &app;
  std::string path;
  while (true) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) break;
    cur = subs.front();
    path += (path.empty() ? "" : " ") + cur->get_name();
  }
  auto global = [&](std::string_view name) {
    for (const auto& s : slots[&app])
      if (s.spec->name == name) return s.option->count() > 0;
    return false;
  };
  auto leaf = leaves.find(cur);
  if (leaf == leaves.end()) {
    if (global("help")) {
      out << overview_text();
      return 0;
    }
    if (path.empty()) {
      err << overview_text();
      return usage(err, "no command given", help_hint(""));
    }
    std::string subs;
    for (const auto& c : commands())
      if (std::string_view(c.name).rfind(path + " ", 0) == 0)
        subs += (subs.empty() ? "" : ", ") + std::string(c.name.substr(path.size() + 1));
    return usage(err, "'" + path + "' needs a subcommand: " + subs, help_hint(""));
  }
  const CommandSpec& cmd = *leaf->second;
  if (global("help")) {
    out << command_text(cmd);
    return 0;
  }

  // Values: flag > environment > default.
  std::map<std::string, Value> values;
  for (const CLI::App* a : {static_cast<const CLI::App*>(&app), static_cast<const CLI::App*>(cur)}) {
    for (const auto& s : slots[a]) {
      const OptionSpec& o = *s.spec;
      Value v;
      if (s.option->count() > 0) {
        if (o.type == OptType::kFlag && !o.positional) v.text = "true";
        else if (s.many != nullptr) {
          for (const auto& w : *s.many) v.text += (v.text.empty() ? "" : " ") + w;
        } else v.text = *s.single;
        v.origin = flag_name(o);
        v.from_flag = true;
      } else if (auto e = o.env.empty() ? std::nullopt : getenv(std::string(o.env)); e && !e->empty()) {
        v.text = *e;
        v.origin = "environment variable " + std::string(o.env);
        v.from_env = true;
      } else if (!o.default_value.empty()) {
        v.text = std::string(o.default_value);
        v.origin = "default";
      } else {
        if (o.required)
          return usage(err, std::string(cmd.name) + " needs " + flag_name(o) +
                                (o.positional || o.value_name.empty() ? "" : " " + std::string(o.value_name)),
                       help_hint(cmd.name));
        continue;
      }
      if (auto st = check_value(o, v.text, v.origin); !st) return print_error(err, st.error());
      values[std::string(o.name)] = std::move(v);
    }
  }

  Invocation inv(cmd, std::move(values), out, err);
  try {
    return cmd.run(inv);
  } catch (const std::exception& e) {
    return print_error(err, Error(ErrorCode::kInternal, std::string("internal error in ") + std::string(cmd.name) +
                                                            ": " + e.what()));
  }
}

}  // namespace understudy::cli
