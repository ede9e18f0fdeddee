#include "trustchain/dns/server/rrl.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/address_v6.hpp>
#include <string>
#include <thread>
#include <vector>

namespace hm::trustchain::dns {
namespace {

std::array<uint8_t, 16> Addr(const std::string& text) {
  const auto bytes = boost::asio::ip::make_address_v6(text).to_bytes();
  std::array<uint8_t, 16> out;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

struct Tally {
  int sent = 0, dropped = 0, slipped = 0;
};

Tally Burst(Rrl& rrl, const std::string& addr, int n, int64_t now_ms) {
  Tally t;
  const auto a = Addr(addr);
  for (int i = 0; i < n; ++i) {
    switch (rrl.Check(a, now_ms)) {
      case Rrl::Decision::kSend:
        ++t.sent;
        break;
      case Rrl::Decision::kDrop:
        ++t.dropped;
        break;
      case Rrl::Decision::kSlip:
        ++t.slipped;
        break;
    }
  }
  return t;
}

TEST(RrlTest, OffWhenRateIsZero) {
  Rrl rrl(RrlOptions{}, 1);
  EXPECT_FALSE(rrl.enabled());
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 1000, 0).sent, 1000);
}

TEST(RrlTest, BurstOverLimitDropsAndSlipsEverySecond) {
  RrlOptions o;
  o.responses_per_second = 10;
  o.slip = 2;
  Rrl rrl(o, 42);
  const Tally t = Burst(rrl, "2001:db8:0:1::1", 30, 1000);
  EXPECT_EQ(t.sent, 10);     // one second's worth
  EXPECT_EQ(t.slipped, 10);  // every 2nd of the 20 limited
  EXPECT_EQ(t.dropped, 10);
}

TEST(RrlTest, SlipZeroDropsEverything) {
  RrlOptions o;
  o.responses_per_second = 5;
  o.slip = 0;
  Rrl rrl(o, 42);
  const Tally t = Burst(rrl, "2001:db8::1", 20, 0);
  EXPECT_EQ(t.sent, 5);
  EXPECT_EQ(t.slipped, 0);
  EXPECT_EQ(t.dropped, 15);
}

TEST(RrlTest, SlipOneSlipsEveryLimitedResponse) {
  RrlOptions o;
  o.responses_per_second = 5;
  o.slip = 1;
  Rrl rrl(o, 42);
  const Tally t = Burst(rrl, "2001:db8::1", 20, 0);
  EXPECT_EQ(t.sent, 5);
  EXPECT_EQ(t.slipped, 15);
}

TEST(RrlTest, PrefixesAreIndependentAndSharedWithinTheSlash56) {
  RrlOptions o;
  o.responses_per_second = 10;
  Rrl rrl(o, 7);
  EXPECT_EQ(Burst(rrl, "2001:db8:aa:1100::1", 10, 0).sent, 10);
  // Same /56 (2001:db8:aa:11xx::/56), other /64 and host: already exhausted.
  EXPECT_EQ(Burst(rrl, "2001:db8:aa:11ff::99", 5, 0).sent, 0);
  // A different /56 is unaffected.
  EXPECT_EQ(Burst(rrl, "2001:db8:aa:1200::1", 10, 0).sent, 10);
  EXPECT_EQ(Burst(rrl, "2001:db9::1", 10, 0).sent, 10);
}

TEST(RrlTest, PrefixLength128SeparatesHosts) {
  RrlOptions o;
  o.responses_per_second = 3;
  o.ipv6_prefix_length = 128;
  Rrl rrl(o, 7);
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 5, 0).sent, 3);
  EXPECT_EQ(Burst(rrl, "2001:db8::2", 5, 0).sent, 3);
}

TEST(RrlTest, TokensRefillOverTime) {
  RrlOptions o;
  o.responses_per_second = 10;
  Rrl rrl(o, 7);
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 20, 0).sent, 10);
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 20, 500).sent, 5);    // half a second: half a bucket
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 20, 600).sent, 1);    // 100 ms: one response
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 20, 5000).sent, 10);  // idle: full bucket, no more
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 20, 4000).sent, 0);   // time going back adds nothing
}

TEST(RrlTest, TableStaysBoundedAndEvictsOldPrefixes) {
  RrlOptions o;
  o.responses_per_second = 2;
  o.table_size = 16;
  Rrl rrl(o, 7);
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 5, 0).sent, 2);
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 5, 0).sent, 0);
  // Thousands of other prefixes (at the same instant, so nothing refills) push the first one
  // out of the 16-entry table...
  for (int i = 1; i <= 5000; ++i) {
    EXPECT_EQ(Burst(rrl, "2001:db8:" + std::to_string(i) + ":100::1", 3, 0).sent, 2);
  }
  // ...so it starts over with a fresh bucket: the table forgot it instead of growing.
  EXPECT_EQ(Burst(rrl, "2001:db8::1", 5, 0).sent, 2);
}

TEST(RrlTest, ConcurrentChecksStayWithinBudget) {
  RrlOptions o;
  o.responses_per_second = 100;
  Rrl rrl(o, 7);
  std::atomic<int> sent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] { sent += Burst(rrl, "2001:db8::1", 100, 0).sent; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sent.load(), 100);
}

}  // namespace
}  // namespace hm::trustchain::dns
