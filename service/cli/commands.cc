// commands.cc — the command table (see spec.h for how to add one). Order = order in help and docs.
#include "cli/handlers.h"
#include "cli/spec.h"

namespace understudy::cli {
namespace {

constexpr CommandSpec kCommands[] = {
    {.name = "config check",
     .summary = "check the configuration and print a redacted summary",
     .description = "Loads the configuration file with the environment and flag layers on top, validates every key "
                    "(unknown keys, connection strings with PWD=, open password files, pairs naming undefined "
                    "instances) and prints a summary in which every secret is redacted. With --resolve-secrets it "
                    "also reads every password and secret source and reports the ones that fail; values are "
                    "never printed. With --live it connects to every instance and names the permissions its login "
                    "lacks for what the pairs do with it (reading the catalog needs CONTROL SERVER; sync --apply "
                    "onto a pair's secondary needs sysadmin). Exit 0 when the configuration is valid (and, with "
                    "--live, every login has what it needs), 78 when it is not, 77 when a login lacks a "
                    "permission, 69 when an instance cannot be reached.",
     .run = run_config_check},
    {.name = "snapshot",
     .summary = "read an instance's server-level state and store it as a snapshot",
     .description = "Connects to the instance (--instance NAME, or the primary of --pair NAME with the pair's kinds "
                    "and include/exclude patterns), reads logins, server roles, memberships, permissions, "
                    "credentials, linked servers and SQL Server Agent objects with one batch of set-based queries, "
                    "and stores them in the SQLite store, where the snapshot becomes visible only once complete: "
                    "a failed or interrupted snapshot leaves the previous one as the latest. Exit 0 when stored; "
                    "69 when the instance is unreachable or the login fails; 70 on a SQL error; 3 when another "
                    "snapshot is being written to the store; nothing is kept on any error.",
     .run = run_snapshot},
    {.name = "snapshots list",
     .summary = "list the stored snapshots, newest first",
     .description = "Lists id, instance, time taken, object count and server name of every snapshot in the store "
                    "(only those of --instance when given).",
     .run = run_snapshots_list},
    {.name = "snapshots show",
     .summary = "print the objects of one snapshot",
     .description = "Prints every object of snapshot ID (only those of --kind when given) with its compared "
                    "fields; --format json adds the fingerprint and the volatile fields. Password hashes are never "
                    "printed.",
     .run = run_snapshots_show},
    {.name = "diff",
     .summary = "compare the pair's primary snapshot with its secondary",
     .description = "Compares the latest snapshot of the pair's primary with the secondary read live "
                    "(--against live, the default) or with the secondary's latest snapshot (--against snapshot). "
                    "Findings: missing, extra, different (fields with before and after; a password hash only as "
                    "\"differs\"), sid_mismatch and incompatible, with a severity each, in a stable order "
                    "(docs/diff.md). Exit 0 when the secondary has no drift, 1 when it has, 2 or more on an error.",
     .run = run_diff},
    {.name = "sync",
     .summary = "plan, and with --apply execute, the replay of a pair onto its secondary",
     .description = "Asks both instances of the pair which holds the primary role now (a pair without a visible HA "
                    "group keeps its configured direction; exit 5 when the roles cannot be established, nothing "
                    "written), then compares the latest snapshot of the live primary (or --snapshot ID, or the "
                    "primary read live with --live-source) with the live secondary read live and builds an ordered "
                    "plan — the reverse of the configured direction after a failover, and it says so: creates for what "
                    "is missing, in-place alters for what differs, drop-and-recreate of a login whose sid differs "
                    "only with --allow-recreate, extras kept unless --prune, and incompatible items (Windows logins, "
                    "CmdExec steps, proxies on a Managed Instance) listed with what to do. Without --apply it prints "
                    "the plan and its T-SQL (secrets as placeholders) and changes nothing: exit 0 when there is "
                    "nothing to do, 1 when there is. With --apply each object runs in its own transaction, every "
                    "action goes to the journal, and the secondary is read and compared again: exit 0 when it "
                    "converged (nothing left but kept extras, excluded objects and incompatible ones a gate exception "
                    "accepts), 4 when it did not (objects failed, blocked or incompatible), 3 when another sync of "
                    "the pair is running, 69 when the secondary was lost mid-run (run sync again to finish). Objects "
                    "stranded on the secondary by a failover are never pruned or overwritten; --carry-stranded plans "
                    "(and with --apply carries) them to the live primary.",
     .run = run_sync},
    {.name = "activate",
     .summary = "after a failover: Agent jobs enabled on the live primary, disabled on the live secondary",
     .description = "Asks both instances of the pair which holds the primary role now (exit 5 when that cannot be "
                    "told, nothing written) and takes the last snapshot of the instance activated last (right "
                    "after a failover: the old primary's, docs/replay.md), then enables on the live "
                    "primary every job enabled in that snapshot and, with jobs_on_secondary = \"disabled\" (the "
                    "default), disables those jobs on the live secondary. Jobs are not created or changed otherwise "
                    "(sync does that). Idempotent. Exit 0 when done or nothing was to do, 4 when a change failed or "
                    "the secondary could not be read (its jobs stay as they are), 69 when the primary is "
                    "unreachable, 66 for an unknown pair or no snapshot.",
     .run = run_activate},
    {.name = "script",
     .summary = "write the pair's plan as a standalone T-SQL script for sqlcmd",
     .description = "Builds the same plan as `sync` and writes it as a script a DBA can review and run with "
                    "sqlcmd: one batch and transaction per object separated by GO, blocked and incompatible "
                    "objects as comments, secrets as sqlcmd variables US_SECRET_n listed in the header (set them "
                    "in the environment). Changes nothing.",
     .run = run_script},
    {.name = "serve",
     .summary = "run the HTTP gate service: gates, drift, sync, reports, audit, scheduled snapshots",
     .description = "Opens the store, loads the gate files (the shipped gates/ and service.gates_dir; a bad file "
                    "stops startup with exit 65), binds service.listen (default 127.0.0.1:8470; TLS when "
                    "service.tls_cert and service.tls_key are set), prints `listening on HOST:PORT`, tells systemd "
                    "READY=1, snapshots every primary every service.snapshot_interval and serves the routes of "
                    "docs/api.md until SIGTERM. SIGHUP reloads the gate files; a bad file keeps the last good set.",
     .run = run_serve},
    {.name = "gate",
     .summary = "evaluate a gate for a pair: exit 0 pass, 1 fail, 2 unknown",
     .description = "The evaluation `GET /v1/gates/GATE?pair=P` answers, without the service: the latest "
                    "snapshot of the pair's primary against the secondary read live, under the gate's checks and "
                    "exceptions (docs/gates.md). Unknown (exit 2) whenever it cannot tell: no snapshot, a snapshot "
                    "older than the gate allows (--max-age overrides), the secondary unreachable. 66 for an "
                    "unknown gate or pair, 65 for a bad gate file.",
     .run = run_gate},
    {.name = "report",
     .summary = "the pair's drift report: each finding's lifecycle and every change, for auditors",
     .description = "The report `GET /v1/reports/drift` answers, without the service: each finding a gate "
                    "evaluation listed (service or CLI) with its lifecycle — first seen, last seen, resolved at and "
                    "by which sync run and actor — every change a sync applied, and the exceptions in force, within "
                    "--since/--until (RFC 3339 UTC). --format html is the page with its chart (inline SVG, no "
                    "script); csv lists the findings, or with --table events every evaluation and sync action. "
                    "Reads the store only. Exit 0; 66 for an unknown pair or a store that does not exist.",
     .run = run_report},
    {.name = "audit verify",
     .summary = "check the hash chain of the audit trail",
     .description = "Walks every audit entry in the store, recomputing each hash over its content and the previous "
                    "entry's hash, and prints the head (the last entry's hash) to keep outside the store. A "
                    "chain whose last entries were deleted still holds: --head HASH, an earlier head kept "
                    "outside the store, must still be an entry, which proves nothing was cut. Exit 0 when the "
                    "chain holds; 65 naming the first entry that was changed, removed or reordered, or the "
                    "pinned head that is gone.",
     .run = run_audit_verify},
    {.name = "store copy",
     .summary = "copy the whole store to an empty one: SQLite file or PostgreSQL database, either way",
     .description = "Copies every snapshot (with its object versions and password hashes), the sync journal, runs, "
                    "gate evaluations and the audit trail from --from to --to, ids kept, in one transaction on the "
                    "target: the row count of every table is compared with the source and the audit chain is "
                    "verified on the copy (same entries, same head) before it is committed. A file path is a SQLite "
                    "store, postgresql://USER@HOST:PORT/DB a PostgreSQL one (its password from store_password_env "
                    "or store_password_file in the config). The source is only read and must be at this build's "
                    "schema; stop its writers first. Exit 0 when copied and verified; 65 when the target is not "
                    "empty or the copy does not verify (nothing is kept); 66 when the source does not exist; 69 "
                    "when a PostgreSQL server cannot be reached.",
     .run = run_store_copy},
    {.name = "help",
     .summary = "show the commands, the options of one command, or the exit codes",
     .description = "`understudy help` lists the commands; `understudy help COMMAND` shows its options (the same as "
                    "`understudy COMMAND --help`); `understudy help exit-codes` lists the exit codes. With "
                    "--markdown the output is the Markdown of docs/cli.md (or docs/errors.md for exit-codes).",
     .run = run_help},
    {.name = "version",
     .summary = "print the version",
     .description = "Prints `understudy VERSION`.",
     .run = run_version},
};

}  // namespace

std::span<const CommandSpec> commands() { return kCommands; }

const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace understudy::cli
