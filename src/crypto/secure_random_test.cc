#include "crypto/secure_random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace hm::crypto {
namespace {

TEST(SecureRandomTest, FillsAndDiffers) {
  SecureRandom rng;
  std::array<uint8_t, 32> a{}, b{};
  rng.Fill(a);
  rng.Fill(b);
  EXPECT_NE(a, b);  // 2^-256 false failure rate
  EXPECT_NE(a, (std::array<uint8_t, 32>{}));
}

TEST(SecureRandomTest, UsableAsBaseRandom) {
  SecureRandom rng;
  base::Random& r = rng;
  std::set<uint64_t> seen;
  for (int i = 0; i < 100; ++i) seen.insert(r.NextU64());
  EXPECT_EQ(seen.size(), 100u);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(r.Uniform(7), 7u);
}

TEST(SecureRandomTest, RandomBytes) {
  EXPECT_TRUE(RandomBytes(0).empty());
  const base::Bytes a = RandomBytes(64);
  ASSERT_EQ(a.size(), 64u);
  EXPECT_NE(a, RandomBytes(64));
  // Every byte value appearing in 64 KiB is overwhelmingly likely for a working RNG.
  const base::Bytes big = RandomBytes(65536);
  std::array<int, 256> counts{};
  for (uint8_t x : big) ++counts[x];
  for (int c : counts) EXPECT_GT(c, 0);
}

}  // namespace
}  // namespace hm::crypto
