#include "net/address.h"

#include <gtest/gtest.h>

namespace hm::net {
namespace {

TEST(ParseListenAddressTest, AcceptsIpv6Literals) {
  for (const char* host : {"::1", "::", "[::1]", "[::]", "fe80::1", "2001:db8::42"}) {
    auto ep = ParseListenAddress(host, 8443);
    ASSERT_TRUE(ep.ok()) << host << ": " << ep.status().ToString();
    EXPECT_EQ(ep->port, 8443);
  }
  auto ep = ParseListenAddress("[::1]", 8443);
  ASSERT_TRUE(ep.ok());
  EXPECT_TRUE(ep->address.is_loopback());
  EXPECT_EQ(ep->ToString(), "[::1]:8443");
  EXPECT_TRUE(ParseListenAddress("::", 0)->address.is_unspecified());
}

TEST(ParseListenAddressTest, RejectsIpv4WithClearMessage) {
  auto r = ParseListenAddress("127.0.0.1", 8443);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "IPv4 address '127.0.0.1' is not supported: HyperMesh is IPv6-only; use ::1 or ::");
  auto any = ParseListenAddress("0.0.0.0", 8443);
  ASSERT_FALSE(any.ok());
  EXPECT_NE(any.status().message().find("'0.0.0.0'"), std::string_view::npos);
  EXPECT_NE(any.status().message().find("IPv6-only"), std::string_view::npos);
}

TEST(ParseListenAddressTest, RejectsIpv4MappedAndCompatible) {
  for (const char* host : {"::ffff:1.2.3.4", "[::ffff:127.0.0.1]", "::ffff:7f00:1", "::1.2.3.4"}) {
    auto r = ParseListenAddress(host, 1);
    ASSERT_FALSE(r.ok()) << host;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("IPv6-only"), std::string_view::npos) << host;
  }
}

TEST(ParseListenAddressTest, RejectsNamesAndGarbage) {
  for (const char* host : {"", "[]", "localhost", "::g", "[::1", "1::2::3", " ::1"}) {
    auto r = ParseListenAddress(host, 1);
    ASSERT_FALSE(r.ok()) << host;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << host;
  }
}

TEST(SplitHostPortTest, SplitsBracketedAndNamed) {
  auto a = SplitHostPort("[::1]:8443");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->first, "::1");
  EXPECT_EQ(a->second, 8443);
  auto b = SplitHostPort("localhost:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->first, "localhost");
  EXPECT_EQ(b->second, 0);
  auto c = SplitHostPort("[::]:65535");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->second, 65535);
  // IPv4 splits fine; ParseListenAddress is what rejects it.
  auto d = SplitHostPort("127.0.0.1:80");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->first, "127.0.0.1");
}

TEST(SplitHostPortTest, RejectsMalformed) {
  for (const char* in :
       {"", "::1:8443", "[::1]", "[::1]8443", "[::1]:", "[::1]:65536", "[::1]:-1", "[::1]:+1",
        "[::1]:0x10", "[::1]:123456", ":8443", "[]:1", "host", "[::1:8443"}) {
    auto r = SplitHostPort(in);
    EXPECT_FALSE(r.ok()) << in;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << in;
    }
  }
  EXPECT_NE(SplitHostPort("::1:8443").status().message().find("brackets"), std::string_view::npos);
}

TEST(ParseHostPortTest, Combined) {
  auto ep = ParseHostPort("[::1]:9000");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->ToString(), "[::1]:9000");
  auto v4 = ParseHostPort("127.0.0.1:9000");
  ASSERT_FALSE(v4.ok());
  EXPECT_NE(v4.status().message().find("IPv4 address '127.0.0.1'"), std::string_view::npos);
}

TEST(FormatHostPortTest, BracketsOnlyIpv6) {
  EXPECT_EQ(FormatHostPort("::1", 1), "[::1]:1");
  EXPECT_EQ(FormatHostPort("localhost", 2), "localhost:2");
  EXPECT_TRUE(IsIpv4Literal("10.0.0.1"));
  EXPECT_FALSE(IsIpv4Literal("::1"));
  EXPECT_FALSE(IsIpv4Literal("localhost"));
}

}  // namespace
}  // namespace hm::net
