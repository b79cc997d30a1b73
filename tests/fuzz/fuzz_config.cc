// fuzz_config — the TOML configuration loader (config::load_from_string): any text is a
// configuration or a kConfig error naming what and where, never a crash or an exception.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto cfg = understudy::config::load_from_string(text, "fuzz.toml");
  if (!cfg && cfg.error().message.empty()) {
    std::fprintf(stderr, "fuzz_config: an error without a message\n");
    std::abort();
  }
  if (cfg) (void)understudy::config::describe(*cfg);
  return 0;
}
