#include "chain/genesis_file.h"

#include <gtest/gtest.h>

#include "storage/test_util.h"

namespace hm::chain {
namespace {

TEST(GenesisFileTest, RoundTrip) {
  storage::testing::TempDir dir;
  Genesis g;
  g.chain_id = "hypermesh-dev";
  g.genesis_time_ms = 123;
  g.proposer_public_key = Bytes(32, 9);
  ASSERT_TRUE(WriteGenesisFile(dir.Sub("genesis.json"), g).ok());
  EXPECT_EQ(WriteGenesisFile(dir.Sub("genesis.json"), g).code(), base::Code::kAlreadyExists);
  auto back = LoadGenesisFile(dir.Sub("genesis.json"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Hash(), g.Hash());
}

TEST(GenesisFileTest, ModuleParamsRoundTrip) {
  storage::testing::TempDir dir;
  Genesis g;
  g.chain_id = "hypermesh-dev";
  g.proposer_public_key = Bytes(32, 9);
  g.module_params = {{"ca", Bytes{0, 1, 255}}, {"ct", Bytes{7}}};
  ASSERT_TRUE(WriteGenesisFile(dir.Sub("genesis.json"), g).ok());
  auto back = LoadGenesisFile(dir.Sub("genesis.json"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->module_params, g.module_params);
  EXPECT_EQ(back->Hash(), g.Hash());
  auto r = ParseGenesisJson(
      R"({"chain_id":"a","genesis_time_ms":1,"proposer":{"alg":"ed25519","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"module_params":{"ca":5}})");
  EXPECT_NE(r.status().message().find("module_params.ca"), std::string::npos);
}

TEST(GenesisFileTest, ErrorsNameTheField) {
  auto r = ParseGenesisJson(R"({"chain_id": 5})");
  EXPECT_NE(r.status().message().find("chain_id"), std::string::npos);
  r = ParseGenesisJson(R"({"chain_id":"a","genesis_time_ms":1,"proposer":{"alg":"rsa","public_key":""}})");
  EXPECT_NE(r.status().message().find("proposer.alg"), std::string::npos);
  r = ParseGenesisJson(R"({"chain_id":"a","genesis_time_ms":1,"extra":1})");
  EXPECT_NE(r.status().message().find("extra"), std::string::npos);
  r = ParseGenesisJson("{not json");
  EXPECT_FALSE(r.ok());
  r = ParseGenesisJson(R"({"chain_id":"a","genesis_time_ms":-1,"proposer":{}})");
  EXPECT_NE(r.status().message().find("genesis_time_ms"), std::string::npos);
}

}  // namespace
}  // namespace hm::chain
