// UDP transport tests against a real server on [::1] (port 0).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "trustchain/dns/server/server.h"
#include "trustchain/dns/server/test_client.h"

namespace hm::trustchain::dns {
namespace {

using namespace test;  // NOLINT: test helpers
using ::testing::HasSubstr;

DnsServerOptions LocalOptions(base::MetricsRegistry* metrics = nullptr) {
  DnsServerOptions o;
  o.listen = *net::ParseHostPort("[::1]:0");
  o.metrics = metrics;
  return o;
}

uint64_t CounterValue(base::MetricsRegistry& m, const std::string& name,
                      const base::Labels& labels = {}) {
  return m.GetCounter(name, "", labels).Value();
}

TEST(DnsServerUdpTest, RoundTrip) {
  base::MetricsRegistry metrics;
  auto server = DnsServer::Start(LocalOptions(&metrics), EchoHandler);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_NE((*server)->port(), 0);

  UdpClient client;
  const base::Bytes query = MakeQuery(0x1234, "trust.hypermesh");
  client.SendTo((*server)->port(), query);
  auto reply = client.Receive();
  ASSERT_TRUE(reply.has_value());
  ASSERT_EQ(reply->size(), query.size() + 4);
  EXPECT_EQ(IdOf(*reply), 0x1234);
  EXPECT_TRUE(IsResponse(*reply));
  EXPECT_EQ(reply->back(), 0xDD);

  (*server)->Stop();  // counters are added per batch; after Stop they are final
  EXPECT_EQ(CounterValue(metrics, "hm_dns_queries_total", {{"transport", "udp"}}), 1u);
  EXPECT_EQ(CounterValue(metrics, "hm_dns_responses_total", {{"transport", "udp"}}), 1u);
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("hm_dns_tcp_connections 0"));
}

TEST(DnsServerUdpTest, ManyQueriesInFlightAreAllAnswered) {
  DnsServerOptions options = LocalOptions();
  options.udp_workers = 2;
  auto server = DnsServer::Start(options, EchoHandler);
  ASSERT_TRUE(server.ok()) << server.status().ToString();

  constexpr int kClients = 4;
  constexpr int kPerClient = 300;  // sent back to back, far more than one batch
  UdpClient clients[kClients];
  for (int c = 0; c < kClients; ++c) {
    for (int i = 0; i < kPerClient; ++i) {
      clients[c].SendTo((*server)->port(), MakeQuery(static_cast<uint16_t>(i), "a.hypermesh"));
    }
  }
  for (int c = 0; c < kClients; ++c) {
    std::set<uint16_t> ids;
    while (ids.size() < kPerClient) {
      auto reply = clients[c].Receive(2000ms);
      if (!reply) break;
      ids.insert(IdOf(*reply));
    }
    EXPECT_EQ(ids.size(), static_cast<size_t>(kPerClient)) << "client " << c;
  }
}

TEST(DnsServerUdpTest, HandlerDropAndShortDatagrams) {
  base::MetricsRegistry metrics;
  std::atomic<size_t> shortest{1000};
  auto handler = [&](base::ByteSpan q, bool tcp, std::span<uint8_t> out) {
    EXPECT_FALSE(tcp);
    size_t cur = shortest.load();
    while (q.size() < cur && !shortest.compare_exchange_weak(cur, q.size())) {
    }
    if (q.size() < 12 || q[13] == 'd') return HandlerResult{HandlerResult::Action::kDrop, 0};
    return EchoHandler(q, tcp, out);
  };
  auto server = DnsServer::Start(LocalOptions(&metrics), handler);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  UdpClient client;
  client.SendTo((*server)->port(), MakeQuery(1, "drop.hypermesh"));
  const base::Bytes tiny = {0xAB, 0xCD, 0x01};
  client.SendTo((*server)->port(), tiny);
  client.SendTo((*server)->port(), MakeQuery(2, "keep.hypermesh"));
  auto reply = client.Receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(IdOf(*reply), 2);  // the first two got nothing
  EXPECT_FALSE(client.Receive(200ms).has_value());
  EXPECT_EQ(shortest.load(), 3u);  // the handler saw the 3-octet datagram, and no more of it
  (*server)->Stop();
  EXPECT_EQ(CounterValue(metrics, "hm_dns_dropped_total"), 2u);
  EXPECT_EQ(CounterValue(metrics, "hm_dns_queries_total", {{"transport", "udp"}}), 3u);
}

TEST(DnsServerUdpTest, ForwardWithoutUpstreamsIsRefused) {
  auto server = DnsServer::Start(LocalOptions(), [](base::ByteSpan, bool, std::span<uint8_t>) {
    return HandlerResult{HandlerResult::Action::kForward, 0};
  });
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  UdpClient client;
  const base::Bytes query = MakeQuery(0x4242, "example.com");
  client.SendTo((*server)->port(), query);
  auto reply = client.Receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(IdOf(*reply), 0x4242);
  EXPECT_EQ(RcodeOf(*reply), 5);           // REFUSED
  EXPECT_EQ(reply->size(), query.size());  // header + the question copied
  EXPECT_TRUE(std::equal(reply->begin() + 12, reply->end(), query.begin() + 12));
}

TEST(DnsServerUdpTest, UnspecifiedAddressAnswersFromTheQueriedAddress) {
  DnsServerOptions options = LocalOptions();
  options.listen = *net::ParseHostPort("[::]:0");
  auto server = DnsServer::Start(options, EchoHandler);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  UdpClient client;
  client.SendTo((*server)->port(), MakeQuery(9, "x"));
  sockaddr_in6 from{};
  auto reply = client.Receive(2000ms, &from);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(IdOf(*reply), 9);
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
  EXPECT_EQ(ntohs(from.sin6_port), (*server)->port());
}

TEST(DnsServerUdpTest, RateLimitDropsAndSlipsOnLoopback) {
  base::MetricsRegistry metrics;
  DnsServerOptions options = LocalOptions(&metrics);
  options.rrl.responses_per_second = 5;
  options.rrl.slip = 2;
  auto server = DnsServer::Start(options, EchoHandler);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  UdpClient client;
  constexpr int kQueries = 40;
  for (int i = 0; i < kQueries; ++i) {
    client.SendTo((*server)->port(), MakeQuery(static_cast<uint16_t>(i), "flood.hypermesh"));
  }
  int full = 0, truncated = 0;
  while (auto reply = client.Receive(300ms)) {
    if (IsTruncated(*reply)) {
      ++truncated;
      EXPECT_EQ(reply->size(), MakeQuery(0, "flood.hypermesh").size());  // no records
    } else {
      ++full;
    }
  }
  // About one second's worth (5, a little more if the burst straddles refills) gets through.
  EXPECT_GE(full, 5);
  EXPECT_LE(full, 8);
  EXPECT_GE(truncated, 10);
  EXPECT_LT(full + truncated, kQueries);  // the rest were dropped
  (*server)->Stop();
  EXPECT_EQ(CounterValue(metrics, "hm_dns_rrl_slipped_total"), static_cast<uint64_t>(truncated));
  EXPECT_EQ(CounterValue(metrics, "hm_dns_rrl_dropped_total"),
            static_cast<uint64_t>(kQueries - full - truncated));
}

TEST(DnsServerUdpTest, BusyPortIsReportedWithTheAddress) {
  auto first = DnsServer::Start(LocalOptions(), EchoHandler);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  DnsServerOptions options = LocalOptions();
  options.listen.port = (*first)->port();
  auto second = DnsServer::Start(options, EchoHandler);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), base::Code::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr(fmt::format("[::1]:{}", (*first)->port())));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("already in use"));

  // A plain UDP socket on the port (no SO_REUSEPORT) is detected as well.
  UdpClient squatter;
  options.listen.port = squatter.port();
  auto third = DnsServer::Start(options, EchoHandler);
  ASSERT_FALSE(third.ok());
  EXPECT_THAT(std::string(third.status().message()), HasSubstr("already in use (UDP)"));
}

TEST(DnsServerUdpTest, InvalidOptionsAreRejected) {
  DnsServerOptions options = LocalOptions();
  options.udp_workers = 0;
  EXPECT_EQ(DnsServer::Start(options, EchoHandler).status().code(), base::Code::kInvalidArgument);
  options = LocalOptions();
  options.rrl.ipv6_prefix_length = 129;
  EXPECT_EQ(DnsServer::Start(options, EchoHandler).status().code(), base::Code::kInvalidArgument);
  options = LocalOptions();
  options.upstreams.push_back(*net::ParseHostPort("[::1]:0"));
  EXPECT_EQ(DnsServer::Start(options, EchoHandler).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(DnsServer::Start(LocalOptions(), nullptr).status().code(),
            base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::trustchain::dns
