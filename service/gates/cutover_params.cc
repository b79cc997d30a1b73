// Request parameters of the cutover checks and the small helpers the four check files share.
#include <algorithm>

#include "gates/check_cutover.h"
#include "gates/cutover.h"

namespace understudy::gates {

Status validate_cutover_params(const std::map<std::string, std::string>& params) {
  auto bad = [](const std::string& name, const std::string& what) {
    return fail(ErrorCode::kUsage, "parameter " + name + ": " + what);
  };
  if (auto it = params.find("state"); it != params.end() && it->second != "synchronizing" && it->second != "synchronized")
    return bad("state", "expected synchronizing or synchronized, found \"" + it->second + "\"");
  if (auto it = params.find("expect"); it != params.end() && it->second != "primary" && it->second != "swapped")
    return bad("expect", "expected primary or swapped, found \"" + it->second + "\"");
  if (auto it = params.find("max_lag_seconds"); it != params.end()) {
    const auto& v = it->second;
    bool digits = !v.empty() && v.size() <= 9 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return bad("max_lag_seconds", "expected a number of seconds, found \"" + v + "\"");
  }
  return {};
}

namespace cutover {

std::string param_or(const EvalInput& in, const std::string& name, const std::string& fallback) {
  auto it = in.params.find(name);
  return it == in.params.end() ? fallback : it->second;
}

std::optional<int64_t> lag_param_or(const EvalInput& in, std::optional<int64_t> fallback) {
  auto it = in.params.find("max_lag_seconds");
  if (it == in.params.end()) return fallback;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return fallback;  // validate_cutover_params refuses it before evaluation
  }
}

CheckOutcome unknown(std::string_view type, std::string reason) {
  return {std::string(type), Verdict::kUnknown, std::move(reason), {}, nullptr};
}

void conclude(CheckOutcome& out, const std::string& what, const std::string& pass_reason) {
  std::sort(out.failures.begin(), out.failures.end(), failure_less);
  if (out.failures.empty()) {
    out.verdict = Verdict::kPass;
    out.reason = pass_reason;
  } else {
    out.verdict = Verdict::kFail;
    out.reason = std::to_string(out.failures.size()) + " " + what;
  }
}

}  // namespace cutover
}  // namespace understudy::gates
