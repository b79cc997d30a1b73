// ddl_credential.cc — CREATE / ALTER / DROP CREDENTIAL
// (https://learn.microsoft.com/sql/t-sql/statements/create-credential-transact-sql,
// alter-credential-transact-sql, drop-credential-transact-sql). The SECRET is kept in a column no
// view exposes; ALTER without SECRET sets it to NULL, as SQL Server does.
#include "engine/ddl_internal.h"

namespace emu::st {

namespace {

struct CredentialClause {
  std::string identity;
  std::optional<std::string> secret;
};

CredentialClause with_clause(DdlParser& p) {
  CredentialClause c;
  p.expect_kw("WITH");
  p.expect_kw("IDENTITY");
  p.expect_op("=");
  c.identity = p.string_literal();
  if (p.accept_op(",")) {
    p.expect_kw("SECRET");
    p.expect_op("=");
    c.secret = p.string_literal();
  }
  return c;
}

}  // namespace

void ddl_create_credential(DdlParser& p) {
  const std::string name = p.name();
  CredentialClause c = with_clause(p);
  std::optional<std::string> provider;
  if (p.accept_kw("FOR")) {
    p.expect_kw("CRYPTOGRAPHIC");
    p.expect_kw("PROVIDER");
    provider = p.name();
  }
  p.expect_end();
  require_server_permission(p.ctx(), p.db(), "ALCD");
  if (provider) {
    throw SqlError{15151, "Cannot find the cryptographic provider '" + *provider +
                              "', because it does not exist or you do not have permission."};
  }
  if (!name.empty() && name[0] == '#') {
    throw SqlError{15006, "'" + name + "' is not a valid name because it contains invalid characters."};
  }
  if (utf16_length(c.identity) > 4000) {
    throw SqlError{15540, "The identity string is too long. The identity string should contain no more than 4000 characters."};
  }
  create_credential(p.db(), name, c.identity, c.secret, std::nullopt);
}

void ddl_alter_credential(DdlParser& p) {
  const std::string name = p.name();
  CredentialClause c = with_clause(p);
  p.expect_end();
  require_server_permission(p.ctx(), p.db(), "ALCD");
  const int changed = exec(p.db(),
                           "UPDATE t_credentials SET credential_identity = ?1, secret = ?2, modify_date = ?3 WHERE name = ?4",
                           {text(c.identity), opt_text(c.secret), text(now_text()), text(name)});
  if (changed == 0) {
    throw SqlError{15151, "Cannot alter the credential '" + name + "', because it does not exist or you do not have permission."};
  }
}

void ddl_drop_credential(DdlParser& p) {
  const std::string name = p.name();
  p.expect_end();
  require_server_permission(p.ctx(), p.db(), "ALCD");
  auto id = scalar(p.db(), "SELECT credential_id FROM t_credentials WHERE name = ?1", {text(name)});
  if (!id) {
    throw SqlError{15151, "Cannot drop the credential '" + name + "', because it does not exist or you do not have permission."};
  }
  if (scalar(p.db(), "SELECT 1 FROM t_principals WHERE credential_id = ?1", {*id})) {
    throw SqlError{15541, "Cannot drop the credential '" + name + "' because it is used by a server principal."};
  }
  exec(p.db(), "DELETE FROM t_credentials WHERE credential_id = ?1", {*id});
}

}  // namespace emu::st
