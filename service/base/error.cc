#include "base/error.h"

#include <array>

namespace understudy {
namespace {
constexpr ErrorInfo kTable[] = {
#define UNDERSTUDY_ERROR(name, exit_code, http, slug, desc) {ErrorCode::name, #name, exit_code, http, slug, desc},
#include "base/error_codes.def"
#undef UNDERSTUDY_ERROR
};
}  // namespace

const ErrorInfo& error_info(ErrorCode code) { return kTable[static_cast<int>(code)]; }

const ErrorInfo* error_table(std::size_t* count) {
  *count = std::size(kTable);
  return kTable;
}

std::string Error::to_string() const {
  std::string out = message;
  if (native != 0) out += " (SQL Server error " + std::to_string(native) + ")";
  if (!hint.empty()) out += "\nHINT: " + hint;
  return out;
}

}  // namespace understudy
