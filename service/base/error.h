// error.h — the error value that crosses module borders, and the one error table.
//
// Every fallible function at a module border returns Result<T> (result.h) whose error is an
// Error: a stable code from error_codes.def (which fixes the exit code and HTTP status), a
// lower-case message without a final period, an optional hint, and for database errors the
// SQLSTATE and the native SQL Server error number.
// Thread-safety: plain values; safe to copy between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace understudy {

enum class ErrorCode : int {
#define UNDERSTUDY_ERROR(name, exit_code, http, slug, desc) name,
#include "base/error_codes.def"
#undef UNDERSTUDY_ERROR
};

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;  // e.g. "kConfig"
  int exit_code;
  int http_status;
  std::string_view slug;  // problem type slug, e.g. "configuration"
  std::string_view description;
};

// Returns the table row of `code`. Never fails: every enumerator has a row.
const ErrorInfo& error_info(ErrorCode code);
// All rows, in table order (for docs and tests).
const ErrorInfo* error_table(std::size_t* count);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;   // lower case, no final period; names what and where
  std::string hint;      // optional: what to do about it
  std::string sqlstate;  // ODBC SQLSTATE when the error came from a driver, else empty
  int32_t native = 0;    // SQL Server error number (e.g. 18456), 0 when none

  Error() = default;
  Error(ErrorCode c, std::string msg, std::string h = {}) : code(c), message(std::move(msg)), hint(std::move(h)) {}

  int exit_code() const { return error_info(code).exit_code; }
  int http_status() const { return error_info(code).http_status; }
  // "message" or "message\nHINT: hint" — what the CLI prints after "error: ".
  std::string to_string() const;
};

}  // namespace understudy
