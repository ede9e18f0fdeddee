#include "chain/sequencer.h"

#include <fmt/format.h>
#include <pthread.h>

#include <future>

#include "base/log.h"

namespace hm::chain {

using base::Result;
using base::Status;

Status SequencerOptions::Validate() const {
  if (max_block_txs < 1 || max_block_txs > kMaxBlockTxs) {
    return base::InvalidArgument(
        fmt::format("sequencer.max_block_txs must be between 1 and {}", kMaxBlockTxs));
  }
  if (max_block_bytes < kMaxPayload + 64 || max_block_bytes > (256u << 20)) {
    return base::InvalidArgument("sequencer.max_block_bytes must be between 1 MiB and 256 MiB");
  }
  if (max_pending_txs < 1) return base::InvalidArgument("sequencer.max_pending_txs must be >= 1");
  if (block_interval.count() < 0 || block_interval.count() > 100) {
    return base::InvalidArgument("sequencer.block_interval_ms must be between 0 and 100");
  }
  return Status::Ok();
}

Sequencer::Sequencer(Chain& chain, BlockSigner& signer, const base::Clock& clock,
                     SequencerOptions options, base::MetricsRegistry* metrics)
    : chain_(chain),
      signer_(signer),
      clock_(clock),
      options_(options),
      proposer_(crypto::Sha256(signer.public_key())) {
  if (metrics != nullptr) {
    height_gauge_ = &metrics->GetGauge("hm_chain_height", "Height of the last committed block.");
    pending_gauge_ = &metrics->GetGauge("hm_sequencer_pending_transactions",
                                        "Transactions waiting for a block.");
    commit_latency_ = &metrics->GetHistogram(
        "hm_block_commit_seconds", "Time to write and fsync one block.", base::LatencyBuckets());
    block_txs_ = &metrics->GetHistogram("hm_block_transactions", "Transactions per block.",
                                        {1, 10, 100, 1000, 10000, 100000});
    committed_ = &metrics->GetCounter("hm_transactions_committed_total",
                                      "Transactions committed in blocks.");
    rejected_ = &metrics->GetCounter("hm_transactions_rejected_total",
                                     "Transactions rejected at submission or execution.");
    height_gauge_->Set(static_cast<double>(chain.head().height));
  }
}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "hm-sequencer");
    Run();
  });
}

void Sequencer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Never started: nothing will commit what is queued.
  std::deque<Pending> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  for (auto& p : left) p.done(base::Unavailable("sequencer stopped"));
}

void Sequencer::Submit(Transaction tx, SubmitCallback done) {
  Status st = chain_.CheckTransaction(tx);
  if (!st.ok()) {
    if (rejected_) rejected_->Inc();
    done(st);
    return;
  }
  const size_t bytes = tx.payload.size() + tx.module.size() + 32;
  {
    std::unique_lock lock(mu_);
    if (stopping_) {
      lock.unlock();
      done(base::Unavailable("node is shutting down"));
      return;
    }
    if (queue_.size() >= options_.max_pending_txs) {
      lock.unlock();
      if (rejected_) rejected_->Inc();
      done(base::ResourceExhausted("too many pending transactions; retry later"));
      return;
    }
    queue_.push_back({std::move(tx), std::move(done), bytes});
  }
  cv_.notify_one();
}

Result<TxReceipt> Sequencer::SubmitAndWait(Transaction tx) {
  std::promise<Result<TxReceipt>> promise;
  auto future = promise.get_future();
  Submit(std::move(tx), [&promise](Result<TxReceipt> r) { promise.set_value(std::move(r)); });
  return future.get();
}

std::vector<Sequencer::Pending> Sequencer::TakeBatch() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  std::vector<Pending> batch;
  size_t bytes = 0;
  while (!queue_.empty() && batch.size() < options_.max_block_txs &&
         (batch.empty() || bytes + queue_.front().bytes <= options_.max_block_bytes)) {
    bytes += queue_.front().bytes;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  if (pending_gauge_) pending_gauge_->Set(static_cast<double>(queue_.size()));
  return batch;
}

void Sequencer::Run() {
  auto last_block = clock_.Monotonic();
  for (;;) {
    std::vector<Pending> batch = TakeBatch();
    if (batch.empty()) return;  // stopping and drained
    if (options_.block_interval.count() > 0) {
      const auto due = last_block + options_.block_interval;
      if (clock_.Monotonic() < due) std::this_thread::sleep_until(due);
    }
    SealBlock(std::move(batch));
    last_block = clock_.Monotonic();
  }
}

void Sequencer::SealBlock(std::vector<Pending> batch) {
  std::vector<Transaction> txs;
  txs.reserve(batch.size());
  for (auto& p : batch) txs.push_back(std::move(p.tx));

  auto fail_all = [&](const Status& st) {
    for (auto& p : batch) p.done(st);
    if (rejected_) rejected_->Inc(batch.size());
  };

  auto pending = chain_.Execute(txs, static_cast<uint64_t>(clock_.NowUnixMillis()), proposer_);
  if (!pending.ok()) {
    HM_LOG_ERROR("chain", "executing a block failed: {}", pending.status().ToString());
    fail_all(base::Unavailable("block execution failed; see the node log"));
    return;
  }
  SignedHeader& sh = pending->block.signed_header;
  if (!pending->block.txs.empty()) {
    auto sig = signer_.Sign(sh.header.SigningDigest());
    if (!sig.ok()) {
      HM_LOG_ERROR("chain", "signing block {} failed: {}", sh.header.height, sig.status().ToString());
      fail_all(base::Internal("block signing failed; see the node log"));
      return;
    }
    sh.sig_alg = signer_.alg();
    sh.signature = std::move(sig).value();
    const auto t0 = std::chrono::steady_clock::now();
    Status st = chain_.Commit(*pending);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!st.ok()) {
      HM_LOG_ERROR("chain", "committing block {} failed: {}", sh.header.height, st.ToString());
      fail_all(base::Unavailable("block commit failed: " + std::string(st.message())));
      return;
    }
    if (commit_latency_) commit_latency_->Observe(secs);
    if (block_txs_) block_txs_->Observe(sh.header.tx_count);
    if (committed_) committed_->Inc(sh.header.tx_count);
    if (height_gauge_) height_gauge_->Set(static_cast<double>(sh.header.height));
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    TxOutcome& o = pending->outcomes[i];
    if (!o.status.ok()) {
      if (rejected_) rejected_->Inc();
      batch[i].done(o.status);
    } else {
      batch[i].done(TxReceipt{o.tx_hash, sh.header.height, o.index, std::move(o.output)});
    }
  }
}

}  // namespace hm::chain
