// main.cc — the `understudy` binary: everything lives in understudy_cli (run.h).
#include <iostream>
#include <string>
#include <vector>

#include "cli/run.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return understudy::cli::run(args, std::cout, std::cerr);
}
