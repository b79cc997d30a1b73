// secrets.h — turning a SecretSource (config.h) into a Secret, at the moment it is needed.
//
// env: the variable must be set and non-empty. file: it must exist and be accessible by its owner
// only (mode & 077 == 0), like ssh keys and .pgpass; one trailing newline is dropped. command: run
// with /bin/sh -c; exit status 0 and non-empty output required; one trailing newline is dropped
// (so `vault kv get -field=password …` fits). Errors are kConfig (78) and name the source, never
// the value; the command's stderr goes to our stderr untouched.
// Thread-safety: reentrant; reads the process environment (getenv).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/secret.h"
#include "config/config.h"
#include "odbc/connection.h"

namespace understudy::config {

// `what` names the secret in messages, e.g. "password of instance 'primary'".
[[nodiscard]] Result<Secret> resolve(const SecretSource& source, std::string_view what);

// The PostgreSQL store's password (store_password_env / _file); an empty Secret when none is set.
[[nodiscard]] Result<Secret> store_password(const Config& config);

// The instance's password; an empty Secret when it has no password source (integrated auth).
[[nodiscard]] Result<Secret> instance_password(const Instance& instance);

// What odbc::Connection::connect needs for `instance`: its connection string, resolved password,
// timeouts, and its name as the label of error messages.
[[nodiscard]] Result<odbc::ConnectOptions> connect_options(const Instance& instance);
// Connects to the configured instance `name` with them. Errors: kNotFound (no such instance),
// the password source's (kConfig), the connection's (kUnavailable …).
[[nodiscard]] Result<odbc::Connection> connect(const Config& config, const std::string& name);

// Fails (kConfig) when `path` exists and group or others have any access to it.
[[nodiscard]] Status check_owner_only(const std::string& path, std::string_view what);

// "env PRIMARY_SA_PASSWORD", "file /etc/understudy/primary.pw", "command `vault …`", "none".
std::string describe_source(const SecretSource& source);

}  // namespace understudy::config
