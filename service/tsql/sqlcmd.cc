// sqlcmd.cc — see sqlcmd.h.
#include "tsql/sqlcmd.h"

#include <cctype>

#include "tsql/quote.h"

namespace understudy::tsql {
namespace {

// A line sqlcmd treats as its own: ":command", "!!shell", or "GO" [count].
bool sqlcmd_line(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  line.remove_prefix(i);
  if (line.empty()) return false;
  if (line[0] == ':' || line.substr(0, 2) == "!!") return true;
  if (line.size() >= 2 && (line[0] == 'G' || line[0] == 'g') && (line[1] == 'O' || line[1] == 'o')) {
    return line.size() == 2 || !std::isalnum(static_cast<unsigned char>(line[2])) || std::isdigit(static_cast<unsigned char>(line[2]));
  }
  return false;
}

// Appends `text` as a concatenation of N'' pieces and NCHAR() for $, CR, LF.
void append_expr(std::string& out, std::string_view text) {
  std::string run;
  auto flush = [&] {
    if (run.empty()) return;
    out += " + " + quote_string(run);
    run.clear();
  };
  for (char c : text) {
    const char* special = c == '$' ? "NCHAR(36)" : c == '\r' ? "NCHAR(13)" : c == '\n' ? "NCHAR(10)" : nullptr;
    if (special) {
      flush();
      out += " + ";
      out += special;
    } else {
      run += c;
    }
  }
  flush();
}

}  // namespace

bool sqlcmd_sensitive(std::string_view text) {
  if (text.find("$(") != std::string_view::npos) return true;
  // sqlcmd reads the file as lines: a CR before a LF is taken as part of the line ending, so a
  // name holding CR LF would come back as LF. Only NCHAR(13) reproduces it.
  if (text.find('\r') != std::string_view::npos) return true;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (sqlcmd_line(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start))) return true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

std::string sqlcmd_batch(const Sql& batch, const std::map<SecretRef, std::string>& vars) {
  bool sensitive = false;
  std::string all_text;
  batch.visit([&](std::string_view t) { all_text += t; }, [&](const SecretRef&, SecretForm) { all_text += ' '; });
  sensitive = sqlcmd_sensitive(all_text);
  if (!sensitive) return batch.render_sqlcmd(vars);
  std::string expr = "CAST(N'' AS nvarchar(max))";
  batch.visit([&](std::string_view t) { append_expr(expr, t); },
              [&](const SecretRef& ref, SecretForm form) {
                auto it = vars.find(ref);
                if (it == vars.end()) {
                  append_expr(expr, redacted_placeholder(ref));
                } else if (form == SecretForm::kString) {
                  // The variable's text lands in a literal of this outer expression, which undoes
                  // one doubling of its quotes; REPLACE doubles them again for the inner literal, so
                  // the secret is supplied with ' doubled once, as in a plain batch.
                  expr += " + N'N''' + REPLACE(N'$(" + it->second + ")', N'''', N'''''') + N''''";
                } else {
                  expr += " + N'$(" + it->second + ")'";
                }
              });
  return "DECLARE @us_sql nvarchar(max) = " + expr + ";\nEXEC (@us_sql);\n";
}

std::string sqlcmd_comment(std::string_view text) {
  std::string out = comment_text(text);
  for (size_t at = out.find("$("); at != std::string::npos; at = out.find("$(", at)) out.replace(at, 2, "$ (");
  return out;
}

}  // namespace understudy::tsql
