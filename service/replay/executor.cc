// executor.cc — see executor.h.
#include "replay/executor.h"

#include <map>
#include <set>

#include "base/redact.h"
#include "base/time.h"
#include "odbc/connection.h"
#include "replay/planner.h"

namespace understudy::replay {
namespace {

using Clock = std::chrono::steady_clock;

std::string status_of_block(const Action& a) {
  if (a.block == Block::kIncompatible) return "incompatible";
  if (a.block != Block::kNone) return "blocked";
  return "skipped";
}

// Server messages can quote text near an error — a whole secret of this action or a piece of
// it: no run of a secret long enough to matter survives (base/redact.h).
std::string scrub(std::string message, const Action& a, const tsql::SecretResolver& secrets) {
  for (const auto& ref : a.secrets()) {
    auto v = secrets(ref);
    if (!v || !*v || (*v)->empty()) continue;
    message = redact_fragments(std::move(message), **v);
  }
  return message;
}

int64_t ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// One object's reported outcome, as its row of a batch said.
struct Reported {
  int32_t error = 0;
  std::string message;
  Clock::time_point at;
};

// What came back for one batch: the rows that arrived (by seq) and, when the batch did not
// finish, the error that ended it.
struct BatchReply {
  std::map<int, Reported> rows;
  std::optional<Error> error;
};

// Sends one batch and reads every row it returns, stopping at the first error.
BatchReply send_batch(odbc::Connection& conn, const std::string& text) {
  BatchReply reply;
  auto st = conn.statement();
  if (!st) {
    reply.error = st.error();
    return reply;
  }
  if (auto s = st->execute_direct(text); !s) {
    reply.error = s.error();
    return reply;
  }
  odbc::Row row;
  while (true) {
    if (st->columns().size() == 3 && st->columns()[0].name == "us_seq") {
      while (true) {
        auto more = st->fetch(row);
        if (!more) {
          reply.error = more.error();
          return reply;
        }
        if (!*more) break;
        const int64_t* seq = odbc::as_int(row[0]);
        const int64_t* number = odbc::as_int(row[1]);
        const std::string* message = odbc::as_text(row[2]);
        if (seq == nullptr) continue;
        Reported r;
        r.error = number ? static_cast<int32_t>(*number) : 0;
        if (message) r.message = *message;
        r.at = Clock::now();
        // A failure without a number (never seen) must not read as success.
        if (!number && !odbc::is_null(row[1])) r.error = 50000;
        reply.rows[static_cast<int>(*seq)] = std::move(r);
      }
    }
    auto next = st->next_result();
    if (!next) {
      reply.error = next.error();
      return reply;
    }
    if (!*next) break;
  }
  return reply;
}

class Runner {
 public:
  Runner(odbc::Connection& conn, const Plan& plan, const tsql::SecretResolver& secrets, const ExecuteOptions& options)
      : conn_(conn), plan_(plan), secrets_(secrets), options_(options) {
    for (const auto& a : plan_.actions) needed_.insert(a.needs.begin(), a.needs.end());
  }

  Execution run() {
    const size_t per_batch = options_.stop_on_error ? 1 : std::max<size_t>(1, options_.objects_per_batch);
    size_t i = 0;
    while (i < plan_.actions.size()) {
      // Gather the next group: up to per_batch runnable actions (and the non-runnable ones
      // between them, reported in plan order) within the byte budget.
      struct Item {
        size_t index;
        std::optional<std::string> text;  // rendered TRY block; nullopt: not sent
        Outcome outcome;
      };
      std::vector<Item> group;
      std::string batch = prologue_;
      size_t sent = 0;
      while (i < plan_.actions.size() && sent < per_batch) {
        const Action& a = plan_.actions[i];
        Item it{i, std::nullopt, {}};
        it.outcome.seq = a.seq;
        it.outcome.started_at = utc_now();
        if (stop_) {
          it.outcome.status = "not_run";
        } else if (!a.runnable()) {
          it.outcome.status = status_of_block(a);
          if (a.block != Block::kNone) it.outcome.error_message = a.blocked;
        } else if (auto why = unmet_need(a)) {
          it.outcome.status = "blocked";
          it.outcome.error_message = std::move(*why);
        } else {
          // Dependencies sent in this batch are checked by the batch itself (Action::try_block).
          std::vector<int> wait_for;
          for (int need : a.needs) {
            if (in_flight_.count(need) != 0) wait_for.push_back(need);
          }
          auto text = a.try_block(wait_for, needed_.count(a.seq) != 0).render_literal(secrets_);
          if (!text) {
            it.outcome.status = "blocked";
            it.outcome.error_message = text.error().message;
          } else {
            if (sent > 0 && batch.size() + text->size() > options_.batch_bytes) break;
            batch += *text;
            it.text = std::move(*text);
            in_flight_.insert(a.seq);
            ++sent;
          }
        }
        if (!it.text) status_[a.seq] = it.outcome.status;
        group.push_back(std::move(it));
        ++i;
      }
      if (sent > 0) run_group(group, batch, sent);
      in_flight_.clear();
      for (auto& it : group) {
        if (!record(plan_.actions[it.index], std::move(it.outcome))) stop_ = true;
      }
    }
    return std::move(ex_);
  }

 private:
  template <typename Group>
  void run_group(Group& group, const std::string& batch, size_t sent) {
    const auto t0 = Clock::now();
    ++ex_.batches;
    BatchReply reply = send_batch(conn_, batch);
    auto last = t0;
    for (auto& it : group) {
      if (!it.text) continue;
      const Action& a = plan_.actions[it.index];
      if (auto found = reply.rows.find(a.seq); found != reply.rows.end()) {
        settle(it.outcome, a, found->second.error, found->second.message);
        it.outcome.duration_ms = ms_between(last, found->second.at);
        last = found->second.at;
        status_[a.seq] = it.outcome.status;
        continue;
      }
      // No row: the batch ended before this object's outcome came back.
      const Error e = reply.error ? *reply.error
                                  : Error(ErrorCode::kSql, conn_.label() + ": the target returned no outcome for the object");
      if (e.code == ErrorCode::kUnavailable || stop_) {
        lose(it.outcome, a, e, last);
        status_[a.seq] = it.outcome.status;
        continue;
      }
      if (sent == 1) {  // the batch held this object alone: its error is the object's
        settle(it.outcome, a, e.native != 0 ? e.native : 50000, e.message);
        it.outcome.duration_ms = ms_between(last, Clock::now());
        status_[a.seq] = it.outcome.status;
        continue;
      }
      // An error no TRY block catches (a compile error, a time-out) ended the batch: each object
      // without an outcome is sent again on its own, so each gets one. Creates are guarded and
      // alters absolute, so one that did commit before the end changes nothing the second time.
      // Its dependencies have their outcomes now: one that did not apply keeps it back, and the
      // block is rendered again without the batch's checks (their variables were the batch's).
      if (auto why = unmet_need(a)) {
        it.outcome.status = "blocked";
        it.outcome.error_message = std::move(*why);
        status_[a.seq] = it.outcome.status;
        continue;
      }
      auto text = a.try_block({}, needed_.count(a.seq) != 0).render_literal(secrets_);
      if (!text) {
        it.outcome.status = "blocked";
        it.outcome.error_message = text.error().message;
        status_[a.seq] = it.outcome.status;
        continue;
      }
      const auto s0 = Clock::now();
      ++ex_.batches;
      BatchReply alone = send_batch(conn_, prologue_ + *text);
      if (auto row = alone.rows.find(a.seq); row != alone.rows.end()) {
        settle(it.outcome, a, row->second.error, row->second.message);
      } else if (alone.error && alone.error->code == ErrorCode::kUnavailable) {
        lose(it.outcome, a, *alone.error, s0);
        status_[a.seq] = it.outcome.status;
        continue;
      } else {
        const Error& ae = alone.error ? *alone.error : e;
        settle(it.outcome, a, ae.native != 0 ? ae.native : 50000, ae.message);
      }
      last = Clock::now();
      it.outcome.duration_ms = ms_between(s0, last);
      status_[a.seq] = it.outcome.status;
    }
  }

  // When an action this one needs (Action::needs) has an outcome and did not apply: the reason
  // this one is not sent. An action of the batch in flight has no outcome yet.
  std::optional<std::string> unmet_need(const Action& a) const {
    for (int seq : a.needs) {
      auto st = status_.find(seq);
      if (st == status_.end() || st->second == "applied") continue;
      if (seq < 1 || static_cast<size_t>(seq) > plan_.actions.size()) continue;
      const Action& d = plan_.actions[static_cast<size_t>(seq) - 1];
      return "depends on " + std::string(catalog::kind_name(d.kind)) + " \"" + d.key + "\" (" + st->second + ")";
    }
    return std::nullopt;
  }

  // An object sent whose outcome never came back: the connection was lost (the run stops; the
  // object may or may not have been applied — the re-read after the run says which), or an
  // earlier object failed under --stop-on-error (then it did not run).
  void lose(Outcome& o, const Action& a, const Error& e, Clock::time_point since) {
    if (e.code != ErrorCode::kUnavailable) {
      o.status = "not_run";
      return;
    }
    if (!ex_.aborted) {
      ex_.aborted = e;
      ex_.aborted->message = scrub(e.message, a, secrets_);
    }
    stop_ = true;
    o.status = "unknown";
    o.error_number = e.native;
    o.error_message =
        scrub("the connection was lost before the target reported this object's outcome: " + e.message, a, secrets_);
    o.duration_ms = ms_between(since, Clock::now());
  }

  void settle(Outcome& o, const Action& a, int32_t error, const std::string& message) {
    if (error == 0) {
      o.status = "applied";
      return;
    }
    if (error == 50000 && message == kDependencyNotApplied) {  // its block checked a dependency
      o.status = "blocked";
      o.error_message = unmet_need(a).value_or("depends on an object that did not apply");
      return;
    }
    o.status = "failed";
    o.error_number = error;
    o.error_message = scrub(message, a, secrets_);
    if (options_.stop_on_error) stop_ = true;
  }

  bool record(const Action& a, Outcome o) {
    if (o.status == "applied") ++ex_.applied;
    if (o.status == "failed") ++ex_.failed;
    if (o.status == "blocked") ++ex_.blocked;
    bool ok = true;
    if (options_.on_outcome) {
      if (auto s = options_.on_outcome(a, o); !s) {
        if (!ex_.aborted) ex_.aborted = s.error();
        ok = false;
      }
    }
    ex_.outcomes.push_back(std::move(o));
    return ok;
  }

  odbc::Connection& conn_;
  const Plan& plan_;
  const tsql::SecretResolver& secrets_;
  const ExecuteOptions& options_;
  const std::string prologue_ = batch_prologue().render_redacted();
  Execution ex_;
  bool stop_ = false;
  std::set<int> needed_;                // seqs some action needs: their blocks set @us_ok_<seq>
  std::set<int> in_flight_;             // seqs sent in the batch being gathered
  std::map<int, std::string> status_;   // outcomes known so far, by seq
};

}  // namespace

Execution execute(odbc::Connection& conn, const Plan& plan, const tsql::SecretResolver& secrets,
                  const ExecuteOptions& options) {
  return Runner(conn, plan, secrets, options).run();
}

}  // namespace understudy::replay
