#include "net/tcp_listener.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace hm::net {
namespace {

Endpoint Loopback(uint16_t port) { return *ParseListenAddress("::1", port); }

TEST(TcpListenerTest, BindsPortZeroAndReportsPort) {
  boost::asio::io_context io;
  auto listener = TcpListener::Open(io, Loopback(0));
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  EXPECT_NE((*listener)->port(), 0);
  EXPECT_TRUE((*listener)->local_endpoint().address.is_loopback());
  EXPECT_TRUE((*listener)->acceptor().is_open());
  (*listener)->Close();
  EXPECT_FALSE((*listener)->acceptor().is_open());
}

TEST(TcpListenerTest, SocketIsIpv6OnlyWithReuseAddr) {
  boost::asio::io_context io;
  auto listener = TcpListener::Open(io, Loopback(0));
  ASSERT_TRUE(listener.ok());
  const int fd = (*listener)->acceptor().native_handle();
  int v6only = 0;
  socklen_t len = sizeof(v6only);
  ASSERT_EQ(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len), 0);
  EXPECT_EQ(v6only, 1);
  int reuse = 0;
  len = sizeof(reuse);
  ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &len), 0);
  EXPECT_NE(reuse, 0);
  int domain = 0;
  len = sizeof(domain);
  ASSERT_EQ(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len), 0);
  EXPECT_EQ(domain, AF_INET6);
}

TEST(TcpListenerTest, BusyPortIsUnavailableNamingTheAddress) {
  boost::asio::io_context io;
  auto first = TcpListener::Open(io, Loopback(0));
  ASSERT_TRUE(first.ok());
  const uint16_t port = (*first)->port();
  auto second = TcpListener::Open(io, Loopback(port));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), base::Code::kUnavailable);
  EXPECT_EQ(second.status().message(),
            "address [::1]:" + std::to_string(port) + " is already in use");
}

TEST(TcpListenerTest, NonLocalAddressIsRejected) {
  boost::asio::io_context io;
  auto r = TcpListener::Open(io, *ParseListenAddress("2001:db8::1", 0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("[2001:db8::1]:0"), std::string_view::npos);
}

}  // namespace
}  // namespace hm::net
