#include "node/config.h"

#include <gtest/gtest.h>

namespace hm::node {
namespace {

std::string Error(std::string_view toml) {
  auto r = ParseConfig(toml, NodeOptions());
  return r.ok() ? "" : std::string(r.status().message());
}

TEST(ConfigTest, ExampleConfigParses) {
  auto r = ParseConfig(ExampleConfig(), NodeOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->api.port, 8443);
  EXPECT_EQ(r->api.listen, "::");
}

TEST(ConfigTest, ValuesApply) {
  auto r = ParseConfig("[api]\nport = 9443\nlisten = \"::1\"\n[log]\nlevel = \"debug\"\n"
                       "[sequencer]\nblock_interval_ms = 20\n",
                       NodeOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->api.port, 9443);
  EXPECT_EQ(r->log.level, base::LogLevel::kDebug);
  EXPECT_EQ(r->sequencer.block_interval.count(), 20);
}

TEST(ConfigTest, ErrorsNameTheKey) {
  EXPECT_NE(Error("[api]\nprot = 1\n").find("unknown config key 'api.prot'"), std::string::npos);
  EXPECT_NE(Error("bogus = 1\n").find("'bogus'"), std::string::npos);
  EXPECT_NE(Error("[api]\nport = \"x\"\n").find("api.port: expected an integer"), std::string::npos);
  EXPECT_NE(Error("[api]\nport = 70000\n").find("api.port"), std::string::npos);
  EXPECT_NE(Error("[log]\nlevel = \"loud\"\n").find("log.level"), std::string::npos);
  EXPECT_NE(Error("[sequencer]\nblock_interval_ms = 500\n").find("sequencer.block_interval_ms"),
            std::string::npos);
  EXPECT_NE(Error("[node]\ndev = 1\n").find("node.dev"), std::string::npos);
  EXPECT_NE(Error("[trustchain]\nzones = [\"Bad.Zone.\"]\n").find("trustchain.zones"),
            std::string::npos);
  EXPECT_NE(Error("[trustchain]\nzones = \"hypermesh\"\n").find("trustchain.zones"),
            std::string::npos);
  EXPECT_NE(Error("[trustchain]\nleaf_validity_hours = 5\n").find("tls_renew_before_hours"),
            std::string::npos);
  EXPECT_NE(Error("[trustchain]\npublic_url = \"ftp://x\"\n").find("trustchain.public_url"),
            std::string::npos);
}

TEST(ConfigTest, TrustChainSettingsApply) {
  auto r = ParseConfig(
      "[trustchain]\nzones = [\"hypermesh\", \"example.net\"]\nleaf_validity_hours = 48\n"
      "public_url = \"https://node1.hypermesh:8443\"\nallow_any_name = true\n",
      NodeOptions(), "t.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->trustchain.zones, (std::vector<std::string>{"hypermesh", "example.net"}));
  EXPECT_EQ(r->trustchain.leaf_validity_hours, 48);
  EXPECT_EQ(r->trustchain.public_url, "https://node1.hypermesh:8443");
  EXPECT_TRUE(r->trustchain.allow_any_name);
}

TEST(ConfigTest, StoqTrustedRootsApply) {
  auto r = ParseConfig("[stoq]\ntrusted_roots = [\"peers/b.pem\", \"/etc/hm/c.pem\"]\n",
                       NodeOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stoq.trusted_roots, (std::vector<std::string>{"peers/b.pem", "/etc/hm/c.pem"}));
  EXPECT_TRUE(NodeOptions().stoq.trusted_roots.empty());
  EXPECT_NE(Error("[stoq]\ntrusted_roots = \"b.pem\"\n").find("stoq.trusted_roots"),
            std::string::npos);
  EXPECT_NE(Error("[stoq]\ntrusted_roots = [\"\"]\n").find("stoq.trusted_roots"),
            std::string::npos);
}

TEST(ConfigTest, Ipv4ListenAddressIsRejected) {
  std::string err = Error("[api]\nlisten = \"127.0.0.1\"\n");
  EXPECT_NE(err.find("api.listen"), std::string::npos) << err;
  EXPECT_NE(err.find("IPv6"), std::string::npos) << err;
  EXPECT_FALSE(Error("[api]\nlisten = \"0.0.0.0\"\n").empty());
  EXPECT_FALSE(Error("[api]\nlisten = \"::ffff:10.0.0.1\"\n").empty());
}

TEST(ConfigTest, SyntaxErrorsGiveTheLine) {
  auto r = ParseConfig("[api\nport = 1\n", NodeOptions(), "node.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("node.toml:1"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace hm::node
