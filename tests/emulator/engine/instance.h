// instance.h — builds an emulated SQL Server instance (engine) from options.
// Thread-safety: the returned Instance is thread-safe (see api.h).
#pragma once

#include <memory>
#include <string>

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

}  // namespace emu
