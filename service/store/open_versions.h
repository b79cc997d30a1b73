// open_versions.h — the versions an instance held at its latest snapshot, by content id: what a
// SnapshotWriter looks each incoming object up in (issue 3: an unchanged snapshot of scale L looks
// up half a million content ids).
//
// A flat open-addressing table (linear probing) of 32-byte slots: the first 24 bytes of the
// content id and the version id. The content id is a SHA-256, so its first 8 bytes are already a
// uniform hash; one lookup is one cache miss (a sorted vector with binary search cost one per
// step, ~19 at L). 24 bytes and not 8 are compared so that two contents colliding on a short
// prefix — which someone able to name logins could search for — can never pass for each other.
// Thread-safety: plain value, one thread. Ownership: owns its slots.
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
  void reserve(size_t n) {
    size_t want = std::bit_ceil(std::max<size_t>(16, n + n / 2 + 1));
    if (want > slots_.size()) rehash(want);
  }
  // Adds the open version `version_id` (> 0) of content `cid` (kIdBytes bytes).
  void insert(const unsigned char* cid, int64_t version_id) {
    if ((size_ + 1) * 10 > slots_.size() * 7) reserve(slots_.size());
    Slot s{};
    std::memcpy(s.prefix, cid, sizeof s.prefix);
    s.version = version_id;
    place(s);
    ++size_;
  }
  // Marks the unseen version of content `cid` seen and returns true; false when the instance held
  // no such content (or it was already taken by an earlier object of this snapshot).
  bool take(const unsigned char* cid) {
    if (slots_.empty()) return false;
    for (size_t i = first_slot(cid);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.version == 0) return false;
      if (s.version > 0 && std::memcmp(s.prefix, cid, sizeof s.prefix) == 0) {
        s.version = -s.version;
        return true;
      }
    }
  }
  // The version ids never taken, in ascending order: what the snapshot closes.
  std::vector<int64_t> unseen() const {
    std::vector<int64_t> out;
    for (const Slot& s : slots_)
      if (s.version > 0) out.push_back(s.version);
    std::sort(out.begin(), out.end());
    return out;
  }
  size_t size() const { return size_; }
  void clear() {
    slots_ = {};
    size_ = 0;
    mask_ = 0;
  }

 private:
  struct alignas(32) Slot {
    unsigned char prefix[24];
    int64_t version;  // 0 = empty slot; negative = taken (seen in this snapshot)
  };
  static_assert(sizeof(Slot) == 32, "a slot never straddles a cache line");

  size_t first_slot(const unsigned char* cid) const {
    uint64_t h;
    std::memcpy(&h, cid, sizeof h);
    return static_cast<size_t>(h) & mask_;
  }
  void place(const Slot& s) {
    size_t i = first_slot(s.prefix);
    while (slots_[i].version != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
  void rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Slot& s : old)
      if (s.version != 0) place(s);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  size_t mask_ = 0;
};

}  // namespace understudy::store
