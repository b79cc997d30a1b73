// gate.h — the gate operation: one gate's answer for one pair, as `understudy gate` prints it
// and GET /v1/gates/{gate} answers it (the service adds request coalescing and metrics around it).
//
// The inputs are gathered here — the pair's latest primary snapshot from the store (kept as
// digests per snapshot by gates::PrimaryCache; objects decoded only for the checks that read
// them, and for the rest only those that differ from the target), a live read of the target, the cutover checks' live reads
// (gates::CutoverReads, concurrent with the target's read), `tsql` checks and the jobs' state —
// and gates::evaluate, a pure function, judges them. Every evaluation is recorded in the store for
// the drift report. Never an error: a gate that cannot tell answers `unknown` with the reason.
//
// Gate files: load_gates() reads the shipped directory and the config's service.gates_dir;
// find_gate() names the gates that exist, or the pairs a gate applies to, when the one asked for
// is not there (kNotFound).
// Thread-safety: evaluate_gate is reentrant (the Context and the cache are thread-safe); the
// store is held only for store work, never across a live read.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "gates/loader.h"
#include "gates/sources.h"
#include "gates/verdict.h"
#include "ops/context.h"
#include "replay/sync.h"

namespace understudy::ops {

// The shipped gate directory followed by the config's gates_dir (when set).
std::vector<std::string> gate_dirs(const config::Config& config);
// Loads them; kDataErr naming the file and the JSON pointer of the first bad gate.
[[nodiscard]] Result<std::unique_ptr<gates::GateRegistry>> load_gates(const config::Config& config);
// The unexpired exceptions of the gates that apply to `pair`, as sync accepts them: an
// incompatible object one of them names does not keep a sync from converging (replay/sync.h).
std::vector<replay::AcceptedException> accepted_exceptions(const gates::GateSet& gates, const std::string& pair,
                                                           int64_t now_unix);
// `pair` empty: any pair.
[[nodiscard]] Result<std::shared_ptr<const gates::Gate>> find_gate(const gates::GateRegistry& registry,
                                                                   const std::string& name, const std::string& pair);

struct GateAnswer {
  gates::GateResult result;
  size_t objects = 0;                      // objects the evaluation held (primary snapshot + target)
  std::map<std::string, int> drift_by_kind;  // every replayed kind; empty when the answer is unknown
};

// `params`: the cutover checks' request parameters (state, max_lag_seconds, expect), validated by
// gates::validate_cutover_params.
GateAnswer evaluate_gate(Context& ctx, gates::PrimaryCache& primaries, const gates::Gate& gate,
                         const config::Pair& pair, std::optional<int64_t> max_age,
                         const std::map<std::string, std::string>& params = {});

}  // namespace understudy::ops
