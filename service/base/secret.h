// secret.h — Secret: a string that cannot be printed, logged or serialised by accident.
//
// Password hashes, credential secrets, linked-server passwords and API tokens travel as Secret.
// There is no operator<<, no implicit conversion, no to_json: the only way to the bytes is
// reveal(), which is called in exactly the places that must hand the secret to SQL Server or a
// hash function (grep for it). redacted() is what every output path prints.
// Thread-safety: plain value.
#pragma once

#include <string>
#include <utility>

namespace understudy {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret() { wipe(); }

  bool empty() const { return value_.empty(); }
  // The secret itself. Callers: T-SQL builders for replay, ODBC connect, token hashing.
  const std::string& reveal() const { return value_; }
  static constexpr const char* redacted() { return "[redacted]"; }
  bool operator==(const Secret& o) const { return value_ == o.value_; }

 private:
  void wipe() {
    for (auto& c : value_) reinterpret_cast<volatile char&>(c) = 0;
  }
  std::string value_;
};

}  // namespace understudy
