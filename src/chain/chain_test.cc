#include "chain/chain.h"

#include <gtest/gtest.h>

#include "chain/testing/chain_fixture.h"
#include "storage/test_util.h"

namespace hm::chain {
namespace {

using testing::CounterModule;
using testing::MakeGenesis;
using testing::OpenChainStore;

class ChainTest : public ::testing::Test {
 protected:
  ChainTest() : key_(crypto::Ed25519PrivateKey::Generate()), signer_(key_) {}

  std::unique_ptr<Chain> OpenChain(storage::KvStore* store) {
    auto chain = Chain::Open(store, MakeGenesis(key_), {&counter_});
    EXPECT_TRUE(chain.ok()) << chain.status().ToString();
    return chain.ok() ? std::move(chain).value() : nullptr;
  }

  // Executes, signs and commits one block; returns the outcomes.
  std::vector<TxOutcome> CommitBlock(Chain& chain, const std::vector<Transaction>& txs) {
    auto pb = chain.Execute(txs, 1'700'000'001'000, crypto::Sha256(signer_.public_key()));
    EXPECT_TRUE(pb.ok());
    auto& sh = pb->block.signed_header;
    sh.signature = *signer_.Sign(sh.header.SigningDigest());
    if (!pb->block.txs.empty()) {
      EXPECT_TRUE(chain.Commit(*pb).ok());
    }
    return pb->outcomes;
  }

  storage::testing::TempDir dir_;
  crypto::Ed25519PrivateKey key_;
  Ed25519BlockSigner signer_;
  CounterModule counter_;
};

TEST_F(ChainTest, GenesisThenBlocksAdvanceHeadAndState) {
  auto store = OpenChainStore(dir_.Sub("db"));
  ASSERT_TRUE(store.ok());
  auto chain = OpenChain(store->get());
  const Head genesis_head = chain->head();
  EXPECT_EQ(genesis_head.height, 0u);
  EXPECT_EQ(genesis_head.block_hash, MakeGenesis(key_).Hash());

  auto out = CommitBlock(*chain, {CounterModule::Increment("a", 1), CounterModule::Increment("a", 2)});
  ASSERT_TRUE(out[0].status.ok());
  ASSERT_TRUE(out[1].status.ok());
  EXPECT_EQ(chain->head().height, 1u);
  EXPECT_NE(chain->head().state_root, genesis_head.state_root);
  EXPECT_EQ(CounterModule::Decode(*chain->ReadState("counter", base::AsBytes("a"))), 2u);

  auto block = chain->GetBlock(1);
  ASSERT_TRUE(block.ok() && block->has_value());
  EXPECT_EQ((*block)->header().prev_hash, genesis_head.block_hash);
  EXPECT_EQ((*block)->txs.size(), 2u);
  auto loc = chain->FindTx(out[1].tx_hash);
  ASSERT_TRUE(loc.ok() && loc->has_value());
  EXPECT_EQ((*loc)->height, 1u);
  EXPECT_EQ((*loc)->index, 1u);
}

TEST_F(ChainTest, RejectedAndDuplicateTransactionsAreLeftOut) {
  auto store = OpenChainStore(dir_.Sub("db"));
  auto chain = OpenChain(store->get());
  Transaction fail = CounterModule::Increment("x", 1);
  fail.kind = CounterModule::kAlwaysFails;
  Transaction inc = CounterModule::Increment("x", 2);
  auto out = CommitBlock(*chain, {fail, inc, inc});
  EXPECT_EQ(out[0].status.code(), base::Code::kFailedPrecondition);
  EXPECT_TRUE(out[1].status.ok());
  EXPECT_EQ(out[2].status.code(), base::Code::kAlreadyExists);
  EXPECT_EQ((*chain->GetBlock(1))->txs.size(), 1u);
  // The same transaction again in a later block: already committed.
  auto again = CommitBlock(*chain, {inc});
  EXPECT_EQ(again[0].status.code(), base::Code::kAlreadyExists);
  EXPECT_EQ(chain->head().height, 1u);
  // A failed transaction's writes never reach state.
  EXPECT_EQ(CounterModule::Decode(*chain->ReadState("counter", base::AsBytes("#total"))), 1u);
}

TEST_F(ChainTest, ReopenKeepsHeadAndRefusesAnotherGenesis) {
  Head before;
  {
    auto store = OpenChainStore(dir_.Sub("db"));
    auto chain = OpenChain(store->get());
    CommitBlock(*chain, {CounterModule::Increment("a", 1)});
    CommitBlock(*chain, {CounterModule::Increment("b", 2)});
    before = chain->head();
  }
  auto store = OpenChainStore(dir_.Sub("db"));
  auto chain = OpenChain(store->get());
  EXPECT_EQ(chain->head().height, 2u);
  EXPECT_EQ(chain->head().state_root, before.state_root);
  auto other = Chain::Open(store->get(), MakeGenesis(key_, "another-chain"), {&counter_});
  EXPECT_EQ(other.status().code(), base::Code::kFailedPrecondition);
}

TEST_F(ChainTest, ReplayReachesTheSameStateRoot) {
  auto store = OpenChainStore(dir_.Sub("db"));
  auto chain = OpenChain(store->get());
  for (int i = 0; i < 20; ++i) {
    CommitBlock(*chain, {CounterModule::Increment("k" + std::to_string(i % 3), i),
                         CounterModule::Increment("z", 1000 + i)});
  }
  auto scratch = OpenChainStore(dir_.Sub("scratch"));
  CounterModule fresh;
  auto head = ReplayChain(**store, scratch->get(), MakeGenesis(key_), {&fresh});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->height, 20u);
  EXPECT_EQ(head->state_root, chain->head().state_root);
  EXPECT_EQ(head->block_hash, chain->head().block_hash);
}

TEST_F(ChainTest, ApplyBlockRejectsForgedBlocks) {
  auto store = OpenChainStore(dir_.Sub("db"));
  auto chain = OpenChain(store->get());
  CommitBlock(*chain, {CounterModule::Increment("a", 1)});
  Block good = **chain->GetBlock(1);

  auto scratch = OpenChainStore(dir_.Sub("scratch"));
  CounterModule fresh;
  auto replica = Chain::Open(scratch->get(), MakeGenesis(key_), {&fresh});
  ASSERT_TRUE(replica.ok());

  Block bad_sig = good;
  bad_sig.signed_header.signature[0] ^= 1;
  EXPECT_EQ((*replica)->ApplyBlock(bad_sig).code(), base::Code::kUnauthenticated);

  Block bad_root = good;
  bad_root.signed_header.header.state_root[0] ^= 1;
  bad_root.signed_header.signature =
      *signer_.Sign(bad_root.signed_header.header.SigningDigest());
  EXPECT_EQ((*replica)->ApplyBlock(bad_root).code(), base::Code::kCorruption);
  EXPECT_EQ((*replica)->head().height, 0u);  // nothing written

  EXPECT_TRUE((*replica)->ApplyBlock(good).ok());
  EXPECT_EQ((*replica)->head().state_root, chain->head().state_root);
}

TEST_F(ChainTest, UnknownModuleIsRejectedAtCheck) {
  auto store = OpenChainStore(dir_.Sub("db"));
  auto chain = OpenChain(store->get());
  Transaction tx = CounterModule::Increment("a", 1);
  tx.module = "nosuch";
  EXPECT_EQ(chain->CheckTransaction(tx).code(), base::Code::kInvalidArgument);
  tx.module = "counter";
  tx.kind = 99;
  EXPECT_EQ(chain->CheckTransaction(tx).code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace hm::chain
