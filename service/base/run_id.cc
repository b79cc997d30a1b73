#include "base/run_id.h"

#include <random>

namespace understudy {

std::string new_run_id() {
  std::random_device rd;
  std::uniform_int_distribution<int> nibble(0, 15);
  std::string id;
  for (int i = 0; i < 16; ++i) id.push_back("0123456789abcdef"[nibble(rd)]);
  return id;
}

}  // namespace understudy
