// instance_options.h — the one place that maps the emulator's command-line / harness settings
// onto engine InstanceOptions (shared by main.cc and harness.cc). Thread-safety: pure function.
#pragma once

#include <string>

#include "engine/instance.h"

namespace emu {

inline InstanceOptions make_instance_options(const std::string& server_name, int engine_edition,
                                             const std::string& sa_password, const std::string& fixture,
                                             const std::string& init_sql) {
  InstanceOptions io;
  io.config.server_name = server_name;
  io.config.machine_name = server_name;
  io.config.engine_edition = engine_edition;
  io.sa_password = sa_password;
  io.fixture_path = fixture;
  io.init_sql_path = init_sql;
  return io;
}

}  // namespace emu
