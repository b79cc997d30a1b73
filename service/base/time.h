// time.h — the one UTC time format of Understudy: RFC 3339 with milliseconds and a `Z`
// (`2026-12-07T19:21:16.804Z`). Snapshots, journals, runs, audit entries, gate answers, reports
// and logs all print times this way, so two times compare as text in the order they happened.
//
// Thread-safety: pure functions (gmtime_r/timegm).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace understudy {

// `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
std::string format_utc(std::chrono::system_clock::time_point t);
// A whole second since the epoch in the same form (`.000Z`).
std::string format_utc(int64_t unix_seconds);
// The current time in that form.
std::string utc_now();

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (an upper- or lower-case `T`) to whole seconds since
// the epoch (the fraction is dropped); nullopt for anything else, offsets included, or an
// impossible date.
std::optional<int64_t> parse_utc(std::string_view text);

}  // namespace understudy
