#include "chain/sequencer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "chain/testing/chain_fixture.h"
#include "storage/test_util.h"

namespace hm::chain {
namespace {

using testing::CounterModule;

class SequencerTest : public ::testing::Test {
 protected:
  SequencerTest() : key_(crypto::Ed25519PrivateKey::Generate()), signer_(key_) {
    store_ = std::move(testing::OpenChainStore(dir_.Sub("db"))).value();
    chain_ = std::move(Chain::Open(store_.get(), testing::MakeGenesis(key_), {&counter_})).value();
  }

  storage::testing::TempDir dir_;
  crypto::Ed25519PrivateKey key_;
  Ed25519BlockSigner signer_;
  CounterModule counter_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<Chain> chain_;
  base::ManualClock clock_;
  base::MetricsRegistry metrics_;
};

TEST_F(SequencerTest, SubmitReturnsAfterCommit) {
  Sequencer seq(*chain_, signer_, clock_, {}, &metrics_);
  seq.Start();
  auto receipt = seq.SubmitAndWait(CounterModule::Increment("a", 1));
  ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
  EXPECT_EQ(receipt->height, 1u);
  // Durable and visible as soon as the submitter hears back.
  EXPECT_EQ(chain_->head().height, 1u);
  auto loc = chain_->FindTx(receipt->tx_hash);
  ASSERT_TRUE(loc.ok() && loc->has_value());
  EXPECT_NE(metrics_.RenderPrometheus().find("hm_chain_height 1"), std::string::npos);
}

TEST_F(SequencerTest, RejectionsReachTheSubmitter) {
  Sequencer seq(*chain_, signer_, clock_, {});
  seq.Start();
  Transaction bad = CounterModule::Increment("a", 1);
  bad.kind = 77;  // fails Check
  EXPECT_EQ(seq.SubmitAndWait(bad).status().code(), base::Code::kInvalidArgument);
  Transaction fails = CounterModule::Increment("a", 2);
  fails.kind = CounterModule::kAlwaysFails;  // fails Apply
  EXPECT_EQ(seq.SubmitAndWait(fails).status().code(), base::Code::kFailedPrecondition);
  EXPECT_EQ(chain_->head().height, 0u);  // no empty blocks
  auto ok = CounterModule::Increment("a", 3);
  EXPECT_TRUE(seq.SubmitAndWait(ok).ok());
  EXPECT_EQ(seq.SubmitAndWait(ok).status().code(), base::Code::kAlreadyExists);
}

TEST_F(SequencerTest, ConcurrentSubmissionsAreBatchedAndAllCommitted) {
  Sequencer seq(*chain_, signer_, clock_, {.max_block_txs = 100});
  seq.Start();
  constexpr int kTxs = 2000;
  std::atomic<int> ok{0};
  std::promise<void> all_done;
  std::atomic<int> remaining{kTxs};
  for (int i = 0; i < kTxs; ++i) {
    seq.Submit(CounterModule::Increment("c" + std::to_string(i % 10), i),
               [&](base::Result<TxReceipt> r) {
                 if (r.ok()) ++ok;
                 if (--remaining == 0) all_done.set_value();
               });
  }
  all_done.get_future().wait();
  EXPECT_EQ(ok.load(), kTxs);
  EXPECT_LT(chain_->head().height, static_cast<uint64_t>(kTxs));  // batching happened
  EXPECT_GE(chain_->head().height, static_cast<uint64_t>(kTxs / 100));
  EXPECT_EQ(CounterModule::Decode(*chain_->ReadState("counter", base::AsBytes("#total"))),
            static_cast<uint64_t>(kTxs));
}

TEST_F(SequencerTest, StopCommitsWhatIsQueuedThenRefuses) {
  Sequencer seq(*chain_, signer_, clock_, {});
  seq.Start();
  std::atomic<int> ok{0};
  for (int i = 0; i < 500; ++i) {
    seq.Submit(CounterModule::Increment("s", i), [&](base::Result<TxReceipt> r) {
      if (r.ok()) ++ok;
    });
  }
  seq.Stop();
  EXPECT_EQ(ok.load(), 500);
  EXPECT_EQ(seq.SubmitAndWait(CounterModule::Increment("s", 9999)).status().code(),
            base::Code::kUnavailable);
}

TEST_F(SequencerTest, FullQueueIsRefusedPolitely) {
  Sequencer seq(*chain_, signer_, clock_, {.max_pending_txs = 1});  // not started: queue fills
  std::vector<base::Status> got;
  for (int i = 0; i < 3; ++i) {
    seq.Submit(CounterModule::Increment("q", i),
               [&](base::Result<TxReceipt> r) { got.push_back(r.status()); });
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].code(), base::Code::kResourceExhausted);
  seq.Stop();
  EXPECT_EQ(got.size(), 3u);
}

TEST(SequencerOptionsTest, ValidateNamesTheOption) {
  SequencerOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.block_interval = std::chrono::milliseconds(250);
  EXPECT_NE(o.Validate().message().find("block_interval_ms"), std::string::npos);
  o = {};
  o.max_block_txs = 0;
  EXPECT_NE(o.Validate().message().find("max_block_txs"), std::string::npos);
}

}  // namespace
}  // namespace hm::chain
