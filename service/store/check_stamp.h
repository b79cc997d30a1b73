// check_stamp.h — remembers that a store file was found sound, so that the next read-write open
// can skip SQLite's quick_check (every page read: a few hundred milliseconds at scale L) when
// nothing but understudy has written the file since.
//
// How: a process that opened the store for writing and verified it (or trusted a stamp) gives the
// main file, once its last connection is closed, an mtime of its own choosing — the current time
// to the nanosecond plus a random part, which no write through the file system produces (the
// kernel stamps writes with its coarse clock) — and records the file's identity and state in
// "<store>-checked": device, inode, size, mtime and ctime. The next open compares: any write
// since (a stray write, a restore over the file, SQLite's own checkpoint by a process that did
// not stamp) changes the mtime, the ctime or the inode, and the full check runs again. A file
// system that does not keep nanoseconds gets no stamp (it could not tell two writes in one
// second apart). What a stamp cannot see: damage to the medium under an unchanged file (SQLite
// then fails the query that reads the page: kStoreDamaged), and a stray write made while an
// understudy process held the store open (found by the next full check: `understudy serve`
// checks every hour, and any other process's write makes the next open check).
//
// Thread-safety: safe from any thread (the set of damaged files is behind a mutex); a stamp is
// replaced atomically (rename). Failing to write one
// is not an error (the next open checks in full).
#pragma once

#include <string>

namespace understudy::store {

// True when `db_path` is, by its file state, the file the stamp recorded after its last verified
// check.
bool unchanged_since_check(const std::string& db_path);
// Sets the file's mtime to a value no ordinary write gives it and records the file in the stamp.
// Call after this process's connection is closed. Removes a stale stamp when it cannot.
void stamp_checked(const std::string& db_path);
// Removes the stamp (a check failed, or the caller cannot vouch for the file).
void forget_check(const std::string& db_path);
// Damage was found in the file (a check or a query): removes the stamp, and this process stamps
// it no more.
void note_damaged(const std::string& db_path);

}  // namespace understudy::store
