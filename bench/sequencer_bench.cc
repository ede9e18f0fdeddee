// Sequencer throughput: a no-op module, 200-byte transactions, every block one synced RocksDB
// write batch. Prints committed tx/s, block count and commit latency percentiles.
// Usage: hm_bench_sequencer [--txs N] [--submitters N] [--max-block-txs N] [--dir PATH]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/random.h"
#include "chain/sequencer.h"
#include "chain/testing/chain_fixture.h"

using namespace hm;

namespace {

struct Args {
  uint64_t txs = 500'000;
  int submitters = 2;
  size_t max_block_txs = 10'000;
  std::string dir = "/tmp/hm-bench-sequencer";
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--txs") a.txs = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--submitters") a.submitters = std::atoi(argv[i + 1]);
    else if (k == "--max-block-txs") a.max_block_txs = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--dir") a.dir = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  base::InitLogging({.level = base::LogLevel::kWarn});
  std::filesystem::remove_all(args.dir);
  std::filesystem::create_directories(args.dir);
  auto key = crypto::Ed25519PrivateKey::Generate();
  auto store = chain::testing::OpenChainStore(args.dir + "/db");
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  chain::testing::NoopModule noop;
  auto ch = std::move(chain::Chain::Open(store->get(), chain::testing::MakeGenesis(key), {&noop})).value();
  chain::Ed25519BlockSigner signer(key);
  base::MetricsRegistry metrics;
  chain::Sequencer seq(*ch, signer, base::SystemClock::Instance(),
                       {.max_block_txs = args.max_block_txs, .max_pending_txs = 1'000'000},
                       &metrics);
  seq.Start();

  // Pre-build transactions so the measurement is the sequencer, not the generator.
  const uint64_t per = args.txs / args.submitters;
  std::vector<std::vector<chain::Transaction>> work(args.submitters);
  base::SeededRandom rng(1);
  for (int s = 0; s < args.submitters; ++s) {
    work[s].reserve(per);
    for (uint64_t i = 0; i < per; ++i) {
      chain::Transaction tx;
      tx.module = "noop";
      tx.nonce = rng.NextU64();
      tx.payload.resize(182);  // 200 bytes encoded: 18 bytes of framing, module and nonce
      rng.Fill(tx.payload);
      work[s].push_back(std::move(tx));
    }
  }
  std::printf("transaction size: %zu bytes encoded\n", work[0][0].Encode().size());

  std::atomic<uint64_t> done{0}, failed{0};
  std::mutex mu;
  std::condition_variable cv;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < args.submitters; ++s) {
    threads.emplace_back([&, s] {
      for (auto& tx : work[s]) {
        seq.Submit(std::move(tx), [&](base::Result<chain::TxReceipt> r) {
          if (!r.ok()) failed++;
          if (++done == per * args.submitters) cv.notify_all();
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done.load() == per * args.submitters; });
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  seq.Stop();

  auto h = metrics.GetHistogram("hm_block_commit_seconds", "", base::LatencyBuckets()).Read();
  auto quantile = [&](double q) {
    const double want = q * static_cast<double>(h.count);
    for (size_t i = 0; i < h.bounds.size(); ++i)
      if (static_cast<double>(h.cumulative[i]) >= want) return h.bounds[i] * 1000;
    return 1e9;
  };
  const uint64_t blocks = ch->head().height;
  std::printf("committed: %llu tx (%llu failed) in %.2f s = %.0f tx/s durable\n",
              static_cast<unsigned long long>(done.load() - failed.load()),
              static_cast<unsigned long long>(failed.load()), secs,
              static_cast<double>(done.load() - failed.load()) / secs);
  std::printf("blocks: %llu (avg %.0f tx/block), block commit (write+fsync) p50 <= %.2f ms, "
              "p99 <= %.2f ms\n",
              static_cast<unsigned long long>(blocks),
              static_cast<double>(done.load()) / static_cast<double>(std::max<uint64_t>(blocks, 1)),
              quantile(0.5), quantile(0.99));
  std::filesystem::remove_all(args.dir);
  return failed.load() == 0 ? 0 : 1;
}
