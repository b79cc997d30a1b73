#include "odbc/diag.h"

#include <sqlext.h>

#include "odbc/utf16.h"

namespace understudy::odbc {

std::vector<DiagRecord> read_diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle) {
  std::vector<DiagRecord> out;
  if (handle == SQL_NULL_HANDLE) return out;
  for (SQLSMALLINT i = 1; i < 64; ++i) {
    SQLWCHAR state[6] = {};
    SQLINTEGER native = 0;
    std::vector<SQLWCHAR> text(2048);
    SQLSMALLINT len = 0;
    SQLRETURN rc = SQLGetDiagRecW(handle_type, handle, i, state, &native, text.data(),
                                  static_cast<SQLSMALLINT>(text.size()), &len);
    if (rc == SQL_SUCCESS_WITH_INFO && len >= static_cast<SQLSMALLINT>(text.size())) {
      text.resize(static_cast<size_t>(len) + 1);
      rc = SQLGetDiagRecW(handle_type, handle, i, state, &native, text.data(),
                          static_cast<SQLSMALLINT>(text.size()), &len);
    }
    if (rc != SQL_SUCCESS && rc != SQL_SUCCESS_WITH_INFO) break;
    size_t n = std::min<size_t>(static_cast<size_t>(std::max<SQLSMALLINT>(len, 0)), text.size() - 1);
    DiagRecord r;
    r.sqlstate = utf16_to_utf8(state, 5);
    r.native = native;
    std::string raw = utf16_to_utf8(text.data(), n);
    r.driver_manager = raw.find("[Driver Manager]") != std::string::npos;
    r.client_link_error = link_lost_client_error(native, raw);
    r.message = strip_driver_prefix(raw);
    out.push_back(std::move(r));
  }
  return out;
}

std::string strip_driver_prefix(std::string_view m) {
  while (!m.empty() && m.front() == '[') {
    auto close = m.find(']');
    if (close == std::string_view::npos) break;
    m.remove_prefix(close + 1);
  }
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == ' ')) m.remove_suffix(1);
  return std::string(m);
}

bool link_lost_client_error(int32_t native, std::string_view raw_message) {
  static constexpr int32_t kLinkLost[] = {20002, 20003, 20004, 20006, 20009, 20017, 20056};
  if (raw_message.find("[FreeTDS]") == std::string_view::npos) return false;
  for (int32_t n : kLinkLost) {
    if (n == native) return true;
  }
  return false;
}

ErrorCode classify(const DiagRecord& r, Phase phase) {
  const std::string& s = r.sqlstate;
  if (r.client_link_error) return r.native == 20003 && phase != Phase::kConnect ? ErrorCode::kTempFail : ErrorCode::kUnavailable;
  if (r.native == 18456 || s == "28000") return ErrorCode::kUnavailable;
  if (s.rfind("08", 0) == 0) return ErrorCode::kUnavailable;
  // The driver manager could not load the driver or find the DSN: the connection string is wrong.
  if (s.rfind("IM", 0) == 0 || (r.driver_manager && phase == Phase::kConnect)) return ErrorCode::kConfig;
  if (s == "HYT00" || s == "HYT01") return phase == Phase::kConnect ? ErrorCode::kUnavailable : ErrorCode::kTempFail;
  if (phase == Phase::kConnect) return ErrorCode::kUnavailable;
  return ErrorCode::kSql;
}

namespace {
std::string hint_for(ErrorCode code, const DiagRecord& r) {
  if (code == ErrorCode::kUnavailable) {
    if (r.native == 18456 || r.sqlstate == "28000")
      return "check UID in the connection string and the instance's password_env or password_file";
    return "check SERVER and PORT in the connection string and that the instance is running and reachable";
  }
  if (code == ErrorCode::kConfig) return "check DRIVER= in the connection string against /etc/odbcinst.ini";
  if (code == ErrorCode::kTempFail) return "the query timed out; raise the query timeout or try again";
  return {};
}
}  // namespace

Error make_error(SQLSMALLINT handle_type, SQLHANDLE handle, std::string_view label, Phase phase,
                 std::string_view what) {
  auto records = read_diagnostics(handle_type, handle);
  std::string prefix = label.empty() ? std::string() : std::string(label) + ": ";
  if (records.empty()) {
    ErrorCode code = phase == Phase::kConnect ? ErrorCode::kUnavailable : ErrorCode::kInternal;
    return Error(code, prefix + std::string(what) + " failed without a diagnostic record");
  }
  std::string text;
  for (const auto& r : records) {
    if (r.message.empty()) continue;
    if (text.find(r.message) != std::string::npos) continue;  // drivers repeat themselves
    if (!text.empty()) text += "; ";
    text += r.message;
  }
  ErrorCode code = classify(records.front(), phase);
  Error e(code, prefix + text, hint_for(code, records.front()));
  e.sqlstate = records.front().sqlstate;
  // The native number is SQL Server's error number — except on link failures and timeouts, where
  // drivers put their own numbers there (FreeTDS: 20009 "unable to connect"), which would read as a
  // server error in "(SQL Server error N)".
  bool link = e.sqlstate.rfind("08", 0) == 0 || e.sqlstate == "HYT00" || e.sqlstate == "HYT01" ||
              records.front().client_link_error;
  for (const auto& r : records) {
    if (link || r.driver_manager || r.client_link_error) break;
    if (r.native != 0) {
      e.native = r.native;
      break;
    }
  }
  if (e.native == 18456) e.code = ErrorCode::kUnavailable;
  return e;
}

std::vector<std::string> read_messages(SQLSMALLINT handle_type, SQLHANDLE handle) {
  std::vector<std::string> out;
  for (auto& r : read_diagnostics(handle_type, handle)) out.push_back(std::move(r.message));
  return out;
}

}  // namespace understudy::odbc
