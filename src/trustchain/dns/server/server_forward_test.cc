// Forwarding tests: an in-test UDP socket plays the upstream resolver.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "trustchain/dns/server/server.h"
#include "trustchain/dns/server/test_client.h"

namespace hm::trustchain::dns {
namespace {

using namespace test;  // NOLINT: test helpers

HandlerResult ForwardAll(base::ByteSpan, bool, std::span<uint8_t>) {
  return {HandlerResult::Action::kForward, 0};
}

class ForwardTest : public ::testing::Test {
 protected:
  void StartServer(std::chrono::milliseconds timeout = 2000ms) {
    DnsServerOptions options;
    options.listen = *net::ParseHostPort("[::1]:0");
    options.upstreams.push_back(*net::ParseHostPort(fmt::format("[::1]:{}", upstream_.port())));
    options.forward_timeout = timeout;
    options.metrics = &metrics_;
    auto server = DnsServer::Start(options, ForwardAll);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  // Receives the forwarded query at the upstream and checks it is the client's query with
  // another ID. Returns it; `from` is the server's forwarding socket.
  base::Bytes ExpectForwarded(const base::Bytes& original, sockaddr_in6* from) {
    auto forwarded = upstream_.Receive(2000ms, from);
    EXPECT_TRUE(forwarded.has_value());
    if (!forwarded) return {};
    EXPECT_EQ(forwarded->size(), original.size());
    EXPECT_TRUE(std::equal(forwarded->begin() + 2, forwarded->end(), original.begin() + 2));
    return *forwarded;
  }

  // Answers `forwarded` from the upstream socket with QR set and a recognisable tail.
  void Answer(const base::Bytes& forwarded, const sockaddr_in6& to, int fd) {
    base::Bytes answer = forwarded;
    answer[2] |= 0x80;
    answer.insert(answer.end(), {0xFE, 0xED});
    ASSERT_EQ(::sendto(fd, answer.data(), answer.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                       sizeof to),
              static_cast<ssize_t>(answer.size()));
  }

  base::MetricsRegistry metrics_;
  UdpClient upstream_;
  std::unique_ptr<DnsServer> server_;
};

TEST_F(ForwardTest, UdpAnswerIsRelayedWithTheOriginalId) {
  StartServer();
  UdpClient client;
  const base::Bytes query = MakeQuery(0x0102, "example.org", 1);
  client.SendTo(server_->port(), query);
  sockaddr_in6 from{};
  const base::Bytes forwarded = ExpectForwarded(query, &from);
  ASSERT_FALSE(forwarded.empty());

  // An answer from the wrong source, and one with the wrong ID, are ignored.
  UdpClient impostor;
  Answer(forwarded, from, impostor.fd());
  base::Bytes wrong_id = forwarded;
  wrong_id[0] ^= 0xFF;
  Answer(wrong_id, from, upstream_.fd());
  EXPECT_FALSE(client.Receive(100ms).has_value());

  Answer(forwarded, from, upstream_.fd());
  auto reply = client.Receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(IdOf(*reply), 0x0102);
  EXPECT_TRUE(IsResponse(*reply));
  ASSERT_EQ(reply->size(), query.size() + 2);
  EXPECT_EQ(reply->back(), 0xED);
  // Answered once only: a duplicate from the upstream is not relayed again.
  Answer(forwarded, from, upstream_.fd());
  EXPECT_FALSE(client.Receive(100ms).has_value());
  server_->Stop();
  EXPECT_EQ(metrics_.GetCounter("hm_dns_forwarded_total", "").Value(), 1u);
}

TEST_F(ForwardTest, TcpQueryIsForwardedOverUdpAndRelayedOnTheConnection) {
  StartServer();
  TcpClient client(server_->port());
  const base::Bytes query = MakeQuery(0xABCD, "example.net");
  client.WriteFrame(query);
  sockaddr_in6 from{};
  const base::Bytes forwarded = ExpectForwarded(query, &from);
  ASSERT_FALSE(forwarded.empty());
  Answer(forwarded, from, upstream_.fd());
  auto reply = client.ReadFrame();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(IdOf(*reply), 0xABCD);
  EXPECT_EQ(reply->size(), query.size() + 2);
}

TEST_F(ForwardTest, SilentUpstreamGivesServfail) {
  StartServer(200ms);
  UdpClient client;
  const base::Bytes query = MakeQuery(0x7777, "slow.example");
  client.SendTo(server_->port(), query);
  TcpClient tcp(server_->port());
  tcp.WriteFrame(MakeQuery(0x8888, "slow.example"));
  sockaddr_in6 from{};
  ASSERT_FALSE(ExpectForwarded(query, &from).empty());  // received, never answered

  const auto start = std::chrono::steady_clock::now();
  auto reply = client.Receive(2000ms);
  ASSERT_TRUE(reply.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
  EXPECT_EQ(IdOf(*reply), 0x7777);
  EXPECT_EQ(RcodeOf(*reply), 2);           // SERVFAIL
  EXPECT_EQ(reply->size(), query.size());  // header and question

  auto tcp_reply = tcp.ReadFrame(2000ms);
  ASSERT_TRUE(tcp_reply.has_value());
  EXPECT_EQ(IdOf(*tcp_reply), 0x8888);
  EXPECT_EQ(RcodeOf(*tcp_reply), 2);
}

}  // namespace
}  // namespace hm::trustchain::dns
