// Response-rate limiting for UDP answers (in the spirit of BIND/Knot RRL): one token bucket per
// client address prefix, kept in a fixed-size set-associative table so memory stays bounded
// whatever the number of clients. Time is passed in; the class reads no clock.
// Thread-safety: Check() may be called concurrently from any thread (per-set spinlocks).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace hm::trustchain::dns {

struct RrlOptions {
  uint32_t responses_per_second = 0;  // per client prefix; 0 = off
  // Every Nth limited response is sent as a truncated (TC=1, no records) reply instead of being
  // dropped, so a legitimate client behind a limited prefix retries over TCP. 0 = drop all.
  uint32_t slip = 2;
  uint8_t ipv6_prefix_length = 56;
  size_t table_size = 65536;  // buckets; bounded memory (about 40 octets each)
};

class Rrl {
 public:
  enum class Decision { kSend, kDrop, kSlip };

  // `hash_seed` keys the table hash so a remote party cannot aim collisions at one set.
  // Requires ipv6_prefix_length <= 128 and table_size >= 1 (DnsServer::Start validates).
  Rrl(const RrlOptions& options, uint64_t hash_seed);
  ~Rrl();
  Rrl(const Rrl&) = delete;
  Rrl& operator=(const Rrl&) = delete;

  bool enabled() const { return rate_ != 0; }

  // Charges one response to the prefix of `address` at monotonic time `now_ms`. A new or
  // long-idle prefix starts with a full bucket of one second's worth of responses.
  Decision Check(std::span<const uint8_t, 16> address, int64_t now_ms);

 private:
  struct Entry;
  static constexpr size_t kWays = 4;

  const uint32_t rate_;
  const uint32_t slip_;
  const uint8_t prefix_length_;
  const uint64_t seed_;
  size_t set_mask_ = 0;
  std::unique_ptr<Entry[]> entries_;                // (set_mask_ + 1) * kWays
  std::unique_ptr<std::atomic<bool>[]> set_locks_;  // one per set
};

}  // namespace hm::trustchain::dns
