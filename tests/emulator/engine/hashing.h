// hashing.h — SQL Server password hashes and SIDs as the emulator stores them.
//
// Password hash (SQL Server 2012+): 0x0200 | salt(4) | SHA2_512(UTF-16LE(password) || salt), 70
// bytes. 0x0100 | salt | SHA1(…) (2005–2008R2, 26 bytes) is also verified. Windows SIDs for
// logins created FROM WINDOWS are derived deterministically from the name (no AD here).
// Thread-safety: pure functions (random salt/SID from OpenSSL's RAND_bytes).
#pragma once

#include <string>

namespace emu::st {

// UTF-8 → UTF-16LE bytes (invalid sequences become U+FFFD).
std::string utf16le(const std::string& utf8);
// 70-byte 0x0200 hash of `password` with `salt` (4 bytes; random when empty).
std::string sql_password_hash(const std::string& password, const std::string& salt = "");
// True when `hash` (0x0200 or 0x0100 format) is the hash of `password`.
bool verify_sql_password(const std::string& hash, const std::string& password);
// True when `hash` has a layout CREATE LOGIN … HASHED accepts (0x0100 26 bytes / 0x0200 70 bytes).
bool is_valid_hashed_password(const std::string& hash);
// New SQL login SID: 16 random bytes (GUID-based, as SQL Server).
std::string new_sql_login_sid();
// Deterministic Windows SID S-1-5-21-a-b-c-RID for DOMAIN\name (28 bytes), same on every run.
std::string windows_sid(const std::string& domain_and_name);
// Entra (external provider) SID: the 16 bytes of OBJECT_ID (GUID byte order) or, without one, a
// deterministic 16-byte value derived from the name.
std::string external_sid(const std::string& name, const std::string& object_id_guid);

}  // namespace emu::st
