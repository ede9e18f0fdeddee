// The sampler's AVX2 code paths against the portable ones (the KATs exercise whichever path
// this CPU takes; this test pins the other one to it).
#include "crypto/falcon/sampler.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "base/random.h"

namespace hm::crypto::falcon::internal {
namespace {

TEST(FalconSamplerTest, BaseSampleEdgesMatchTheTable) {
  // Values just around the smallest and largest table entries.
  EXPECT_EQ(BaseSamplePortable(0, 0), 18);
  EXPECT_EQ(BaseSamplePortable(~uint64_t{0}, 255), 0);
  EXPECT_EQ(BaseSamplePortable(1, 0), 17);  // only the last entry (1) is no longer above it
}

#if HM_FALCON_AVX2
TEST(FalconSamplerTest, Avx2ChaChaBlocksEqualThePortableOnes) {
  if (!HaveAvx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  base::SeededRandom rng(7);
  for (int round = 0; round < 200; ++round) {
    std::array<uint32_t, 12> key_iv;
    for (auto& w : key_iv) w = static_cast<uint32_t>(rng.NextU64());
    uint64_t counter = rng.NextU64();
    if (round == 0) counter = 0xFFFFFFFCu;              // the low word wraps inside the batch
    if (round == 1) counter = ~uint64_t{0} - 3;          // the whole counter wraps
    alignas(32) uint8_t a[512], b[512];
    ChaChaBlocksPortable(key_iv.data(), counter, a);
    ChaChaBlocksAvx2(key_iv.data(), counter, b);
    ASSERT_EQ(std::memcmp(a, b, sizeof a), 0) << "round " << round;
  }
}

TEST(FalconSamplerTest, Avx2BaseSampleEqualsThePortableOne) {
  if (!HaveAvx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  base::SeededRandom rng(11);
  for (int i = 0; i < 200000; ++i) {
    // Mostly small values, where the table entries are, and some uniform ones.
    uint64_t lo = rng.NextU64();
    uint32_t hi = static_cast<uint32_t>(rng.NextU64() & 0xFF);
    if (i % 2 == 0) {
      hi = 0;
      lo >>= rng.Uniform(64);
    }
    ASSERT_EQ(BaseSampleAvx2(lo, hi), BaseSamplePortable(lo, hi)) << lo << " " << hi;
  }
  EXPECT_EQ(BaseSampleAvx2(0, 0), 18);
  EXPECT_EQ(BaseSampleAvx2(~uint64_t{0}, 255), 0);
}
#endif

}  // namespace
}  // namespace hm::crypto::falcon::internal
