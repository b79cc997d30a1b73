// sql.h — Sql: T-SQL text assembled from trusted keywords and quoted values, with secret slots.
//
// A Sql is a sequence of segments: text (keywords written in our source, or values that went
// through quote.h) and secret slots. A slot names a secret (SecretRef: kind + name, e.g.
// credential "backup_sas") and its form (string literal N'…' or binary literal 0x…); it never
// holds the secret itself. Rendering decides what a slot becomes:
//   render_redacted()  N'<secret:credential:backup_sas>' — plans, the journal, logs, JSON
//   render_sqlcmd()    $(US_SECRET_1) / N'$(US_SECRET_1)' — scripts for sqlcmd (-v or :setvar)
//   render_literal()   the secret, fetched from a resolver — only for execution, never stored
// So a plan can carry its T-SQL as a value (to_json / from_json) and be applied later, and the
// secret is looked up only at the moment the statement goes to SQL Server (design invariant 4).
// A missing secret is an error (kNotFound), never an empty literal: ALTER CREDENTIAL without the
// real SECRET erases the stored one.
//
// Only constants reach raw(): its argument type can be built only from a compile-time string.
// Thread-safety: plain value.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "base/secret.h"

namespace understudy::tsql {

// A compile-time string: keywords and punctuation written in Understudy's source.
struct Keyword {
  consteval Keyword(const char* s) : text(s) {}  // NOLINT: implicit on purpose
  const char* text;
};

// Names a secret without holding it. kind: "credential", "linked_server_login", "password_hash".
struct SecretRef {
  std::string kind;
  std::string name;
  bool operator==(const SecretRef&) const = default;
  bool operator<(const SecretRef& o) const { return std::tie(kind, name) < std::tie(o.kind, o.name); }
  std::string label() const { return kind + ":" + name; }  // "credential:backup_sas"
};

enum class SecretForm { kString, kBinary };

// Finds a secret at execution time: the secret, or nullopt when unknown (→ action blocked).
using SecretResolver = std::function<Result<std::optional<Secret>>(const SecretRef&)>;

class Sql {
 public:
  Sql() = default;
  Sql(Keyword k) { raw(k); }  // NOLINT: implicit so Sql s = "SET XACT_ABORT ON;" reads well

  Sql& raw(Keyword k);
  // Text produced by quote.h (a quoted identifier or literal). The caller vouches for it.
  Sql& quoted(std::string text);
  Sql& secret(SecretRef ref, SecretForm form);
  Sql& append(const Sql& other);
  Sql& operator+=(const Sql& other) { return append(other); }

  bool empty() const { return segments_.empty(); }
  bool has_secret() const;
  std::vector<SecretRef> secrets() const;  // sorted, unique

  std::string render_redacted() const;
  // vars: slot → sqlcmd variable name (without $( )); slots missing from the map get redacted.
  std::string render_sqlcmd(const std::map<SecretRef, std::string>& vars) const;
  [[nodiscard]] Result<std::string> render_literal(const SecretResolver& resolve) const;
  // Walks the segments in order: text to on_text, slots to on_slot (for other renderers).
  void visit(const std::function<void(std::string_view text)>& on_text,
             const std::function<void(const SecretRef&, SecretForm)>& on_slot) const;

  nlohmann::json to_json() const;
  [[nodiscard]] static Result<Sql> from_json(const nlohmann::json& j);

  bool operator==(const Sql&) const = default;

 private:
  struct Segment {
    std::string text;
    std::optional<SecretRef> ref;
    SecretForm form = SecretForm::kString;
    bool operator==(const Segment&) const = default;
  };
  void add_text(std::string_view t);
  std::vector<Segment> segments_;
};

// What a redacted slot prints: N'<secret:kind:name>' (the name passes through quote_string).
std::string redacted_placeholder(const SecretRef& ref);

}  // namespace understudy::tsql
