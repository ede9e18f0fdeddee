// CT log benchmark (docs/spec/ct.md) on the real chain: RocksDB, Ed25519-signed blocks, synced
// write batches.
//  1. add-entry throughput through the solo sequencer (entries/s sequenced and durable);
//  2. a log of --log-size entries built through the module in big blocks, then get-proof-by-hash
//     latency (CtLogReader::ProofByHash: hash -> index, tree size, O(log n) node reads), p50/p99.
// Usage: hm_bench_ct [--entries N] [--entry-bytes N] [--log-size N] [--proofs N] [--cache-mb N]
//                    [--dir PATH]
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
#include "trustchain/ct/ct_module.h"

using namespace hm;
using trustchain::ct::CtLogReader;
using trustchain::ct::CtModule;
using trustchain::ct::LogEntry;
using crypto::Digest32;

namespace {

constexpr uint64_t kTime = 1'763'750'000'000;

struct Args {
  uint64_t entries = 200'000;
  size_t entry_bytes = 1200;  // a typical leaf certificate
  uint64_t log_size = 1'000'000;
  size_t log_entry_bytes = 300;
  uint64_t proofs = 100'000;
  size_t cache_mb = 64;  // RocksDB block cache (the node's default)
  std::string dir = "/tmp/hm-bench-ct";
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--entries") a.entries = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--entry-bytes") a.entry_bytes = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--log-size") a.log_size = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--proofs") a.proofs = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--cache-mb") a.cache_mb = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--dir") a.dir = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

// Entry i: unique bytes (the index leads), certificate-sized.
LogEntry MakeEntry(uint64_t i, size_t bytes, uint64_t timestamp) {
  LogEntry e;
  e.timestamp_ms = timestamp;
  e.entry.resize(std::max<size_t>(bytes, 8));
  for (size_t k = 0; k < e.entry.size(); ++k) e.entry[k] = static_cast<uint8_t>(k * 131 + 7);
  for (int k = 0; k < 8; ++k) e.entry[k] = static_cast<uint8_t>(i >> (8 * k));
  return e;
}

struct Node {
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<chain::Chain> chain;
};

Node OpenNode(const std::string& dir, size_t cache_mb, const crypto::Ed25519PrivateKey& key,
              CtModule& module) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  storage::RocksDbOptions options;
  options.column_families = chain::Chain::ColumnFamilies();
  options.block_cache_bytes = cache_mb << 20;
  auto store = storage::OpenRocksDb(dir + "/db", options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  Node n;
  n.store = std::move(store).value();
  auto ch = chain::Chain::Open(n.store.get(), chain::testing::MakeGenesis(key), {&module});
  if (!ch.ok()) {
    std::fprintf(stderr, "%s\n", ch.status().ToString().c_str());
    std::exit(1);
  }
  n.chain = std::move(ch).value();
  return n;
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int Throughput(const Args& args, const crypto::Ed25519PrivateKey& key) {
  CtModule module;
  Node node = OpenNode(args.dir + "/throughput", args.cache_mb, key, module);
  chain::Ed25519BlockSigner signer(key);
  chain::Sequencer seq(*node.chain, signer, base::SystemClock::Instance(),
                       {.max_block_txs = 10'000, .max_pending_txs = 1'000'000});
  seq.Start();
  const uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch()).count());
  std::vector<chain::Transaction> txs;
  txs.reserve(args.entries);
  for (uint64_t i = 0; i < args.entries; ++i) {
    txs.push_back(trustchain::ct::MakeAddEntryTx(MakeEntry(i, args.entry_bytes, now), i));
  }
  std::printf("add_entry transaction: %zu bytes encoded\n", txs[0].Encode().size());

  std::atomic<uint64_t> done{0}, failed{0};
  std::mutex mu;
  std::condition_variable cv;
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t total = txs.size();
  for (auto& tx : txs) {
    seq.Submit(std::move(tx), [&](base::Result<chain::TxReceipt> r) {
      if (!r.ok()) failed++;
      if (++done == total) {
        std::lock_guard lock(mu);
        cv.notify_all();
      }
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done.load() == total; });
  }
  const double secs = Seconds(t0);
  seq.Stop();
  std::printf("add-entry: %llu entries sequenced (%llu failed) in %.2f s = %.0f entries/s durable, "
              "%llu blocks\n",
              static_cast<unsigned long long>(total - failed.load()),
              static_cast<unsigned long long>(failed.load()), secs,
              static_cast<double>(total - failed.load()) / secs,
              static_cast<unsigned long long>(node.chain->head().height));
  return failed.load() == 0 ? 0 : 1;
}

int ProofLatency(const Args& args, const crypto::Ed25519PrivateKey& key) {
  CtModule module;
  Node node = OpenNode(args.dir + "/log", args.cache_mb, key, module);
  chain::Ed25519BlockSigner signer(key);
  const Digest32 proposer = crypto::Sha256(signer.public_key());
  constexpr uint64_t kBlock = 50'000;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t first = 0; first < args.log_size; first += kBlock) {
    std::vector<chain::Transaction> txs;
    for (uint64_t i = first; i < std::min(first + kBlock, args.log_size); ++i) {
      txs.push_back(trustchain::ct::MakeAddEntryTx(MakeEntry(i, args.log_entry_bytes, kTime), i));
    }
    auto pb = node.chain->Execute(txs, kTime, proposer);
    if (!pb.ok() || pb->block.txs.size() != txs.size()) {
      std::fprintf(stderr, "block at %llu failed\n", static_cast<unsigned long long>(first));
      return 1;
    }
    auto& sh = pb->block.signed_header;
    sh.signature = *signer.Sign(sh.header.SigningDigest());
    if (auto st = node.chain->Commit(*pb); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
  }
  const double build_secs = Seconds(t0);
  CtLogReader reader(*node.chain);
  const uint64_t size = *reader.TreeSize();
  std::printf("log: %llu entries built in %.1f s (%.0f entries/s in %llu-entry blocks)\n",
              static_cast<unsigned long long>(size), build_secs,
              static_cast<double>(size) / build_secs, static_cast<unsigned long long>(kBlock));
  const Digest32 root = *reader.Root(size);

  base::SeededRandom rng(7);
  std::vector<double> micros;
  micros.reserve(args.proofs);
  uint64_t bad = 0;
  for (uint64_t k = 0; k < args.proofs; ++k) {
    const uint64_t i = rng.Uniform(size);
    const Digest32 leaf = MakeEntry(i, args.log_entry_bytes, kTime).LeafHash();
    const auto p0 = std::chrono::steady_clock::now();
    auto proof = reader.ProofByHash(leaf, size);
    micros.push_back(Seconds(p0) * 1e6);
    if (!proof.ok() || proof->leaf_index != i) {
      ++bad;
    } else if (k % 100 == 0 &&
               !trustchain::ct::VerifyInclusion(leaf, i, size, proof->audit_path, root).ok()) {
      ++bad;
    }
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double q) { return micros[static_cast<size_t>(q * (micros.size() - 1))]; };
  std::printf("get-proof-by-hash at %llu entries: %llu lookups, p50 %.1f us, p99 %.1f us, "
              "max %.1f us, %llu bad\n",
              static_cast<unsigned long long>(size), static_cast<unsigned long long>(micros.size()),
              pct(0.5), pct(0.99), micros.back(), static_cast<unsigned long long>(bad));
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  base::InitLogging({.level = base::LogLevel::kWarn});
  auto key = crypto::Ed25519PrivateKey::Generate();
  int rc = Throughput(args, key);
  rc |= ProofLatency(args, key);
  std::filesystem::remove_all(args.dir);
  return rc;
}
