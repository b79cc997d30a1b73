// options.cc — the option table (see spec.h). Global options ("*") first, then per command.
#include "cli/spec.h"

namespace understudy::cli {
namespace {

// Every kind name from the one table (catalog/kinds.def), comma-separated.
constexpr std::string_view kKindNames = std::string_view(""
#define UNDERSTUDY_KIND(e, name, replay) "," name
#include "catalog/kinds.def"
#undef UNDERSTUDY_KIND
                                                         ).substr(1);

constexpr OptionSpec kOptions[] = {
    // Global options.
    {.name = "config", .commands = "*", .type = OptType::kPath, .value_name = "FILE",
     .default_value = "understudy.toml", .env = "UNDERSTUDY_CONFIG",
     .help = "configuration file (TOML); a missing default file means built-in defaults"},
    {.name = "store", .commands = "*", .type = OptType::kPath, .value_name = "FILE_OR_URL", .env = "UNDERSTUDY_STORE",
     .config_key = "store",
     .help = "the store: a SQLite file or a postgresql://USER@HOST:PORT/DB URL (default from the config file, else "
             "understudy.db)"},
    {.name = "log-format", .commands = "*", .type = OptType::kEnum, .value_name = "FORMAT", .allowed = "plain,json",
     .env = "UNDERSTUDY_LOG_FORMAT", .config_key = "log.format", .help = "log line format on stderr"},
    {.name = "log-level", .commands = "*", .type = OptType::kEnum, .value_name = "LEVEL",
     .allowed = "debug,info,warn,error", .env = "UNDERSTUDY_LOG_LEVEL", .config_key = "log.level",
     .help = "lowest level logged"},
    {.name = "help", .commands = "*", .type = OptType::kFlag, .help = "show the help of the command and exit"},
    // Secrets are never flags: a value on the command line is visible in `ps` and shell history.
    {.name = "password", .commands = "*", .secret = true,
     .help = "set password_env or password_file for the instance in the config file"},
    {.name = "sa-password", .commands = "*", .secret = true,
     .help = "set password_env or password_file for the instance in the config file"},
    {.name = "token", .commands = "*", .secret = true,
     .help = "configure [[service.tokens]] with the token's sha256 in the config file"},
    // config check
    {.name = "resolve-secrets", .commands = "config check", .type = OptType::kFlag,
     .help = "also read every password and secret source (values are never printed)"},
    {.name = "live", .commands = "config check", .type = OptType::kFlag,
     .help = "also connect to every instance and name the permissions its login lacks (docs/permissions.md)"},
    // snapshot, snapshots, diff
    {.name = "instance", .commands = "snapshot,snapshots list", .value_name = "NAME", .env = "UNDERSTUDY_INSTANCE",
     .help = "an instance of the config file"},
    {.name = "pair", .commands = "gate,snapshot,diff,sync,script,activate,report", .value_name = "NAME", .env = "UNDERSTUDY_PAIR",
     .help = "a pair of the config file (snapshot: its primary)"},
    {.name = "id", .commands = "snapshots show", .type = OptType::kInt, .value_name = "ID", .positional = true,
     .required = true, .help = "snapshot id (see `understudy snapshots list`)"},
    {.name = "kind", .commands = "snapshots show", .type = OptType::kEnum, .value_name = "KIND",
     .allowed = kKindNames,
     .help = "only objects of this kind"},
    {.name = "against", .commands = "diff", .type = OptType::kEnum, .value_name = "WHAT", .default_value = "live",
     .allowed = "live,snapshot", .help = "compare with the secondary read now, or with its latest snapshot"},
    {.name = "quiet", .commands = "snapshot,diff,sync", .type = OptType::kFlag,
     .help = "no progress line on stderr (there is none either when stderr is not a terminal)"},
    // --format: per command, only what that command can print.
    {.name = "format", .commands = "diff,snapshots list,snapshots show", .type = OptType::kEnum, .value_name = "FORMAT",
     .default_value = "table", .allowed = "table,json,csv", .env = "UNDERSTUDY_FORMAT", .help = "output format"},
    {.name = "format", .commands = "gate,sync,activate", .type = OptType::kEnum, .value_name = "FORMAT",
     .default_value = "table", .allowed = "table,json", .env = "UNDERSTUDY_FORMAT", .help = "output format"},
    // audit verify
    {.name = "head", .commands = "audit verify", .value_name = "HASH",
     .help = "a head hash kept outside the store (printed by an earlier run, logged by the service): it must "
             "still be an entry of the chain, else entries were removed or rewritten"},
    // store copy
    {.name = "from", .commands = "store copy", .value_name = "FILE_OR_URL", .required = true,
     .help = "the store to copy: a SQLite file or a postgresql:// URL (only read)"},
    {.name = "to", .commands = "store copy", .value_name = "FILE_OR_URL", .required = true,
     .help = "the store to copy into: a new file, or an empty PostgreSQL database (tables are created)"},
    // sync, script (replay/sync.h)
    {.name = "apply", .commands = "sync", .type = OptType::kFlag,
     .help = "execute the plan (without it sync only prints the plan and changes nothing)"},
    {.name = "kinds", .commands = "sync,script", .value_name = "KIND,...",
     .help = "only these object kinds (comma-separated kind names, e.g. login,agent_job)"},
    {.name = "include", .commands = "sync,script", .value_name = "PATTERN,...",
     .help = "only objects whose key matches one of these patterns (* and ?, case-insensitive)"},
    {.name = "exclude", .commands = "sync,script", .value_name = "PATTERN,...",
     .help = "leave out objects whose key matches one of these patterns"},
    {.name = "stop-on-error", .commands = "sync", .type = OptType::kFlag,
     .help = "stop at the first failing object (default: apply the others and report the failure)"},
    {.name = "allow-recreate", .commands = "sync,script", .type = OptType::kFlag,
     .help = "fix a login whose sid differs by dropping and recreating it (the plan says what is lost)"},
    {.name = "prune", .commands = "sync,script", .type = OptType::kEnum, .value_name = "MODE", .default_value = "none",
     .allowed = "none,disable,drop", .help = "objects only on the target: keep, disable (logins, jobs) or drop"},
    {.name = "snapshot", .commands = "sync,script", .type = OptType::kInt, .value_name = "ID",
     .help = "source snapshot id (default: the latest snapshot of the pair's live primary)"},
    {.name = "live-source", .commands = "sync,script", .type = OptType::kFlag,
     .help = "read the primary live instead of using a snapshot"},
    {.name = "configured-direction", .commands = "sync", .type = OptType::kFlag,
     .help = "the pair's HA group is gone for good (one-way MI link cutover, failover group deleted): run the "
             "configured direction, which the last applied sync did not follow"},
    {.name = "carry-stranded", .commands = "sync", .type = OptType::kFlag,
     .help = "carry the objects stranded on the live secondary by a failover to the live primary (plan first; "
             "writes to the primary only with --apply)"},
    {.name = "output", .commands = "script", .type = OptType::kPath, .value_name = "FILE", .default_value = "-",
     .help = "where to write the script (- = standard output)"},
    // report
    {.name = "format", .commands = "report", .type = OptType::kEnum, .value_name = "FORMAT", .default_value = "json",
     .allowed = "json,csv,html", .env = "UNDERSTUDY_FORMAT", .help = "output format"},
    {.name = "table", .commands = "report", .type = OptType::kEnum, .value_name = "TABLE", .default_value = "findings",
     .allowed = "findings,events", .help = "with --format csv: the findings' lifecycles, or every evaluation and sync action"},
    {.name = "since", .commands = "report", .value_name = "TIME", .help = "from this RFC 3339 UTC time (default: the beginning)"},
    {.name = "until", .commands = "report", .value_name = "TIME", .help = "before this RFC 3339 UTC time (default: now)"},
    // serve, gate
    {.name = "listen", .commands = "serve", .value_name = "HOST:PORT", .env = "UNDERSTUDY_LISTEN",
     .config_key = "service.listen", .help = "address to listen on (default 127.0.0.1:8470; port 0 = any free port)"},
    {.name = "snapshot-interval", .commands = "serve", .type = OptType::kDuration, .value_name = "DURATION",
     .env = "UNDERSTUDY_SNAPSHOT_INTERVAL", .config_key = "service.snapshot_interval",
     .help = "how often to snapshot every primary (default 15m; 0 = never)"},
    {.name = "gates-dir", .commands = "serve,gate", .type = OptType::kPath, .value_name = "DIR",
     .env = "UNDERSTUDY_GATES_DIR", .config_key = "service.gates_dir",
     .help = "more gate files, read after the shipped ones (a gate of the same name replaces the shipped one)"},
    {.name = "gate", .commands = "gate", .value_name = "GATE", .positional = true, .required = true,
     .help = "gate name (gates/*.json, service.gates_dir)"},
    {.name = "max-age", .commands = "gate", .type = OptType::kInt, .value_name = "SECONDS",
     .help = "oldest primary snapshot to compare against (default: the gate's, else the pair's max_snapshot_age)"},
    // gate: parameters of the cutover checks (docs/gates.md), as ?state= ?max_lag_seconds= ?expect= over HTTP
    {.name = "state", .commands = "gate", .type = OptType::kEnum, .value_name = "STATE",
     .allowed = "synchronizing,synchronized",
     .help = "replication checks: the state every database must be in (default: the gate's, else synchronizing)"},
    {.name = "max-lag-seconds", .commands = "gate", .type = OptType::kInt, .value_name = "SECONDS",
     .help = "replication checks: the largest replication lag allowed (default: the gate's, else none)"},
    {.name = "expect", .commands = "gate", .type = OptType::kEnum, .value_name = "ROLES", .allowed = "primary,swapped",
     .help = "landing checks: primary behind the read-write listener, or swapped after a failover"},
    // help
    {.name = "topic", .commands = "help", .value_name = "COMMAND", .positional = true, .rest = true,
     .help = "a command (e.g. \"config check\") or exit-codes"},
    {.name = "markdown", .commands = "help", .type = OptType::kFlag,
     .help = "print Markdown (the source of docs/cli.md and docs/errors.md)"},
};

}  // namespace

std::span<const OptionSpec> options() { return kOptions; }

bool applies(const OptionSpec& o, std::string_view command) {
  if (o.commands == "*") return true;
  std::string_view list = o.commands;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (item == command) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

const OptionSpec* find_option(std::string_view name) {
  for (const auto& o : kOptions)
    if (o.name == name) return &o;
  return nullptr;
}

}  // namespace understudy::cli
