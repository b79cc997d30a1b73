#include "engine/lexer.h"

#include <cctype>
#include <cstring>

namespace emu {

namespace {

bool is_ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c == '#' || c >= 0x80; }
bool is_ident_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '#' || c == '$' || c == '@' || c >= 0x80;
}

}  // namespace

bool iequals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string to_upper_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string to_lower_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Token::is_keyword(const char* kw) const {
  if (kind != TokenKind::kIdentifier) return false;
  size_t n = std::strlen(kw);
  if (text.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != std::toupper(static_cast<unsigned char>(kw[i]))) return false;
  }
  return true;
}

bool tokenize(const std::string& sql, std::vector<Token>* out, LexError* err) {
  out->clear();
  size_t i = 0;
  const size_t n = sql.size();
  int line = 1;
  auto push = [&](TokenKind k, std::string text, size_t start, int start_line) {
    Token t;
    t.kind = k;
    t.text = std::move(text);
    t.line = start_line;
    t.offset = start;
    t.end = i;
    out->push_back(std::move(t));
  };
  // Reads a quoted run starting at sql[i] == open; closing char doubled means a literal one.
  auto read_quoted = [&](char close, std::string* text) -> bool {
    ++i;  // opening quote
    while (i < n) {
      char c = sql[i];
      if (c == '\n') ++line;
      if (c == close) {
        if (i + 1 < n && sql[i + 1] == close) {
          text->push_back(close);
          i += 2;
          continue;
        }
        ++i;
        return true;
      }
      text->push_back(c);
      ++i;
    }
    return false;
  };

  while (i < n) {
    unsigned char c = static_cast<unsigned char>(sql[i]);
    size_t start = i;
    int start_line = line;
    if (c == '\n') { ++line; ++i; continue; }
    if (std::isspace(c)) { ++i; continue; }
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 0;
      while (i < n) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') { ++depth; i += 2; continue; }
        if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          --depth; i += 2;
          if (depth == 0) break;
          continue;
        }
        if (sql[i] == '\n') ++line;
        ++i;
      }
      if (depth != 0) {
        err->line = start_line;
        err->number = 113;
        err->message = "Missing end comment mark '*/'.";
        return false;
      }
      continue;
    }
    if ((c == 'N' || c == 'n') && i + 1 < n && sql[i + 1] == '\'') {
      ++i;
      std::string text;
      if (!read_quoted('\'', &text)) {
        err->line = start_line;
        err->number = 105;
        err->message = "Unclosed quotation mark after the character string '" + text + "'.";
        return false;
      }
      push(TokenKind::kNString, std::move(text), start, start_line);
      continue;
    }
    if (c == '\'') {
      std::string text;
      if (!read_quoted('\'', &text)) {
        err->line = start_line;
        err->number = 105;
        err->message = "Unclosed quotation mark after the character string '" + text + "'.";
        return false;
      }
      push(TokenKind::kString, std::move(text), start, start_line);
      continue;
    }
    if (c == '[' || c == '"') {
      std::string text;
      if (!read_quoted(c == '[' ? ']' : '"', &text)) {
        err->line = start_line;
        err->number = 105;
        err->message = "Unclosed quotation mark after the character string '" + text + "'.";
        return false;
      }
      push(TokenKind::kQuotedIdentifier, std::move(text), start, start_line);
      continue;
    }
    if (c == '0' && i + 1 < n && (sql[i + 1] == 'x' || sql[i + 1] == 'X')) {
      i += 2;
      size_t h = i;
      while (i < n && std::isxdigit(static_cast<unsigned char>(sql[i]))) ++i;
      push(TokenKind::kBinary, sql.substr(h, i - h), start, start_line);
      continue;
    }
    if (std::isdigit(c) || (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      bool real = false;
      while (i < n && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
      if (i < n && sql[i] == '.') {
        real = true;
        ++i;
        while (i < n && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
      }
      if (i < n && (sql[i] == 'e' || sql[i] == 'E')) {
        size_t save = i;
        ++i;
        if (i < n && (sql[i] == '+' || sql[i] == '-')) ++i;
        if (i < n && std::isdigit(static_cast<unsigned char>(sql[i]))) {
          real = true;
          while (i < n && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
        } else {
          i = save;
        }
      }
      push(real ? TokenKind::kNumber : TokenKind::kInteger, sql.substr(start, i - start), start, start_line);
      continue;
    }
    if (c == '@') {
      ++i;
      if (i < n && sql[i] == '@') ++i;
      while (i < n && is_ident_char(static_cast<unsigned char>(sql[i]))) ++i;
      push(TokenKind::kVariable, sql.substr(start, i - start), start, start_line);
      continue;
    }
    if (is_ident_start(c)) {
      while (i < n && is_ident_char(static_cast<unsigned char>(sql[i]))) ++i;
      push(TokenKind::kIdentifier, sql.substr(start, i - start), start, start_line);
      continue;
    }
    static const char* kTwo[] = {"<>", "!=", "<=", ">=", "!<", "!>", "::", "+=", "-=", "*=", "/="};
    bool matched = false;
    if (i + 1 < n) {
      for (const char* op : kTwo) {
        if (sql[i] == op[0] && sql[i + 1] == op[1]) {
          i += 2;
          push(TokenKind::kOperator, op, start, start_line);
          matched = true;
          break;
        }
      }
    }
    if (matched) continue;
    if (std::strchr("=<>+-*/%,.();&|^~!{}:", c) != nullptr) {
      ++i;
      push(TokenKind::kOperator, std::string(1, static_cast<char>(c)), start, start_line);
      continue;
    }
    err->line = start_line;
    err->number = 102;
    err->message = std::string("Incorrect syntax near '") + static_cast<char>(c) + "'.";
    return false;
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.line = line;
  end.offset = end.end = n;
  out->push_back(std::move(end));
  return true;
}

}  // namespace emu
