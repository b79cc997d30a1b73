// result.h — Result<T>: a value or an Error (tl::expected; g++ 12 has no std::expected).
//
// [[nodiscard]] everywhere: an ignored Result is a compile error (-Werror=unused-result).
// Exceptions from std, nlohmann, SQLite wrappers etc. are caught inside the module that calls
// them and turned into an Error; they never cross a module border.
#pragma once

#include <tl/expected.hpp>

#include "base/error.h"

namespace understudy {

template <typename T>
using Result = tl::expected<T, Error>;

using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message, std::string hint = {}) {
  return tl::unexpected<Error>(Error(code, std::move(message), std::move(hint)));
}
inline tl::unexpected<Error> fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

}  // namespace understudy

// Propagates the error of a Result expression, like Rust's `?`.
#define US_TRY(expr)                                              \
  do {                                                            \
    auto&& us_try_result_ = (expr);                               \
    if (!us_try_result_) return ::tl::unexpected(us_try_result_.error()); \
  } while (0)
