// problem.h — RFC 9457 problem details for request errors (400, 401, 403, 404, 405, 409, 413 …).
//
// A problem names what is at fault: `parameter` for a query or path parameter or a body member
// (JSON pointer), and carries the error table's slug as its type (urn:understudy:problem:<slug>).
// A failing gate is NOT a problem: it is a 503 gate body. Thread-safety: plain values.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace understudy::http {

struct Problem {
  int status = 400;
  std::string slug = "usage";  // error table slug
  std::string title;           // short, for the status; defaults to the error table description
  std::string detail;          // lower case, no final period
  std::string parameter;       // offending parameter ("pair", "max_age", "/apply", "body"); "" = none
  std::string hint;
};

Problem problem(int status, std::string slug, std::string detail, std::string parameter = {}, std::string hint = {});
// From an Error: status and slug from the error table.
Problem problem_from(const Error& e, std::string parameter = {});
nlohmann::json to_json(const Problem& p, const std::string& instance_path);

}  // namespace understudy::http
