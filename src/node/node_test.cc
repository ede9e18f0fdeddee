#include "node/node.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "api/http_client.h"
#include "storage/test_util.h"

namespace hm::node {
namespace {

NodeOptions DevOptions(const std::string& dir) {
  NodeOptions o = NodeOptions::Dev();
  o.data_dir = dir;
  o.api.port = 0;
  o.api.io_threads = 1;
  o.api.handler_threads = 1;
  return o;
}

api::ClientOptions ClientFor(const Node& node) {
  api::ClientOptions c;
  c.port = node.api_port();
  c.ca_file = node.layout().tls_cert;
  return c;
}

TEST(NodeTest, DevNodeServesStatusAndKeepsKeysPrivate) {
  storage::testing::TempDir dir;
  Node node(DevOptions(dir.Sub("data")));
  ASSERT_TRUE(node.Start().ok());
  auto health = api::HttpsRequest(ClientFor(node), "GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  auto status = api::HttpsRequest(ClientFor(node), "GET", "/api/v1/status");
  ASSERT_TRUE(status.ok());
  auto j = nlohmann::json::parse(status->body);
  EXPECT_EQ(j["node_id"], node.node_id_hex());
  EXPECT_EQ(j["chain_height"], 0);
  EXPECT_EQ(j["version"], kVersion);

  struct stat st;
  ASSERT_EQ(::stat(node.layout().node_key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(node.layout().keys.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  node.Shutdown();
}

TEST(NodeTest, RestartKeepsIdentityAndChain) {
  storage::testing::TempDir dir;
  std::string id;
  {
    Node node(DevOptions(dir.Sub("data")));
    ASSERT_TRUE(node.Start().ok());
    id = node.node_id_hex();
  }
  Node again(DevOptions(dir.Sub("data")));
  ASSERT_TRUE(again.Start().ok());
  EXPECT_EQ(again.node_id_hex(), id);
}

TEST(NodeTest, BusyPortFailsBeforeWritingAnything) {
  storage::testing::TempDir dir;
  Node first(DevOptions(dir.Sub("a")));
  ASSERT_TRUE(first.Start().ok());
  NodeOptions o = DevOptions(dir.Sub("b"));
  o.api.port = first.api_port();
  Node second(o);
  auto st = second.Start();
  EXPECT_EQ(st.code(), base::Code::kUnavailable);
  EXPECT_NE(st.message().find("already in use"), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("b")));
}

TEST(NodeTest, SecondNodeOnTheSameDataDirIsRefused) {
  storage::testing::TempDir dir;
  Node first(DevOptions(dir.Sub("data")));
  ASSERT_TRUE(first.Start().ok());
  Node second(DevOptions(dir.Sub("data")));
  auto st = second.Start();
  EXPECT_EQ(st.code(), base::Code::kUnavailable);
  EXPECT_NE(st.message().find(dir.Sub("data")), std::string::npos) << st.message();
}

TEST(NodeTest, ProductionModeNeedsAGenesisFile) {
  storage::testing::TempDir dir;
  NodeOptions o = DevOptions(dir.Sub("data"));
  o.dev = false;
  Node node(o);
  auto st = node.Start();
  EXPECT_EQ(st.code(), base::Code::kNotFound);
  EXPECT_NE(st.message().find("genesis.file"), std::string::npos);
}

}  // namespace
}  // namespace hm::node
