#include "base/log.h"

#include <gtest/gtest.h>

namespace hm::base {
namespace {

TEST(LogTest, ParseLevels) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
}

TEST(LogTest, LevelFiltering) {
  InitLogging({.level = LogLevel::kWarn});
  EXPECT_FALSE(ShouldLog(LogLevel::kInfo));
  EXPECT_TRUE(ShouldLog(LogLevel::kError));
  HM_LOG_ERROR("test", "value {}", 42);  // must not crash
  InitLogging({.level = LogLevel::kInfo});
}

TEST(LogTest, RateLimiterSuppressesBursts) {
  LogRateLimiter limiter(3);
  uint64_t suppressed = 0;
  int allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limiter.Allow(&suppressed);
  EXPECT_EQ(allowed, 3);
}

}  // namespace
}  // namespace hm::base
