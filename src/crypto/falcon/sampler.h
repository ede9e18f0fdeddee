// Falcon's signing randomness: the ChaCha20-based PRNG (seeded from SHAKE-256) and the
// discrete Gaussian sampler SamplerZ (half-Gaussian base table + BerExp rejection).
// Both consume PRNG bytes exactly like the round-3 reference so signatures match the KAT.
// Thread-safety: value types; one instance per signing operation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "crypto/keccak/keccak.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HM_FALCON_AVX2 1
#define HM_FALCON_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define HM_FALCON_AVX2 0
#endif

namespace hm::crypto::falcon::internal {

// Whether this CPU runs the AVX2 versions below (checked once).
bool HaveAvx2();
// Eight ChaCha20 blocks (counters counter..counter+7) in the interleaved 512-byte layout.
void ChaChaBlocksPortable(const uint32_t* key_iv, uint64_t counter, uint8_t* out);
// The base sampler's RCDT count for the 72-bit value hi:lo (hi < 256).
int BaseSamplePortable(uint64_t lo, uint32_t hi);
#if HM_FALCON_AVX2
// Same results; only after HaveAvx2().
HM_FALCON_TARGET_AVX2 void ChaChaBlocksAvx2(const uint32_t* key_iv, uint64_t counter,
                                            uint8_t* out);
HM_FALCON_TARGET_AVX2 int BaseSampleAvx2(uint64_t lo, uint32_t hi);
#endif

class ChaChaPrng {
 public:
  // Takes 56 bytes from `src` (32-byte key, 16-byte IV, 8-byte block counter).
  void Init(Shake256& src);

  uint64_t NextU64() {
    size_t u = ptr_;
    // Fewer than 9 bytes left: refill, dropping the tail (as the reference does).
    if (u >= kBufSize - 9) {
      Refill();
      u = 0;
    }
    ptr_ = u + 8;
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | buf_[u + static_cast<size_t>(i)];
    return v;
  }

  unsigned NextU8() {
    const unsigned v = buf_[ptr_++];
    if (ptr_ == kBufSize) Refill();
    return v;
  }

 private:
  static constexpr size_t kBufSize = 512;
  void Refill();

  std::array<uint8_t, kBufSize> buf_{};
  std::array<uint32_t, 12> key_iv_{};  // key (8 words) then IV (4 words)
  uint64_t counter_ = 0;
  size_t ptr_ = 0;
};

class GaussianSampler {
 public:
  explicit GaussianSampler(unsigned logn);

  ChaChaPrng& prng() { return prng_; }

  // An integer drawn from the discrete Gaussian of center mu and deviation 1/isigma.
  int Sample(double mu, double isigma);

 private:
  int BaseSample();
  bool BerExp(double x, double ccs);

  ChaChaPrng prng_;
  double sigma_min_;
  bool avx2_;
};

// floor(2^63 * ccs * exp(-x)) approximately, for 0 <= x < ln 2 (spec v1.2 ApproxExp).
uint64_t ApproxExpP63(double x, double ccs);

// Falcon parameters that depend on logn (valid for 1..10).
double InvSigma(unsigned logn);
double SigmaMin(unsigned logn);

}  // namespace hm::crypto::falcon::internal
