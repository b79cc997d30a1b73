#include "cli/invocation.h"

#include <cstdlib>
#include <ostream>

namespace understudy::cli {

Getenv process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

int print_error(std::ostream& err, const Error& e) {
  err << "error: " << e.to_string() << "\n";  // to_string adds the native number and "HINT: …"
  err.flush();
  return e.exit_code();
}

Invocation::Invocation(const CommandSpec& command, std::map<std::string, Value> values, std::ostream& out,
                       std::ostream& err)
    : command_(command), values_(std::move(values)), out_(out), err_(err) {}

std::optional<std::string> Invocation::get(std::string_view option) const {
  auto it = values_.find(std::string(option));
  if (it == values_.end()) return std::nullopt;
  return it->second.text;
}

std::string Invocation::value(std::string_view option) const { return get(option).value_or(""); }

bool Invocation::flag(std::string_view option) const {
  auto v = get(option);
  return v && *v == "true";
}

std::string Invocation::origin(std::string_view option) const {
  auto it = values_.find(std::string(option));
  return it == values_.end() ? "" : it->second.origin;
}

Result<const config::Config*> Invocation::config() const {
  if (config_) return &*config_;
  config::LoadOptions lo;
  lo.path = value("config");
  auto cfg_it = values_.find("config");
  lo.path_required = cfg_it != values_.end() && (cfg_it->second.from_flag || cfg_it->second.from_env);
  config::Layer env_layer, flag_layer;
  for (const auto& o : options()) {
    if (o.config_key.empty()) continue;
    auto it = values_.find(std::string(o.name));
    if (it == values_.end()) continue;
    config::Layer::Value v{std::string(o.config_key), it->second.text, it->second.origin};
    if (it->second.from_flag) flag_layer.values.push_back(std::move(v));
    else if (it->second.from_env) env_layer.values.push_back(std::move(v));
  }
  lo.layers = {env_layer, flag_layer};
  auto loaded = config::load(lo);
  if (!loaded) return tl::unexpected(loaded.error());
  config_ = std::move(*loaded);
  log::Level level = log::Level::kInfo;
  log::parse_level(config_->log.level, &level);
  log::configure(config_->log.format == config::LogFormat::kJson ? log::Format::kJson : log::Format::kPlain, level);
  return &*config_;
}

int Invocation::fail(const Error& e) const { return print_error(err_, e); }

}  // namespace understudy::cli
