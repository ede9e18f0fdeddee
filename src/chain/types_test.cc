#include "chain/types.h"

#include <gtest/gtest.h>

#include "chain/merkle.h"

namespace hm::chain {
namespace {

Transaction SampleTx() {
  Transaction tx;
  tx.module = "counter";
  tx.kind = 1;
  tx.nonce = 42;
  tx.payload = {1, 2, 3};
  return tx;
}

TEST(TypesTest, TransactionRoundTripAndHashIsStable) {
  Transaction tx = SampleTx();
  auto decoded = Transaction::Decode(tx.Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->Encode(), tx.Encode());
  EXPECT_EQ(decoded->Hash(), tx.Hash());
  Transaction other = tx;
  other.nonce = 43;
  EXPECT_NE(other.Hash(), tx.Hash());
}

TEST(TypesTest, TransactionRejectsTrailingBytesAndBadNames) {
  Bytes enc = SampleTx().Encode();
  enc.push_back(0);
  EXPECT_FALSE(Transaction::Decode(enc).ok());
  Transaction bad = SampleTx();
  bad.module = "Bad Name";
  EXPECT_FALSE(bad.Validate().ok());
  EXPECT_FALSE(Transaction::Decode(bad.Encode()).ok());
  bad.module = "";
  EXPECT_FALSE(bad.Validate().ok());
}

TEST(TypesTest, EveryTruncationOfABlockIsRejected) {
  Block b;
  b.txs = {SampleTx()};
  BlockHeader& h = b.signed_header.header;
  h.chain_id = "c";
  h.height = 1;
  h.tx_count = 1;
  Digest32 tx_hash = b.txs[0].Hash();
  h.tx_root = MerkleRoot(std::span(&tx_hash, 1));
  b.signed_header.signature = Bytes(64, 7);
  Bytes enc = b.Encode();
  ASSERT_TRUE(Block::Decode(enc).ok());
  for (size_t n = 0; n < enc.size(); ++n) {
    ASSERT_FALSE(Block::Decode(ByteSpan(enc.data(), n)).ok()) << n;
  }
}

TEST(TypesTest, BlockWithWrongTxRootOrCountIsRejected) {
  Block b;
  b.txs = {SampleTx()};
  b.signed_header.header.chain_id = "c";
  b.signed_header.header.tx_count = 1;  // tx_root left zero
  EXPECT_FALSE(Block::Decode(b.Encode()).ok());
  Digest32 tx_hash = b.txs[0].Hash();
  b.signed_header.header.tx_root = MerkleRoot(std::span(&tx_hash, 1));
  b.signed_header.header.tx_count = 2;
  EXPECT_FALSE(Block::Decode(b.Encode()).ok());
}

TEST(TypesTest, GenesisValidation) {
  Genesis g;
  g.chain_id = "hypermesh-dev";
  g.proposer_public_key = Bytes(32, 1);
  EXPECT_TRUE(g.Validate().ok());
  auto back = Genesis::Decode(g.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Hash(), g.Hash());
  g.chain_id = "UPPER";
  EXPECT_FALSE(g.Validate().ok());
  g.chain_id = "ok";
  g.proposer_public_key = Bytes(31, 1);
  EXPECT_FALSE(g.Validate().ok());
}

TEST(TypesTest, GenesisModuleParams) {
  Genesis g;
  g.chain_id = "c";
  g.proposer_public_key = Bytes(32, 1);
  const Digest32 without = g.Hash();
  g.module_params = {{"ca", Bytes{1, 2, 3}}, {"dns", Bytes{}}};
  ASSERT_TRUE(g.Validate().ok());
  EXPECT_NE(g.Hash(), without);
  auto back = Genesis::Decode(g.Encode());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->module_params, g.module_params);
  ASSERT_NE(back->ParamsFor("ca"), nullptr);
  EXPECT_EQ(*back->ParamsFor("ca"), (Bytes{1, 2, 3}));
  EXPECT_EQ(back->ParamsFor("ct"), nullptr);
  // Unsorted, repeated, or badly named modules are refused (by Validate and by Decode).
  Genesis bad = g;
  std::swap(bad.module_params[0], bad.module_params[1]);
  EXPECT_FALSE(bad.Validate().ok());
  EXPECT_FALSE(Genesis::Decode(bad.Encode()).ok());
  bad = g;
  bad.module_params[1].module = "ca";
  EXPECT_FALSE(bad.Validate().ok());
  bad = g;
  bad.module_params[0].module = "CA";
  EXPECT_FALSE(bad.Validate().ok());
}

TEST(TypesTest, HeaderHashCoversEveryField) {
  BlockHeader h;
  h.chain_id = "c";
  const Digest32 base = h.Hash();
  BlockHeader t = h;
  t.height = 1;
  EXPECT_NE(t.Hash(), base);
  t = h;
  t.time_ms = 1;
  EXPECT_NE(t.Hash(), base);
  t = h;
  t.state_root[31] = 1;
  EXPECT_NE(t.Hash(), base);
  t = h;
  t.proposer[0] = 1;
  EXPECT_NE(t.Hash(), base);
  EXPECT_NE(h.SigningDigest(), base);
}

}  // namespace
}  // namespace hm::chain
