// Tests for UdpSocket over real loopback sockets on [::1] with ephemeral ports.
#include "net/udp_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#ifndef UDP_NO_CHECK6_TX
#define UDP_NO_CHECK6_TX 101
#endif
#ifndef UDP_NO_CHECK6_RX
#define UDP_NO_CHECK6_RX 102
#endif

namespace hm::net {
namespace {

using ::testing::HasSubstr;

constexpr int kWaitMs = 2000;

std::unique_ptr<UdpSocket> OpenSocket(UdpSocketOptions options = {}) {
  auto socket = UdpSocket::Open(options);
  EXPECT_TRUE(socket.ok()) << socket.status().ToString();
  return socket.ok() ? std::move(socket).value() : nullptr;
}

sockaddr_in6 LoopbackTo(const UdpSocket& socket) {
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  addr.sin6_port = htons(socket.port());
  return addr;
}

bool WaitReadable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

// A payload whose bytes depend on their position, so misordered or shifted data is caught.
base::Bytes Pattern(size_t size, uint8_t seed) {
  base::Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(seed + i * 7 + i / 251);
  return out;
}

struct Collected {
  std::vector<base::Bytes> datagrams;  // as delivered (a GRO buffer is one entry)
  std::vector<size_t> segment_sizes;
  std::vector<base::Bytes> segments;  // after cutting GRO buffers at segment_size
  base::Bytes joined;
};

// Receives until `total_bytes` have arrived or the wait times out.
Collected ReceiveBytes(UdpSocket& socket, size_t total_bytes) {
  Collected c;
  RecvBatch batch;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
  while (c.joined.size() < total_bytes && std::chrono::steady_clock::now() < deadline) {
    if (!WaitReadable(socket.fd(), 50)) continue;
    auto n = socket.Receive(batch);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok()) break;
    for (const ReceivedDatagram& d : batch.datagrams()) {
      c.datagrams.emplace_back(d.data.begin(), d.data.end());
      c.segment_sizes.push_back(d.segment_size);
      EXPECT_GT(d.segment_size, 0u);
      for (size_t off = 0; off < d.data.size(); off += d.segment_size) {
        const auto piece = d.data.subspan(off, std::min(d.segment_size, d.data.size() - off));
        c.segments.emplace_back(piece.begin(), piece.end());
      }
      c.joined.insert(c.joined.end(), d.data.begin(), d.data.end());
    }
  }
  return c;
}

TEST(UdpSocketOptionsTest, DefaultsAreValid) { EXPECT_TRUE(UdpSocketOptions{}.Validate().ok()); }

TEST(UdpSocketOptionsTest, RejectsIpv4LiteralNamingTheField) {
  UdpSocketOptions options;
  options.host = "127.0.0.1";
  const base::Status status = options.Validate();
  EXPECT_EQ(status.code(), base::Code::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("host"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("IPv6-only"));

  auto opened = UdpSocket::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), base::Code::kInvalidArgument);
  EXPECT_THAT(std::string(opened.status().message()), HasSubstr("127.0.0.1"));
}

TEST(UdpSocketOptionsTest, RejectsBadBufferSizesNamingTheField) {
  UdpSocketOptions options;
  options.recv_buffer_bytes = 0;
  EXPECT_EQ(options.Validate().code(), base::Code::kInvalidArgument);
  EXPECT_THAT(std::string(options.Validate().message()), HasSubstr("recv_buffer_bytes"));
  options = {};
  options.send_buffer_bytes = -5;
  EXPECT_THAT(std::string(options.Validate().message()), HasSubstr("send_buffer_bytes"));
  options = {};
  options.host = "not-an-address";
  EXPECT_EQ(options.Validate().code(), base::Code::kInvalidArgument);
}

TEST(UdpSocketTest, OpensIpv6OnlyNonBlockingCloexecOnEphemeralPort) {
  auto socket = OpenSocket();
  ASSERT_NE(socket, nullptr);
  EXPECT_NE(socket->port(), 0);
  const sockaddr_in6 local = socket->local_address();
  EXPECT_EQ(local.sin6_family, AF_INET6);
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&local.sin6_addr));
  EXPECT_EQ(ToEndpoint(local).ToString(), fmt::format("[::1]:{}", socket->port()));

  const int fd = socket->fd();
  int v6only = 0;
  socklen_t len = sizeof(v6only);
  ASSERT_EQ(::getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len), 0);
  EXPECT_EQ(v6only, 1);
  EXPECT_NE(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
  int rcvbuf = 0;
  len = sizeof(rcvbuf);
  ASSERT_EQ(::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len), 0);
  EXPECT_GE(rcvbuf, 200 * 1024);  // well above a small default, whichever option was allowed
}

TEST(UdpSocketTest, EmptyQueueReturnsZero) {
  auto socket = OpenSocket();
  ASSERT_NE(socket, nullptr);
  RecvBatch batch;
  auto n = socket->Receive(batch);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 0u);
  EXPECT_TRUE(batch.datagrams().empty());
}

TEST(UdpSocketTest, RoundTripsSingleDatagrams) {
  auto a = OpenSocket();
  auto b = OpenSocket();
  ASSERT_TRUE(a && b);
  const sockaddr_in6 to_b = LoopbackTo(*b);
  const SendItem ping{&to_b, base::AsBytes("ping"), 0};
  auto sent = a->Send(std::span(&ping, 1));
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 1u);

  ASSERT_TRUE(WaitReadable(b->fd(), kWaitMs));
  RecvBatch batch;
  auto n = b->Receive(batch);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(*n, 1u);
  const ReceivedDatagram& d = batch.datagrams()[0];
  EXPECT_EQ(base::AsString(d.data), "ping");
  EXPECT_EQ(d.segment_size, 4u);
  EXPECT_EQ(d.ecn, 0);
  EXPECT_EQ(ntohs(d.remote.sin6_port), a->port());
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&d.remote.sin6_addr));
  EXPECT_EQ(ntohs(d.local.sin6_port), b->port());

  // Reply to the address the datagram came from.
  const sockaddr_in6 back = d.remote;
  const SendItem pong{&back, base::AsBytes("pong!"), 0};
  ASSERT_EQ(*b->Send(std::span(&pong, 1)), 1u);
  ASSERT_TRUE(WaitReadable(a->fd(), kWaitMs));
  ASSERT_EQ(*a->Receive(batch), 1u);
  EXPECT_EQ(base::AsString(batch.datagrams()[0].data), "pong!");
}

TEST(UdpSocketTest, BatchOfTwentyArrivesInOneReceive) {
  auto a = OpenSocket();
  auto b = OpenSocket();
  ASSERT_TRUE(a && b);
  const sockaddr_in6 to_b = LoopbackTo(*b);
  std::vector<base::Bytes> payloads;
  std::vector<SendItem> items;
  for (int i = 0; i < 20; ++i) payloads.push_back(Pattern(100 + i, static_cast<uint8_t>(i)));
  for (const auto& p : payloads) items.push_back({&to_b, p, 0});
  auto sent = a->Send(items);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 20u);

  ASSERT_TRUE(WaitReadable(b->fd(), kWaitMs));
  // Loopback delivers inside the sending call; the pause only covers a deferred softirq.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  RecvBatch batch;
  auto n = b->Receive(batch);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(*n, 20u);
  for (size_t i = 0; i < 20; ++i) {
    const ReceivedDatagram& d = batch.datagrams()[i];
    EXPECT_EQ(base::Bytes(d.data.begin(), d.data.end()), payloads[i]) << "datagram " << i;
    EXPECT_EQ(d.segment_size, payloads[i].size());
  }
  EXPECT_EQ(*b->Receive(batch), 0u);
}

TEST(UdpSocketTest, BoundToAnyReportsLocalAddressFromPktinfo) {
  UdpSocketOptions any;
  any.host = "::";
  auto server = OpenSocket(any);
  auto client = OpenSocket();
  ASSERT_TRUE(server && client);
  const sockaddr_in6 bound = server->local_address();
  EXPECT_TRUE(IN6_IS_ADDR_UNSPECIFIED(&bound.sin6_addr));
  const sockaddr_in6 to_server = LoopbackTo(*server);
  const SendItem item{&to_server, base::AsBytes("hi"), 0};
  ASSERT_EQ(*client->Send(std::span(&item, 1)), 1u);
  ASSERT_TRUE(WaitReadable(server->fd(), kWaitMs));
  RecvBatch batch;
  ASSERT_EQ(*server->Receive(batch), 1u);
  const ReceivedDatagram& d = batch.datagrams()[0];
  EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&d.local.sin6_addr));
  EXPECT_EQ(ToEndpoint(d.local).ToString(), fmt::format("[::1]:{}", server->port()));
  EXPECT_EQ(ntohs(d.remote.sin6_port), client->port());
}

// GSO on the sender; the receiver either gets ten datagrams or (GRO) buffers cut at 1200 bytes.
class UdpGsoTest : public ::testing::TestWithParam<bool> {};

TEST_P(UdpGsoTest, TenSegmentsArriveByteExact) {
  UdpSocketOptions receiver_options;
  receiver_options.gro = GetParam();
  auto a = OpenSocket();
  auto b = OpenSocket(receiver_options);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->gso_enabled()) << "kernel without UDP_SEGMENT";
  EXPECT_EQ(b->gro_enabled(), GetParam());

  const sockaddr_in6 to_b = LoopbackTo(*b);
  const base::Bytes payload = Pattern(12000, 3);
  const SendItem item{&to_b, payload, 1200};
  auto sent = a->Send(std::span(&item, 1));
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 1u);

  const Collected c = ReceiveBytes(*b, payload.size());
  EXPECT_EQ(c.joined, payload);
  ASSERT_EQ(c.segments.size(), 10u);
  for (const auto& s : c.segments) EXPECT_EQ(s.size(), 1200u);
  for (size_t size : c.segment_sizes) EXPECT_EQ(size, 1200u);
  if (!GetParam()) {
    EXPECT_EQ(c.datagrams.size(), 10u);
  }
  EXPECT_TRUE(a->gso_enabled());
}

TEST_P(UdpGsoTest, ShortLastSegmentAndManyBurstsArriveByteExact) {
  UdpSocketOptions receiver_options;
  receiver_options.gro = GetParam();
  auto a = OpenSocket();
  auto b = OpenSocket(receiver_options);
  ASSERT_TRUE(a && b);
  const sockaddr_in6 to_b = LoopbackTo(*b);
  // 60 full segments exceed one IPv6 payload, so the item goes out as two GSO bursts.
  const base::Bytes short_tail = Pattern(9 * 1200 + 500, 5);
  const base::Bytes many = Pattern(60 * 1200, 9);
  const SendItem items[] = {{&to_b, short_tail, 1200}, {&to_b, many, 1200}};
  auto sent = a->Send(items);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 2u);

  const Collected c = ReceiveBytes(*b, short_tail.size() + many.size());
  base::Bytes expected = short_tail;
  expected.insert(expected.end(), many.begin(), many.end());
  EXPECT_EQ(c.joined, expected);
  ASSERT_EQ(c.segments.size(), 70u);
  EXPECT_EQ(c.segments[9].size(), 500u);
  EXPECT_EQ(c.segments[10].size(), 1200u);
  EXPECT_EQ(a->dropped_sends(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Gro, UdpGsoTest, ::testing::Bool(), [](const auto& param_info) {
  return param_info.param ? "GroOn" : "GroOff";
});

TEST(UdpSocketTest, GsoDisabledSendsSameBytesAsSeparateDatagrams) {
  UdpSocketOptions no_gso;
  no_gso.gso = false;
  auto a = OpenSocket(no_gso);
  UdpSocketOptions no_gro;
  no_gro.gro = false;
  auto b = OpenSocket(no_gro);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a->gso_enabled());
  const sockaddr_in6 to_b = LoopbackTo(*b);
  const base::Bytes payload = Pattern(12000, 11);
  const SendItem item{&to_b, payload, 1200};
  ASSERT_EQ(*a->Send(std::span(&item, 1)), 1u);

  const Collected c = ReceiveBytes(*b, payload.size());
  EXPECT_EQ(c.joined, payload);
  ASSERT_EQ(c.datagrams.size(), 10u);
  for (const auto& d : c.datagrams) EXPECT_EQ(d.size(), 1200u);
}

// With UDP_NO_CHECK6_TX the kernel refuses GSO (EINVAL), which stands in for a device that
// cannot offload it. The receiver accepts the zero checksums that option produces.
void RefuseGso(UdpSocket& sender, UdpSocket& receiver) {
  const int one = 1;
  ASSERT_EQ(::setsockopt(sender.fd(), SOL_UDP, UDP_NO_CHECK6_TX, &one, sizeof(one)), 0);
  ASSERT_EQ(::setsockopt(receiver.fd(), SOL_UDP, UDP_NO_CHECK6_RX, &one, sizeof(one)), 0);
}

TEST(UdpSocketTest, FirstGsoRejectionDisablesGsoAndResends) {
  auto a = OpenSocket();
  UdpSocketOptions no_gro;
  no_gro.gro = false;
  auto b = OpenSocket(no_gro);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->gso_enabled());
  RefuseGso(*a, *b);
  const sockaddr_in6 to_b = LoopbackTo(*b);
  const base::Bytes payload = Pattern(6000, 13);
  const SendItem items[] = {{&to_b, base::AsBytes("first"), 0}, {&to_b, payload, 1200}};
  auto sent = a->Send(items);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 2u);
  EXPECT_FALSE(a->gso_enabled());

  const Collected c = ReceiveBytes(*b, 5 + payload.size());
  ASSERT_EQ(c.datagrams.size(), 6u);
  EXPECT_EQ(base::AsString(c.datagrams[0]), "first");
  EXPECT_EQ(base::Bytes(c.joined.begin() + 5, c.joined.end()), payload);
}

TEST(UdpSocketTest, LaterGsoRejectionSplitsOnlyThatItem) {
  auto a = OpenSocket();
  UdpSocketOptions no_gro;
  no_gro.gro = false;
  auto b = OpenSocket(no_gro);
  ASSERT_TRUE(a && b);
  const sockaddr_in6 to_b = LoopbackTo(*b);
  const base::Bytes first = Pattern(2400, 17);
  const SendItem warmup{&to_b, first, 1200};
  ASSERT_EQ(*a->Send(std::span(&warmup, 1)), 1u);
  ASSERT_EQ(ReceiveBytes(*b, first.size()).joined, first);

  RefuseGso(*a, *b);
  const base::Bytes second = Pattern(3600, 19);
  const SendItem item{&to_b, second, 1200};
  ASSERT_EQ(*a->Send(std::span(&item, 1)), 1u);
  EXPECT_TRUE(a->gso_enabled());  // GSO had worked, so the socket keeps it
  const Collected c = ReceiveBytes(*b, second.size());
  EXPECT_EQ(c.joined, second);
  EXPECT_EQ(c.datagrams.size(), 3u);
}

TEST(UdpSocketTest, EcnCodepointRoundTrips) {
  auto a = OpenSocket();
  auto b = OpenSocket();
  ASSERT_TRUE(a && b);
  const sockaddr_in6 to_b = LoopbackTo(*b);
  SendItem item{&to_b, base::AsBytes("ect0"), 0};
  item.ecn = 2;  // ECT(0)
  ASSERT_EQ(*a->Send(std::span(&item, 1)), 1u);
  ASSERT_TRUE(WaitReadable(b->fd(), kWaitMs));
  RecvBatch batch;
  ASSERT_EQ(*b->Receive(batch), 1u);
  EXPECT_EQ(batch.datagrams()[0].ecn, 2);
  EXPECT_EQ(base::AsString(batch.datagrams()[0].data), "ect0");
}

TEST(UdpSocketTest, UnreachableDestinationIsDroppedAndCounted) {
  auto a = OpenSocket();
  auto b = OpenSocket();
  ASSERT_TRUE(a && b);
  // An IPv4-mapped destination on an IPV6_V6ONLY socket fails with ENETUNREACH, without leaving
  // the host.
  sockaddr_in6 mapped{};
  mapped.sin6_family = AF_INET6;
  ASSERT_EQ(::inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr), 1);
  mapped.sin6_port = htons(9);
  const sockaddr_in6 to_b = LoopbackTo(*b);
  const SendItem items[] = {{&mapped, base::AsBytes("lost"), 0}, {&to_b, base::AsBytes("ok"), 0}};
  auto sent = a->Send(items);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(*sent, 2u);
  EXPECT_EQ(a->dropped_sends(), 1u);
  const Collected c = ReceiveBytes(*b, 2);
  ASSERT_EQ(c.datagrams.size(), 1u);
  EXPECT_EQ(base::AsString(c.datagrams[0]), "ok");
}

TEST(UdpSocketTest, NullRemoteIsRejected) {
  auto a = OpenSocket();
  ASSERT_NE(a, nullptr);
  const SendItem item{nullptr, base::AsBytes("x"), 0};
  auto sent = a->Send(std::span(&item, 1));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().code(), base::Code::kInvalidArgument);
}

TEST(UdpSocketTest, BusyPortIsUnavailable) {
  auto first = OpenSocket();
  ASSERT_NE(first, nullptr);
  UdpSocketOptions same;
  same.port = first->port();
  auto second = UdpSocket::Open(same);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), base::Code::kUnavailable);
  EXPECT_EQ(second.status().message(),
            fmt::format("address [::1]:{}/udp is already in use", first->port()));
}

TEST(UdpSocketTest, ReusePortLetsTwoSocketsShareAPort) {
  UdpSocketOptions shared;
  shared.reuse_port = true;
  auto first = OpenSocket(shared);
  ASSERT_NE(first, nullptr);
  shared.port = first->port();
  auto second = OpenSocket(shared);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->port(), first->port());
}

}  // namespace
}  // namespace hm::net
