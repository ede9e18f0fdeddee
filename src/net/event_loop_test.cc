#include "net/event_loop.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <future>
#include <set>
#include <string>

namespace hm::net {
namespace {

std::string CurrentThreadName() {
  char buf[16] = {};
  pthread_getname_np(pthread_self(), buf, sizeof(buf));
  return buf;
}

TEST(EventLoopTest, RunsPostedWorkOnNamedThreads) {
  EventLoop loop("hm-test", 2);
  ASSERT_TRUE(loop.Start().ok());
  std::mutex mu;
  std::set<std::string> names;
  std::atomic<int> done{0};
  std::promise<void> all;
  constexpr int kTasks = 64;
  for (int i = 0; i < kTasks; ++i) {
    loop.Post([&] {
      EXPECT_TRUE(loop.InLoopThread());
      {
        std::lock_guard<std::mutex> lock(mu);
        names.insert(CurrentThreadName());
      }
      if (++done == kTasks) all.set_value();
    });
  }
  all.get_future().wait();
  EXPECT_FALSE(loop.InLoopThread());
  for (const auto& n : names) EXPECT_TRUE(n == "hm-test-0" || n == "hm-test-1") << n;
  loop.Stop();
  loop.Stop();  // idempotent
}

TEST(EventLoopTest, StartTwiceFails) {
  EventLoop loop("hm-io", 1);
  ASSERT_TRUE(loop.Start().ok());
  EXPECT_EQ(loop.Start().code(), base::Code::kFailedPrecondition);
  loop.Stop();
  EXPECT_EQ(loop.Start().code(), base::Code::kFailedPrecondition);
}

TEST(EventLoopTest, ValidatesArguments) {
  EXPECT_EQ(EventLoop("hm-io", 0).Start().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(EventLoop("much-too-long-name", 1).Start().code(), base::Code::kInvalidArgument);
}

TEST(EventLoopTest, SurvivesThrowingHandler) {
  EventLoop loop("hm-io", 1);
  ASSERT_TRUE(loop.Start().ok());
  loop.Post([] { throw std::runtime_error("boom"); });
  std::promise<void> ran;
  loop.Post([&] { ran.set_value(); });
  ran.get_future().wait();
}

TEST(EventLoopTest, StopWithoutStart) {
  EventLoop loop;
  loop.Stop();
}

}  // namespace
}  // namespace hm::net
