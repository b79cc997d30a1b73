// test_pki.cc — see test_pki.h.
#include "tds/test_pki.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#ifndef EMU_PKI_SCRIPT
#error "EMU_PKI_SCRIPT must be defined by the build"
#endif

namespace emu::tds::testing {
namespace {

// Owns one temporary directory for the process's PKIs; removes it at exit.
struct PkiRoot {
  std::filesystem::path dir;
  PkiRoot() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "understudy-pki-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("test_pki: cannot create a temp dir");
    dir = tmpl;
  }
  ~PkiRoot() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

PkiRoot& pki_root() {
  static PkiRoot root;
  return root;
}

TestPki make_pki(const std::string& name, const std::string& host = "") {
  const std::string dir = (pki_root().dir / name).string();
  const std::string cmd = std::string("bash '") + EMU_PKI_SCRIPT + "' '" + dir + "' " + host;
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("test_pki: " + cmd + " failed");
  return TestPki{dir, dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
}

}  // namespace

const TestPki& test_pki() {
  static const TestPki pki = make_pki("server");
  return pki;
}

const TestPki& rogue_pki() {
  static const TestPki pki = make_pki("rogue");
  return pki;
}

const TestPki& wrong_host_pki() {
  static const TestPki pki = make_pki("wrong-host", "elsewhere.invalid");
  return pki;
}

std::string install_freetds_conf() {
  const std::string path = (pki_root().dir / "freetds.conf").string();
  std::ofstream out(path, std::ios::trunc);
  auto section = [&](const char* name, const char* encryption, const std::string& ca, const char* extra = "") {
    out << "[" << name << "]\n\thost = 127.0.0.1\n\ttds version = 7.4\n\tencryption = " << encryption
        << "\n\tca file = " << ca << "\n" << extra;
  };
  section("emu_verified", "require", test_pki().ca);
  section("emu_rogue_ca", "require", rogue_pki().ca);
  section("emu_request", "request", test_pki().ca);
  section("emu_wrong_host", "require", wrong_host_pki().ca);
  section("emu_wrong_host_unchecked", "require", wrong_host_pki().ca, "\tcheck certificate hostname = no\n");
  out.close();
  if (!out) throw std::runtime_error("test_pki: cannot write " + path);
  ::setenv("FREETDSCONF", path.c_str(), 1);
  return path;
}

}  // namespace emu::tds::testing
