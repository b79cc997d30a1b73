// instance.h — builds an emulated SQL Server instance (engine) from options.
// Thread-safety: the returned Instance is thread-safe (see api.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/api.h"
#include "engine/context.h"

namespace emu {

struct InstanceOptions {
  InstanceConfig config;
  std::string sa_password;
  std::string fixture_path;   // JSON fixture to seed from; empty = none
  std::string init_sql_path;  // T-SQL file run through the engine after the fixture; empty = none
};

// Returns nullptr and fills *error when the fixture or init SQL is bad.
std::unique_ptr<Instance> create_instance(const InstanceOptions& options, std::string* error);

// The request log of an instance made by create_instance: its last 1000 requests, oldest first —
// "BATCH <text>" for SQL batches and "RPC <name>(<param>=<value>, …)" for RPCs (binary values as
// 0x…, secrets included: it is test scaffolding). Empty for any other Instance.
std::vector<std::string> request_log(const Instance& instance);
void clear_request_log(Instance& instance);

}  // namespace emu
