#include "cli/node_client.h"

#include <gtest/gtest.h>

namespace hm::cli {
namespace {

TEST(NodeClientTest, ParsesNodeAddresses) {
  GlobalFlags f;
  f.node = "https://[::1]:9443/";
  auto o = ClientOptionsFor(f);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->port, 9443);
  f.node = "[::1]:8443";
  EXPECT_TRUE(ClientOptionsFor(f).ok());
  f.node = "127.0.0.1:8443";
  EXPECT_FALSE(ClientOptionsFor(f).ok());
  f.node = "[::1]:notaport";
  EXPECT_FALSE(ClientOptionsFor(f).ok());
}

TEST(NodeClientTest, UnreachableNodeIsAClearError) {
  GlobalFlags f;
  f.node = "[::1]:1";  // nothing listens on port 1
  auto r = CallJson(f, "GET", "/api/v1/status");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("::1"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace hm::cli
