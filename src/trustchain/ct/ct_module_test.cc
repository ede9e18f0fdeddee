#include "trustchain/ct/ct_module.h"

#include <gtest/gtest.h>

#include "chain/merkle.h"
#include "chain/sequencer.h"
#include "chain/testing/chain_fixture.h"
#include "storage/test_util.h"

namespace hm::trustchain::ct {
namespace {

using base::Bytes;
using chain::Transaction;
using chain::TxOutcome;

constexpr uint64_t kBlockTime = 1'700'000'100'000;

LogEntry EntryNumber(uint64_t i, uint64_t timestamp = kBlockTime - 5) {
  LogEntry e;
  e.timestamp_ms = timestamp;
  e.type = (i % 3 == 0) ? EntryType::kPrecert : EntryType::kX509;
  if (e.type == EntryType::kPrecert) e.issuer_key_hash = crypto::Sha256(base::AsBytes("issuer"));
  const std::string body = "certificate #" + std::to_string(i);
  e.entry.assign(body.begin(), body.end());
  e.extra_data = {static_cast<uint8_t>(i)};
  return e;
}

class CtModuleTest : public ::testing::Test {
 protected:
  CtModuleTest() : key_(crypto::Ed25519PrivateKey::Generate()), signer_(key_) {
    store_ = std::move(chain::testing::OpenChainStore(dir_.Sub("db"))).value();
    chain_ = std::move(chain::Chain::Open(store_.get(), Genesis(), {&module_})).value();
  }
  chain::Genesis Genesis() const { return chain::testing::MakeGenesis(key_); }

  std::vector<TxOutcome> CommitBlock(const std::vector<Transaction>& txs) {
    auto pb = chain_->Execute(txs, kBlockTime, crypto::Sha256(signer_.public_key()));
    EXPECT_TRUE(pb.ok());
    auto& sh = pb->block.signed_header;
    sh.signature = *signer_.Sign(sh.header.SigningDigest());
    if (!pb->block.txs.empty()) {
      EXPECT_TRUE(chain_->Commit(*pb).ok());
    }
    return pb->outcomes;
  }

  // Appends entries first..first+count-1 in one block; returns their leaf hashes.
  std::vector<Digest32> AppendBlock(uint64_t first, uint64_t count) {
    std::vector<Transaction> txs;
    std::vector<Digest32> hashes;
    for (uint64_t i = first; i < first + count; ++i) {
      txs.push_back(MakeAddEntryTx(EntryNumber(i), i));
      hashes.push_back(EntryNumber(i).LeafHash());
    }
    auto out = CommitBlock(txs);
    for (uint64_t k = 0; k < count; ++k) {
      EXPECT_TRUE(out[k].status.ok()) << out[k].status.ToString();
      EXPECT_EQ(*DecodeAddEntryOutput(out[k].output), first + k);
    }
    return hashes;
  }

  storage::testing::TempDir dir_;
  crypto::Ed25519PrivateKey key_;
  chain::Ed25519BlockSigner signer_;
  CtModule module_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<chain::Chain> chain_;
};

TEST_F(CtModuleTest, AppendsServeRootsProofsAndEntries) {
  CtLogReader reader(*chain_);
  EXPECT_EQ(*reader.TreeSize(), 0u);
  EXPECT_EQ(*reader.Root(0), EmptyTreeRoot());
  std::vector<Digest32> leaves;
  for (uint64_t first = 0; first < 100; first += 25) {
    auto h = AppendBlock(first, 25);
    leaves.insert(leaves.end(), h.begin(), h.end());
  }
  ASSERT_EQ(*reader.TreeSize(), 100u);
  for (uint64_t n = 0; n <= 100; ++n) {
    EXPECT_EQ(*reader.Root(n), chain::MerkleRootFromLeafHashes(std::span(leaves).first(n))) << n;
  }
  const Digest32 root = *reader.Root(100);
  for (uint64_t i = 0; i < 100; ++i) {
    auto proof = reader.ProofByHash(leaves[i], 100);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(proof->leaf_index, i);
    EXPECT_TRUE(VerifyInclusion(leaves[i], i, 100, proof->audit_path, root).ok());
  }
  for (uint64_t m = 1; m <= 100; m += 9) {
    auto proof = reader.ConsistencyProof(m, 100);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(VerifyConsistency(m, 100, *reader.Root(m), root, *proof).ok());
  }
  // A leaf is not in a tree smaller than its index; unknown leaves are not found.
  EXPECT_EQ(reader.ProofByHash(leaves[60], 60).status().code(), base::Code::kNotFound);
  EXPECT_EQ(reader.ProofByHash(Digest32{}, 100).status().code(), base::Code::kNotFound);
  EXPECT_EQ(reader.ProofByIndex(5, 101).status().code(), base::Code::kOutOfRange);

  auto entries = reader.Entries(10, 500, 20);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 20u);
  EXPECT_EQ((*entries)[0], EntryNumber(10));
  EXPECT_EQ(reader.Entries(95, 500)->size(), 5u);
  EXPECT_EQ(reader.Entries(100, 100).status().code(), base::Code::kOutOfRange);
  EXPECT_EQ(reader.Entries(5, 4).status().code(), base::Code::kInvalidArgument);
}

TEST_F(CtModuleTest, DuplicatesAreRejectedWithTheExistingIndex) {
  AppendBlock(0, 3);
  // Same entry, new nonce (a distinct transaction), and a duplicate inside one block.
  auto out = CommitBlock({MakeAddEntryTx(EntryNumber(1), 1000), MakeAddEntryTx(EntryNumber(7), 7),
                          MakeAddEntryTx(EntryNumber(7), 1001)});
  EXPECT_EQ(out[0].status.code(), base::Code::kAlreadyExists);
  EXPECT_NE(out[0].status.message().find("index 1"), std::string::npos) << out[0].status.ToString();
  EXPECT_TRUE(out[1].status.ok());
  EXPECT_EQ(*DecodeAddEntryOutput(out[1].output), 3u);
  EXPECT_EQ(out[2].status.code(), base::Code::kAlreadyExists);
  CtLogReader reader(*chain_);
  EXPECT_EQ(*reader.TreeSize(), 4u);
  EXPECT_EQ(**reader.IndexOfLeafHash(EntryNumber(7).LeafHash()), 3u);
  // The same certificate at another timestamp is a different leaf.
  auto later = CommitBlock({MakeAddEntryTx(EntryNumber(1, kBlockTime), 2000)});
  EXPECT_TRUE(later[0].status.ok());
}

TEST_F(CtModuleTest, CheckAndApplyRejectBadTransactions) {
  Transaction tx = MakeAddEntryTx(EntryNumber(1), 1);
  tx.kind = 2;
  EXPECT_EQ(chain_->CheckTransaction(tx).code(), base::Code::kInvalidArgument);
  tx = MakeAddEntryTx(EntryNumber(1), 1);
  tx.payload.push_back(0);  // trailing byte
  EXPECT_EQ(chain_->CheckTransaction(tx).code(), base::Code::kInvalidArgument);
  LogEntry no_ikh = EntryNumber(3);
  no_ikh.issuer_key_hash.reset();
  EXPECT_FALSE(no_ikh.Validate().ok());
  LogEntry future = EntryNumber(1, kBlockTime + kMaxTimestampSkewMs + 1);
  auto out = CommitBlock({MakeAddEntryTx(future, 1), MakeAddEntryTx(EntryNumber(2), 2)});
  EXPECT_EQ(out[0].status.code(), base::Code::kFailedPrecondition);
  EXPECT_TRUE(out[1].status.ok());
  EXPECT_EQ(*DecodeAddEntryOutput(out[1].output), 0u);  // the rejected one wrote nothing
}

TEST_F(CtModuleTest, ReplayReachesTheSameStateRoot) {
  AppendBlock(0, 40);
  AppendBlock(40, 17);
  storage::testing::TempDir scratch_dir;
  auto scratch = chain::testing::OpenChainStore(scratch_dir.Sub("db"));
  ASSERT_TRUE(scratch.ok());
  CtModule fresh;
  auto head = chain::ReplayChain(*store_, scratch->get(), Genesis(), {&fresh});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->state_root, chain_->head().state_root);
}

TEST_F(CtModuleTest, SequencerReturnsLeafIndices) {
  base::ManualClock clock(kBlockTime);
  chain::Sequencer seq(*chain_, signer_, clock, {});
  seq.Start();
  for (uint64_t i = 0; i < 5; ++i) {
    auto receipt = seq.SubmitAndWait(MakeAddEntryTx(EntryNumber(i), i));
    ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
    EXPECT_EQ(*DecodeAddEntryOutput(receipt->output), i);
  }
  auto dup = seq.SubmitAndWait(MakeAddEntryTx(EntryNumber(2), 99));
  EXPECT_EQ(dup.status().code(), base::Code::kAlreadyExists);
  seq.Stop();
  EXPECT_EQ(*CtLogReader(*chain_).TreeSize(), 5u);
}

}  // namespace
}  // namespace hm::trustchain::ct
