// check_stamp.cc — see check_stamp.h.
#include "store/check_stamp.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>

namespace understudy::store {

namespace {

std::string stamp_path(const std::string& db_path) { return db_path + "-checked"; }

// Files this process found damaged, by their resolved path (a relative and an absolute path name
// the same file; an inode number could be reused by another file): never stamped again by it.
std::mutex damaged_mu;
std::set<std::string>& damaged_files() {
  static std::set<std::string> files;
  return files;
}
std::string resolved(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

// The file state a stamp records, as one line.
bool describe_file(const std::string& db_path, std::string& out) {
  struct stat sb {};
  if (::stat(db_path.c_str(), &sb) != 0 || !S_ISREG(sb.st_mode)) return false;
  char line[256];
  std::snprintf(line, sizeof line, "understudy-store-check 1 %llu %llu %lld %lld.%09ld %lld.%09ld\n",
                static_cast<unsigned long long>(sb.st_dev), static_cast<unsigned long long>(sb.st_ino),
                static_cast<long long>(sb.st_size), static_cast<long long>(sb.st_mtim.tv_sec), sb.st_mtim.tv_nsec,
                static_cast<long long>(sb.st_ctim.tv_sec), sb.st_ctim.tv_nsec);
  out = line;
  return true;
}

}  // namespace

bool unchanged_since_check(const std::string& db_path) {
  std::string now;
  if (!describe_file(db_path, now)) return false;
  int fd = ::open(stamp_path(db_path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n > 0 && std::string(buf, static_cast<size_t>(n)) == now;
}

void stamp_checked(const std::string& db_path) {
  {
    std::string id = resolved(db_path);
    std::lock_guard lock(damaged_mu);
    if (damaged_files().count(id)) return;
  }
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  // Below the kernel's clock tick: a write through the file system gets a tick's time, never this.
  std::random_device rd;
  now.tv_nsec = (now.tv_nsec / 1000) * 1000 + static_cast<long>(1 + rd() % 999);
  const timespec times[2] = {{0, UTIME_OMIT}, now};
  struct stat sb {};
  std::string line;
  if (::utimensat(AT_FDCWD, db_path.c_str(), times, 0) != 0 || ::stat(db_path.c_str(), &sb) != 0 ||
      sb.st_mtim.tv_sec != now.tv_sec || sb.st_mtim.tv_nsec != now.tv_nsec || !describe_file(db_path, line)) {
    forget_check(db_path);  // no nanoseconds kept (or no file): nothing to recognise it by
    return;
  }
  std::string tmp = stamp_path(db_path) + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    forget_check(db_path);
    return;
  }
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), stamp_path(db_path).c_str()) != 0) {
    ::unlink(tmp.c_str());
    forget_check(db_path);
  }
}

void forget_check(const std::string& db_path) { ::unlink(stamp_path(db_path).c_str()); }

void note_damaged(const std::string& db_path) {
  {
    std::string id = resolved(db_path);
    std::lock_guard lock(damaged_mu);
    damaged_files().insert(std::move(id));
  }
  forget_check(db_path);
}

}  // namespace understudy::store
