// replay_main.cc — runs a fuzz target (LLVMFuzzerTestOneInput) over files, without libFuzzer.
//
// Every target is built this way in every build (g++ or clang, plain or sanitized), and ctest
// runs it over the target's corpus and its regressions (tests/fuzz/corpus/<target>,
// tests/fuzz/regressions/<target>): a crash once found by fuzzing stays a failing test until it
// is fixed, and the corpus keeps exercising the target in the plain and sanitizer lanes.
//   fuzz_<target>_replay DIR_OR_FILE…
// Exit 0 when every input ran (a target aborts on a broken property); 66 when an argument is
// neither a file nor a directory.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(argv[i], ec)) {
      for (const auto& e : fs::directory_iterator(argv[i]))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (fs::is_regular_file(argv[i], ec)) {
      files.push_back(argv[i]);
    } else if (fs::exists(argv[i], ec)) {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[i]);
      return 66;
    } else {
      continue;  // a target without regressions yet
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), {});
      std::fprintf(stderr, "replay: %s (%zu bytes)\n", f.c_str(), bytes.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++ran;
    }
  }
  std::fprintf(stderr, "replay: %zu inputs ran\n", ran);
  return 0;
}
