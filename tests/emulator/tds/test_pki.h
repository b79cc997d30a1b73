// test_pki.h — test-only: certificates for the encrypted-connection tests, made at test time by
// make-test-pki.sh (nothing secret is committed), and a freetds.conf that points FreeTDS at the CA.
//
// FreeTDS 1.3 (Debian bookworm) takes `Encryption=require` in an ODBC connection string but reads
// the CA file (`ca file`) and the host name check only from a freetds.conf section, which the
// connection string names with `Servername=` (https://www.freetds.org/userguide/odbcconnattr.htm,
// https://www.freetds.org/userguide/freetdsconf.htm); FREETDSCONF tells FreeTDS where that file is.
// Thread-safety: test_pki()/rogue_pki() are initialized once (function-local statics).
#pragma once

#include <string>

namespace emu::tds::testing {

struct TestPki {
  std::string dir;
  std::string ca;    // the test CA's certificate (PEM)
  std::string cert;  // server certificate for localhost / 127.0.0.1, signed by the CA
  std::string key;   // its private key
};

// One PKI per test process (removed at exit); throws std::runtime_error if it cannot be made.
const TestPki& test_pki();
// A second, unrelated CA and server certificate: a client trusting test_pki().ca must refuse it.
const TestPki& rogue_pki();
// A CA and a server certificate for elsewhere.invalid only: a client that checks the host name it
// connected to (127.0.0.1) must refuse it even though it trusts the CA.
const TestPki& wrong_host_pki();

// Writes <dir>/freetds.conf with sections `emu_verified` (encryption = require, ca file = the test
// CA), `emu_rogue_ca` (the same trusting the rogue CA) and `emu_request` (encryption = request
// with the test CA: login-only encryption against a server that does not require it),
// `emu_wrong_host` (trusting wrong_host_pki()'s CA) and `emu_wrong_host_unchecked` (the same with
// `check certificate hostname = no`), all for host 127.0.0.1, and sets FREETDSCONF to it.
// Returns the path.
std::string install_freetds_conf();

}  // namespace emu::tds::testing
