// TCP transport tests against a real server on [::1] (port 0).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "trustchain/dns/server/server.h"
#include "trustchain/dns/server/test_client.h"

namespace hm::trustchain::dns {
namespace {

using namespace test;  // NOLINT: test helpers

std::unique_ptr<DnsServer> StartLocal(DnsServerOptions options = {},
                                      QueryHandler handler = EchoHandler) {
  options.listen = *net::ParseHostPort("[::1]:0");
  auto server = DnsServer::Start(std::move(options), std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

base::Bytes Framed(base::ByteSpan message) {
  base::Bytes out = {static_cast<uint8_t>(message.size() >> 8),
                     static_cast<uint8_t>(message.size())};
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

TEST(DnsServerTcpTest, PipelinedQueriesInOneWriteAreAnsweredInOrder) {
  base::MetricsRegistry metrics;
  DnsServerOptions options;
  options.metrics = &metrics;
  bool saw_tcp = false;
  auto server = StartLocal(options, [&](base::ByteSpan q, bool tcp, std::span<uint8_t> out) {
    saw_tcp = tcp;
    return EchoHandler(q, tcp, out);
  });
  ASSERT_NE(server, nullptr);
  TcpClient client(server->port());
  ASSERT_TRUE(client.connected());
  base::Bytes both = Framed(MakeQuery(1, "one.hypermesh"));
  const base::Bytes second = Framed(MakeQuery(2, "two.hypermesh"));
  both.insert(both.end(), second.begin(), second.end());
  client.Write(both);
  auto a = client.ReadFrame();
  auto b = client.ReadFrame();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(IdOf(*a), 1);
  EXPECT_EQ(IdOf(*b), 2);
  EXPECT_TRUE(IsResponse(*b));
  EXPECT_EQ(b->size(), MakeQuery(2, "two.hypermesh").size() + 4);
  EXPECT_TRUE(saw_tcp);
  EXPECT_EQ(metrics.GetCounter("hm_dns_queries_total", "", {{"transport", "tcp"}}).Value(), 2u);
  EXPECT_EQ(metrics.GetGauge("hm_dns_tcp_connections", "").Value(), 1.0);
}

TEST(DnsServerTcpTest, QuerySplitAcrossWrites) {
  auto server = StartLocal();
  ASSERT_NE(server, nullptr);
  TcpClient client(server->port());
  const base::Bytes framed = Framed(MakeQuery(77, "split.hypermesh"));
  // The length prefix itself is split, then the message in three pieces.
  const size_t cuts[] = {0, 1, 2, 9, 20, framed.size()};
  for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
    client.Write(base::ByteSpan(framed.data() + cuts[i], cuts[i + 1] - cuts[i]));
    if (i + 2 < std::size(cuts)) {
      EXPECT_FALSE(client.ReadFrame(30ms).has_value());  // nothing before the query is whole
    }
  }
  auto reply = client.ReadFrame();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(IdOf(*reply), 77);
  // The connection keeps serving.
  client.WriteFrame(MakeQuery(78, "again.hypermesh"));
  auto again = client.ReadFrame();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(IdOf(*again), 78);
}

TEST(DnsServerTcpTest, LargeAnswerIsFramedWhole) {
  auto server = StartLocal({}, [](base::ByteSpan q, bool, std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), 0x5A);
    std::copy(q.begin(), q.begin() + 2, out.begin());
    return HandlerResult{HandlerResult::Action::kReply, 65535};
  });
  ASSERT_NE(server, nullptr);
  TcpClient client(server->port());
  client.WriteFrame(MakeQuery(5, "big"));
  auto reply = client.ReadFrame();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->size(), 65535u);
  EXPECT_EQ(IdOf(*reply), 5);
  EXPECT_EQ(reply->back(), 0x5A);
}

TEST(DnsServerTcpTest, ZeroLengthFrameClosesAfterEarlierAnswers) {
  auto server = StartLocal();
  ASSERT_NE(server, nullptr);
  TcpClient client(server->port());
  base::Bytes data = Framed(MakeQuery(3, "before.zero"));
  data.insert(data.end(), {0, 0});
  const base::Bytes after = Framed(MakeQuery(4, "after.zero"));
  data.insert(data.end(), after.begin(), after.end());
  client.Write(data);
  auto reply = client.ReadFrame();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(IdOf(*reply), 3);
  EXPECT_TRUE(client.WaitClosed());  // and query 4 is never answered
}

TEST(DnsServerTcpTest, HalfClosedClientStillGetsItsAnswers) {
  auto server = StartLocal();
  ASSERT_NE(server, nullptr);
  TcpClient client(server->port());
  client.WriteFrame(MakeQuery(10, "a"));
  client.WriteFrame(MakeQuery(11, "b"));
  client.ShutdownWrite();
  auto a = client.ReadFrame();
  auto b = client.ReadFrame();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(IdOf(*a), 10);
  EXPECT_EQ(IdOf(*b), 11);
  EXPECT_TRUE(client.WaitClosed());
}

TEST(DnsServerTcpTest, HandlerDropClosesTheConnection) {
  auto server = StartLocal({}, [](base::ByteSpan, bool, std::span<uint8_t>) {
    return HandlerResult{HandlerResult::Action::kDrop, 0};
  });
  ASSERT_NE(server, nullptr);
  TcpClient client(server->port());
  client.WriteFrame(MakeQuery(1, "garbage"));
  EXPECT_TRUE(client.WaitClosed());
}

TEST(DnsServerTcpTest, IdleConnectionIsClosed) {
  DnsServerOptions options;
  options.tcp_idle_timeout = 200ms;
  auto server = StartLocal(options);
  ASSERT_NE(server, nullptr);
  TcpClient quiet(server->port());
  TcpClient partial(server->port());
  const base::Bytes framed = Framed(MakeQuery(1, "slow"));
  partial.Write(base::ByteSpan(framed.data(), 5));  // a partial query is not activity
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(quiet.WaitClosed(2000ms));
  EXPECT_TRUE(partial.WaitClosed(2000ms));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 1000ms);
}

TEST(DnsServerTcpTest, ActiveConnectionOutlivesTheIdleTimeout) {
  DnsServerOptions options;
  options.tcp_idle_timeout = 150ms;
  auto server = StartLocal(options);
  ASSERT_NE(server, nullptr);
  TcpClient client(server->port());
  for (int i = 0; i < 6; ++i) {  // 6 x 60 ms > 150 ms, but never 150 ms idle
    client.WriteFrame(MakeQuery(static_cast<uint16_t>(i), "busy"));
    auto reply = client.ReadFrame();
    ASSERT_TRUE(reply.has_value()) << i;
    std::this_thread::sleep_for(60ms);
  }
}

TEST(DnsServerTcpTest, ConnectionsBeyondTheCapAreClosed) {
  base::MetricsRegistry metrics;
  DnsServerOptions options;
  options.tcp_max_connections = 2;
  options.metrics = &metrics;
  auto server = StartLocal(options);
  ASSERT_NE(server, nullptr);
  TcpClient a(server->port()), b(server->port());
  for (TcpClient* c : {&a, &b}) {  // both accepted and served
    c->WriteFrame(MakeQuery(1, "cap"));
    ASSERT_TRUE(c->ReadFrame().has_value());
  }
  TcpClient extra(server->port());
  EXPECT_TRUE(extra.WaitClosed());
  EXPECT_EQ(metrics.GetGauge("hm_dns_tcp_connections", "").Value(), 2.0);
  // The existing ones still work.
  a.WriteFrame(MakeQuery(2, "cap"));
  EXPECT_TRUE(a.ReadFrame().has_value());
}

TEST(DnsServerTcpTest, SlowReaderDoesNotBlockOthers) {
  auto server = StartLocal({}, [](base::ByteSpan q, bool, std::span<uint8_t> out) {
    std::copy(q.begin(), q.begin() + 2, out.begin());
    return HandlerResult{HandlerResult::Action::kReply, 60000};
  });
  ASSERT_NE(server, nullptr);
  TcpClient hog(server->port());
  base::Bytes many;
  for (int i = 0; i < 200; ++i) {  // 12 MB of answers it never reads
    const base::Bytes f = Framed(MakeQuery(static_cast<uint16_t>(i), "hog"));
    many.insert(many.end(), f.begin(), f.end());
  }
  hog.Write(many);
  TcpClient polite(server->port());
  polite.WriteFrame(MakeQuery(9, "polite"));
  auto reply = polite.ReadFrame(1000ms);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(IdOf(*reply), 9);
}

TEST(DnsServerTcpTest, StopIsPromptWithIdleClients) {
  auto server = StartLocal();
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<TcpClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<TcpClient>(server->port()));
  }
  clients[0]->WriteFrame(MakeQuery(1, "hello"));
  ASSERT_TRUE(clients[0]->ReadFrame().has_value());
  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
  for (auto& c : clients) EXPECT_TRUE(c->WaitClosed(500ms));
  server->Stop();  // idempotent
}

}  // namespace
}  // namespace hm::trustchain::dns
