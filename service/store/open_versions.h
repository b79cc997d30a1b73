// open_versions.h — the versions an instance held at its latest snapshot, by content id: what a
// SnapshotWriter looks each incoming object up in (an unchanged snapshot of scale L looks
// up half a million content ids).
//
// Versions are kept in id order — the order they were added in, which is the order the catalog
// reader delivered their objects — and a cursor follows the incoming stream: when the next object
// is the version at the cursor (an unchanged instance read in the same order), the lookup is a
// sequential compare and no hash table is ever built. The first object that is not at the cursor
// (new, changed, or arriving in another order) builds a flat open-addressing table (linear
// probing, 16-byte slots keyed by the content id's first 8 bytes, already a uniform hash) and
// every later miss is one probe; a hit moves the cursor just past the version found, so the
// stream re-synchronises after each change.
//
// Content ids are SHA-256; 24 of their 32 bytes are kept and compared so that two contents
// colliding on a short prefix — which someone able to name logins could search for — can never
// pass for each other.
// Thread-safety: plain value, one thread. Ownership: owns its storage.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

namespace understudy::store {

class OpenVersions {
 public:
  static constexpr size_t kIdBytes = 32;  // a content id (SHA-256)

  // Room for `n` versions without growing.
  void reserve(size_t n) { versions_.reserve(n); }
  // Adds the open version `version_id` (> 0) of content `cid` (kIdBytes bytes). Versions are
  // added in ascending id order (the cursor's order); before the first take().
  void insert(const unsigned char* cid, int64_t version_id) {
    Version v{};
    std::memcpy(v.prefix, cid, sizeof v.prefix);
    v.id = version_id;
    versions_.push_back(v);
  }
  // Marks the unseen version of content `cid` seen and returns true; false when the instance held
  // no such content (or it was already taken by an earlier object of this snapshot).
  bool take(const unsigned char* cid) {
    if (cursor_ < versions_.size() && claim(versions_[cursor_], cid)) {
      ++cursor_;
      return true;
    }
    if (versions_.empty()) return false;
    if (slots_.empty()) build_index();
    uint64_t h = head(cid);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.position == 0) return false;
      if (s.head == h && claim(versions_[s.position - 1], cid)) {
        cursor_ = s.position;  // just past the version found
        return true;
      }
    }
  }
  // The version ids never taken, in ascending order: what the snapshot closes.
  std::vector<int64_t> unseen() const {
    std::vector<int64_t> out;
    for (const Version& v : versions_)
      if (v.id > 0) out.push_back(v.id);
    if (!std::is_sorted(out.begin(), out.end())) std::sort(out.begin(), out.end());
    return out;
  }
  size_t size() const { return versions_.size(); }
  void clear() {
    versions_ = {};
    slots_ = {};
    cursor_ = mask_ = 0;
  }

 private:
  struct Version {
    unsigned char prefix[24];
    int64_t id;  // negative once taken (seen in this snapshot)
  };
  struct Slot {
    uint64_t head;      // the content id's first 8 bytes
    uint64_t position;  // 1 + index into versions_; 0 = empty slot
  };

  static uint64_t head(const unsigned char* cid) {
    uint64_t h;
    std::memcpy(&h, cid, sizeof h);
    return h;
  }
  static bool claim(Version& v, const unsigned char* cid) {
    if (v.id < 0 || std::memcmp(v.prefix, cid, sizeof v.prefix) != 0) return false;
    v.id = -v.id;
    return true;
  }
  void build_index() {
    size_t capacity = std::bit_ceil(versions_.size() + versions_.size() / 2 + 1);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (size_t p = 0; p < versions_.size(); ++p) {
      uint64_t h = head(versions_[p].prefix);
      size_t i = h & mask_;
      while (slots_[i].position != 0) i = (i + 1) & mask_;
      slots_[i] = {h, p + 1};
    }
  }

  std::vector<Version> versions_;  // in id order
  std::vector<Slot> slots_;        // built at the first miss
  size_t cursor_ = 0;
  size_t mask_ = 0;
};

}  // namespace understudy::store
