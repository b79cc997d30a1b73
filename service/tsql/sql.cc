// sql.cc — see sql.h.
#include "tsql/sql.h"

#include <algorithm>

#include <fmt/format.h>

#include "tsql/quote.h"

namespace understudy::tsql {

std::string redacted_placeholder(const SecretRef& ref) {
  return quote_string("<secret:" + ref.label() + ">");
}

void Sql::add_text(std::string_view t) {
  if (t.empty()) return;
  if (!segments_.empty() && !segments_.back().ref) {
    segments_.back().text += t;
  } else {
    segments_.push_back(Segment{std::string(t), std::nullopt, SecretForm::kString});
  }
}

Sql& Sql::raw(Keyword k) {
  add_text(k.text);
  return *this;
}

Sql& Sql::quoted(std::string text) {
  add_text(text);
  return *this;
}

Sql& Sql::secret(SecretRef ref, SecretForm form) {
  segments_.push_back(Segment{{}, std::move(ref), form});
  return *this;
}

Sql& Sql::append(const Sql& other) {
  for (const auto& s : other.segments_) {
    if (s.ref) {
      segments_.push_back(s);
    } else {
      add_text(s.text);
    }
  }
  return *this;
}

bool Sql::has_secret() const {
  return std::any_of(segments_.begin(), segments_.end(), [](const Segment& s) { return s.ref.has_value(); });
}

std::vector<SecretRef> Sql::secrets() const {
  std::vector<SecretRef> out;
  for (const auto& s : segments_) {
    if (s.ref) out.push_back(*s.ref);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string Sql::render_redacted() const {
  std::string out;
  for (const auto& s : segments_) out += s.ref ? redacted_placeholder(*s.ref) : s.text;
  return out;
}

std::string Sql::render_sqlcmd(const std::map<SecretRef, std::string>& vars) const {
  std::string out;
  for (const auto& s : segments_) {
    if (!s.ref) {
      out += s.text;
      continue;
    }
    auto it = vars.find(*s.ref);
    if (it == vars.end()) {
      out += redacted_placeholder(*s.ref);
    } else if (s.form == SecretForm::kString) {
      out += "N'$(" + it->second + ")'";
    } else {
      out += "$(" + it->second + ")";
    }
  }
  return out;
}

Result<std::string> Sql::render_literal(const SecretResolver& resolve) const {
  std::string out;
  for (const auto& s : segments_) {
    if (!s.ref) {
      out += s.text;
      continue;
    }
    if (!resolve) return fail(ErrorCode::kNotFound, "secret unknown: " + s.ref->label());
    auto got = resolve(*s.ref);
    if (!got) return fail(got.error());
    if (!*got || (*got)->empty()) {
      return fail(ErrorCode::kNotFound, "secret unknown: " + s.ref->label(),
                  "name it in a secrets source of the configuration");
    }
    if (s.form == SecretForm::kString) {
      out += quote_string((*got)->reveal());
    } else {
      auto lit = binary_literal((*got)->reveal());
      if (!lit) return fail(ErrorCode::kDataErr, "secret " + s.ref->label() + " is not a binary value");
      out += *lit;
    }
  }
  return out;
}

void Sql::visit(const std::function<void(std::string_view)>& on_text,
                const std::function<void(const SecretRef&, SecretForm)>& on_slot) const {
  for (const auto& s : segments_) {
    if (s.ref) {
      on_slot(*s.ref, s.form);
    } else {
      on_text(s.text);
    }
  }
}

nlohmann::json Sql::to_json() const {
  auto arr = nlohmann::json::array();
  for (const auto& s : segments_) {
    if (s.ref) {
      arr.push_back({{"secret", {{"kind", s.ref->kind}, {"name", s.ref->name}}},
                     {"form", s.form == SecretForm::kString ? "string" : "binary"}});
    } else {
      arr.push_back({{"sql", s.text}});
    }
  }
  return arr;
}

Result<Sql> Sql::from_json(const nlohmann::json& j) {
  try {
    if (!j.is_array()) return fail(ErrorCode::kDataErr, "t-sql segments must be an array");
    Sql out;
    for (const auto& seg : j) {
      if (seg.contains("sql")) {
        out.add_text(seg.at("sql").get<std::string>());
      } else if (seg.contains("secret")) {
        const auto& r = seg.at("secret");
        const std::string form = seg.value("form", "string");
        if (form != "string" && form != "binary") return fail(ErrorCode::kDataErr, "unknown secret form: " + form);
        out.secret(SecretRef{r.at("kind").get<std::string>(), r.at("name").get<std::string>()},
                   form == "string" ? SecretForm::kString : SecretForm::kBinary);
      } else {
        return fail(ErrorCode::kDataErr, "t-sql segment has neither sql nor secret");
      }
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorCode::kDataErr, fmt::format("bad t-sql segment: {}", e.what()));
  }
}

}  // namespace understudy::tsql
