#include "base/random.h"

#include <gtest/gtest.h>

#include "base/clock.h"

namespace hm::base {
namespace {

TEST(SeededRandomTest, DeterministicPerSeed) {
  SeededRandom a(42), b(42), c(43);
  EXPECT_EQ(a.NextU64(), b.NextU64());
  EXPECT_NE(a.NextU64(), c.NextU64());
}

TEST(SeededRandomTest, UniformStaysInRange) {
  SeededRandom r(1);
  int seen[7] = {};
  for (int i = 0; i < 7000; ++i) {
    uint64_t v = r.Uniform(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
  }
  for (int s : seen) EXPECT_GT(s, 800);
}

TEST(ManualClockTest, AdvancesOnlyWhenTold) {
  ManualClock clock(1000);
  EXPECT_EQ(clock.NowUnixMillis(), 1000);
  clock.Advance(std::chrono::milliseconds(250));
  EXPECT_EQ(clock.NowUnixMillis(), 1250);
}

}  // namespace
}  // namespace hm::base
