#include "trustchain/dns/server/rrl.h"

#include <algorithm>
#include <cstring>

namespace hm::trustchain::dns {

struct Rrl::Entry {
  uint64_t key_hi = 0;
  uint64_t key_lo = 0;
  int64_t last_ms = 0;
  int64_t tokens = 0;    // milli-responses, 0 .. rate * 1000
  uint32_t limited = 0;  // limited responses so far, drives the slip cadence
  bool used = false;
};

namespace {

uint64_t Mix(uint64_t x) {  // splitmix64 finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t LoadBe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// Keeps the leading `bits` bits of a 64-bit half (bits in 0..64).
uint64_t KeepBits(uint64_t v, int bits) {
  if (bits <= 0) return 0;
  if (bits >= 64) return v;
  return v & ~(~uint64_t{0} >> bits);
}

class SpinGuard {
 public:
  explicit SpinGuard(std::atomic<bool>& lock) : lock_(lock) {
    while (lock_.exchange(true, std::memory_order_acquire)) {
      while (lock_.load(std::memory_order_relaxed)) {
      }
    }
  }
  ~SpinGuard() { lock_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool>& lock_;
};

}  // namespace

Rrl::Rrl(const RrlOptions& options, uint64_t hash_seed)
    : rate_(options.responses_per_second),
      slip_(options.slip),
      prefix_length_(std::min<uint8_t>(options.ipv6_prefix_length, 128)),
      seed_(hash_seed) {
  if (rate_ == 0) return;
  // Largest power-of-two number of sets that fits the requested table size (at least one set).
  size_t sets = 1;
  while (sets * 2 * kWays <= std::max<size_t>(options.table_size, kWays)) sets *= 2;
  set_mask_ = sets - 1;
  entries_ = std::make_unique<Entry[]>(sets * kWays);
  set_locks_ = std::make_unique<std::atomic<bool>[]>(sets);
  for (size_t i = 0; i < sets; ++i) set_locks_[i].store(false, std::memory_order_relaxed);
}

Rrl::~Rrl() = default;

Rrl::Decision Rrl::Check(std::span<const uint8_t, 16> address, int64_t now_ms) {
  if (rate_ == 0) return Decision::kSend;
  const uint64_t hi = KeepBits(LoadBe64(address.data()), prefix_length_);
  const uint64_t lo = KeepBits(LoadBe64(address.data() + 8), prefix_length_ - 64);
  const size_t set = Mix(Mix(hi ^ seed_) ^ lo) & set_mask_;
  const int64_t capacity = int64_t{rate_} * 1000;

  SpinGuard guard(set_locks_[set]);
  Entry* ways = &entries_[set * kWays];
  Entry* entry = nullptr;
  for (size_t i = 0; i < kWays; ++i) {
    if (ways[i].used && ways[i].key_hi == hi && ways[i].key_lo == lo) {
      entry = &ways[i];
      break;
    }
  }
  if (entry == nullptr) {
    // Evict the least recently charged way (an unused one first).
    entry = &ways[0];
    for (size_t i = 0; i < kWays && entry->used; ++i) {
      if (!ways[i].used || ways[i].last_ms < entry->last_ms) entry = &ways[i];
    }
    *entry = Entry{hi, lo, now_ms, capacity, 0, true};
  } else {
    const int64_t elapsed = std::max<int64_t>(0, now_ms - entry->last_ms);
    // elapsed ms * rate/s = milli-responses; a full second refills the bucket completely.
    entry->tokens =
        elapsed >= 1000 ? capacity : std::min(capacity, entry->tokens + elapsed * rate_);
    entry->last_ms = std::max(entry->last_ms, now_ms);
  }
  if (entry->tokens >= 1000) {
    entry->tokens -= 1000;
    return Decision::kSend;
  }
  ++entry->limited;
  if (slip_ != 0 && entry->limited % slip_ == 0) return Decision::kSlip;
  return Decision::kDrop;
}

}  // namespace hm::trustchain::dns
