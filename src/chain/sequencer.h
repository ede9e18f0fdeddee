// The solo sequencer: orders submitted transactions into blocks and commits each block as one
// synced write batch. It seals a block as soon as transactions are pending (so a pending
// transaction waits at most one commit, well under 100 ms), batching whatever arrived while the
// previous block was being written. A later wave replaces it with BFT consensus; modules do not
// change. Thread-safety: Submit/SubmitAndWait from any thread; one internal thread owns the chain.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/metrics.h"
#include "chain/chain.h"

namespace hm::chain {

struct TxReceipt {
  Digest32 tx_hash{};
  uint64_t height = 0;
  uint32_t index = 0;
  Bytes output;
};

using SubmitCallback = std::function<void(base::Result<TxReceipt>)>;

struct SequencerOptions {
  size_t max_block_txs = 10'000;
  size_t max_block_bytes = 16u << 20;
  size_t max_pending_txs = 200'000;
  // Minimum spacing between blocks; 0 seals as soon as transactions are pending. At most 100 ms.
  std::chrono::milliseconds block_interval{0};

  // Errors name the option.
  base::Status Validate() const;
};

class Sequencer {
 public:
  Sequencer(Chain& chain, BlockSigner& signer, const base::Clock& clock, SequencerOptions options,
            base::MetricsRegistry* metrics = nullptr);
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  void Start();
  // Stops accepting, commits everything already queued, then joins. Idempotent.
  void Stop();

  // Checks `tx` (limits + module Check) and queues it. `done` runs exactly once: with the receipt
  // after the block holding `tx` is durable, or with the rejection. It may run on the caller's
  // thread (immediate rejection) or on the sequencer thread; it must not block for long.
  void Submit(Transaction tx, SubmitCallback done);
  // Blocks until `tx` is committed or rejected.
  base::Result<TxReceipt> SubmitAndWait(Transaction tx);

 private:
  struct Pending {
    Transaction tx;
    SubmitCallback done;
    size_t bytes;
  };
  void Run();
  std::vector<Pending> TakeBatch();
  void SealBlock(std::vector<Pending> batch);

  Chain& chain_;
  BlockSigner& signer_;
  const base::Clock& clock_;
  const SequencerOptions options_;
  const Digest32 proposer_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool started_ = false;       // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread thread_;

  base::Gauge* height_gauge_ = nullptr;
  base::Gauge* pending_gauge_ = nullptr;
  base::Histogram* commit_latency_ = nullptr;
  base::Histogram* block_txs_ = nullptr;
  base::Counter* committed_ = nullptr;
  base::Counter* rejected_ = nullptr;
};

}  // namespace hm::chain
