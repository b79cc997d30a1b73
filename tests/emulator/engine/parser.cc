#include "engine/parser.h"

#include <set>

#include "engine/parser_impl.h"
#include "engine/state.h"

namespace emu {

bool is_reserved_word(const std::string& word) {
  static const std::set<std::string> kReserved = {
      "ADD", "ALL", "ALTER", "AND", "ANY", "AS", "ASC", "BACKUP", "BEGIN", "BETWEEN", "BREAK", "BY",
      "CASCADE", "CASE", "CHECK", "CLOSE", "COMMIT", "CONTINUE", "CONVERT", "CREATE", "CROSS",
      "CURRENT_TIMESTAMP", "CURRENT_USER", "DECLARE", "DEFAULT", "DELETE", "DENY", "DESC", "DISTINCT",
      "DROP", "ELSE", "END", "ESCAPE", "EXCEPT", "EXEC", "EXECUTE", "EXISTS", "FETCH", "FOR", "FROM",
      "FULL", "GOTO", "GRANT", "GROUP", "HAVING", "IF", "IN", "INNER", "INSERT", "INTERSECT", "INTO",
      "IS", "JOIN", "KILL", "LEFT", "LIKE", "MERGE", "NOT", "NULL", "NULLIF", "OF", "OFF", "ON", "OPEN",
      "OPTION", "OR", "ORDER", "OUTER", "OVER", "PERCENT", "PRINT", "PROC", "PROCEDURE", "RAISERROR",
      "RETURN", "REVOKE", "RIGHT", "ROLLBACK", "SAVE", "SELECT", "SESSION_USER", "SET", "SOME",
      "SYSTEM_USER", "TABLE", "THEN", "TO", "TOP", "TRAN", "TRANSACTION", "TRUNCATE", "UNION", "UPDATE",
      "USE", "USER", "VALUES", "VIEW", "WHEN", "WHERE", "WHILE", "WITH",
  };
  return kReserved.count(to_upper_ascii(word)) > 0;
}

Parser::Parser(const std::string& sql, const std::vector<Token>& tokens) : sql_(sql), t_(tokens) {}

void Parser::fail(const Token& tok) {
  if (failed_) return;
  failed_ = true;
  err_.line = tok.line;
  if (tok.is(TokenKind::kEnd)) {
    err_.number = 102;
    err_.message = "Incorrect syntax near '" + (pos_ > 0 ? t_[pos_ - 1].text : std::string()) + "'.";
    return;
  }
  if (tok.is(TokenKind::kIdentifier) && is_reserved_word(tok.text)) {
    err_.number = 156;
    err_.message = "Incorrect syntax near the keyword '" + to_upper_ascii(tok.text) + "'.";
    return;
  }
  err_.number = 102;
  std::string shown = tok.text;
  if (tok.is(TokenKind::kString) || tok.is(TokenKind::kNString)) shown = tok.text;
  if (tok.is(TokenKind::kBinary)) shown = "0x" + tok.text;
  err_.message = "Incorrect syntax near '" + shown + "'.";
}

void Parser::fail_msg(int32_t number, const std::string& message) {
  if (failed_) return;
  failed_ = true;
  err_.number = number;
  err_.line = cur().line;
  err_.message = message;
}

bool Parser::accept_kw(const char* kw) {
  if (cur().is_keyword(kw)) {
    ++pos_;
    return true;
  }
  return false;
}
bool Parser::accept_op(const char* op) {
  if (cur().is_op(op)) {
    ++pos_;
    return true;
  }
  return false;
}
bool Parser::expect_kw(const char* kw) {
  if (accept_kw(kw)) return true;
  fail(cur());
  return false;
}
bool Parser::expect_op(const char* op) {
  if (accept_op(op)) return true;
  fail(cur());
  return false;
}

bool Parser::parse_name(std::string* out) {
  if (!cur().is_name()) {
    fail(cur());
    return false;
  }
  *out = cur().text;
  ++pos_;
  return true;
}

// Dotted name: a.b.c (empty middle parts as in master..sysjobs are kept as "").
bool Parser::parse_multipart(std::vector<std::string>* parts) {
  std::string first;
  if (!parse_name(&first)) return false;
  parts->push_back(first);
  while (cur().is_op(".")) {
    ++pos_;
    if (cur().is_op(".")) {
      parts->push_back("");
      continue;
    }
    std::string next;
    if (!parse_name(&next)) return false;
    parts->push_back(next);
  }
  return true;
}

bool parse_type_name(const std::vector<Token>& tokens, size_t* pos, SqlType* out, ParseError* err) {
  std::string dummy;
  Parser p(dummy, tokens);
  p.pos_ = *pos;
  bool ok = p.parse_type(out);
  *pos = p.pos_;
  if (!ok) *err = p.err_;
  return ok;
}

bool Parser::parse_type(SqlType* out) {
  std::vector<std::string> parts;
  if (!parse_multipart(&parts)) return false;
  std::string name = to_lower_ascii(parts.back());
  int32_t len = -2;
  int32_t scale = -1;
  if (accept_op("(")) {
    if (accept_kw("max")) {
      len = -1;
    } else if (cur().is(TokenKind::kInteger) && cur().text.size() < 10) {
      len = static_cast<int32_t>(std::stol(cur().text));
      ++pos_;
      if (accept_op(",")) {
        if (!cur().is(TokenKind::kInteger) || cur().text.size() > 3) {
          fail(cur());
          return false;
        }
        scale = static_cast<int32_t>(std::stol(cur().text));
        ++pos_;
      }
    } else {
      fail(cur());
      return false;
    }
    if (!expect_op(")")) return false;
  }
  auto strlen_or = [&](int32_t d) { return len == -2 ? d : len; };
  SqlType t;
  if (name == "int" || name == "integer") t = SqlType::Int();
  else if (name == "bigint") t = SqlType::BigInt();
  else if (name == "smallint") t = SqlType::SmallInt();
  else if (name == "tinyint") t = SqlType::TinyInt();
  else if (name == "bit") t = SqlType::Bit();
  else if (name == "float" || name == "real") t = SqlType::Float();
  else if (name == "decimal" || name == "numeric" || name == "money" || name == "smallmoney") {
    t.id = name == "numeric" ? SqlTypeId::kNumeric : SqlTypeId::kDecimal;
    if (name == "money") { t.precision = 19; t.scale = 4; }
    else if (name == "smallmoney") { t.precision = 10; t.scale = 4; }
    else {
      t.precision = static_cast<uint8_t>(len == -2 ? 18 : len);
      t.scale = static_cast<uint8_t>(scale < 0 ? 0 : scale);
    }
  } else if (name == "varchar") t = SqlType::VarChar(strlen_or(1));
  else if (name == "nvarchar") t = SqlType::NVarChar(strlen_or(1));
  else if (name == "char") t = SqlType::Char(strlen_or(1));
  else if (name == "nchar") t = SqlType::NChar(strlen_or(1));
  else if (name == "sysname") t = SqlType::Sysname();
  else if (name == "text") t = SqlType::VarChar(-1);
  else if (name == "ntext" || name == "xml") t = SqlType::NVarChar(-1);
  else if (name == "varbinary") t = SqlType::VarBinary(strlen_or(1));
  else if (name == "binary") t = {SqlTypeId::kBinary, strlen_or(1)};
  else if (name == "image") t = SqlType::VarBinary(-1);
  else if (name == "uniqueidentifier") t = SqlType::Guid();
  else if (name == "datetime" || name == "smalldatetime") t = SqlType::DateTime();
  else if (name == "datetime2" || name == "date" || name == "time") {
    t = {SqlTypeId::kDateTime2, 0, 0, static_cast<uint8_t>(name == "date" ? 0 : (len == -2 ? 7 : len))};
  } else if (name == "datetimeoffset") {
    t = {SqlTypeId::kDateTimeOffset, 0, 0, static_cast<uint8_t>(len == -2 ? 7 : len)};
  } else if (name == "sql_variant") t = {SqlTypeId::kSqlVariant};
  else {
    fail_msg(2715, "Column, parameter, or variable #1: Cannot find data type " + parts.back() + ".");
    return false;
  }
  *out = t;
  return true;
}

bool parse_param_decls(const std::string& text, std::vector<ParamDecl>* out, ParseError* err) {
  std::vector<Token> tokens;
  LexError lerr;
  if (!tokenize(text, &tokens, &lerr)) {
    err->number = lerr.number;
    err->message = lerr.message;
    return false;
  }
  Parser p(text, tokens);
  while (!p.cur().is(TokenKind::kEnd)) {
    if (!p.cur().is(TokenKind::kVariable)) {
      p.fail(p.cur());
      *err = p.err_;
      return false;
    }
    ParamDecl d;
    d.name = p.cur().text;
    ++p.pos_;
    p.accept_kw("AS");
    if (!p.parse_type(&d.type)) {
      *err = p.err_;
      return false;
    }
    if (p.accept_op("=")) {  // default value: skip the literal
      ++p.pos_;
    }
    if (p.accept_kw("OUTPUT") || p.accept_kw("OUT")) d.output = true;
    out->push_back(std::move(d));
    if (!p.accept_op(",")) break;
  }
  if (!p.cur().is(TokenKind::kEnd)) {
    p.fail(p.cur());
    *err = p.err_;
    return false;
  }
  return true;
}

bool parse_batch(const std::string& sql, const std::vector<Token>& tokens, std::vector<StmtPtr>* out,
                 ParseError* err) {
  Parser p(sql, tokens);
  while (true) {
    while (p.accept_op(";")) {
    }
    if (p.cur().is(TokenKind::kEnd)) break;
    StmtPtr s = p.parse_statement(out->empty());
    if (!s || p.failed_) {
      *err = p.err_;
      return false;
    }
    out->push_back(std::move(s));
  }
  return true;
}

}  // namespace emu
