// sql_rows.cc — see sql_rows.h.
#include "sql_rows.h"

#include <stdexcept>

#include "odbc/connection.h"

namespace e2e {

std::vector<std::string> query_rows(const std::string& connection_string_without_password, const std::string& password,
                                    const std::string& label, const std::string& sql) {
  understudy::odbc::ConnectOptions o;
  o.connection_string = connection_string_without_password;
  o.password = understudy::Secret(password);
  o.label = label;
  auto conn = understudy::odbc::Connection::connect(o);
  if (!conn) throw std::runtime_error("connect to " + label + ": " + conn.error().message);
  auto sets = conn->execute(sql);
  if (!sets) throw std::runtime_error(label + ": " + sets.error().message);
  std::vector<std::string> rows;
  for (const auto& set : *sets)
    for (const auto& row : set.rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) line += "|";
        if (auto* t = understudy::odbc::as_text(row[i])) line += *t;
        else if (auto* n = understudy::odbc::as_int(row[i])) line += std::to_string(*n);
        else if (auto* b = understudy::odbc::as_bytes(row[i])) line += understudy::odbc::to_hex(*b);
        else line += "NULL";
      }
      rows.push_back(line);
    }
  return rows;
}

}  // namespace e2e
