// Injectable randomness. Code that needs random bytes takes a Random&; production passes
// crypto::SecureRandom (OpenSSL's CSPRNG), tests pass a SeededRandom for reproducible runs.
// Thread-safety: SeededRandom is not thread-safe; give each thread its own.
#pragma once

#include <cstdint>
#include <span>

namespace hm::base {

class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;

  uint64_t NextU64() {
    uint8_t b[8];
    Fill(b);
    uint64_t v = 0;
    for (uint8_t x : b) v = (v << 8) | x;
    return v;
  }
  // Uniform in [0, bound); bound > 0.
  uint64_t Uniform(uint64_t bound);
};

// Deterministic, NOT cryptographic (xoshiro256** seeded by splitmix64). Tests and simulations only.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed);
  void Fill(std::span<uint8_t> out) override;

 private:
  uint64_t Next();
  uint64_t s_[4];
};

}  // namespace hm::base
