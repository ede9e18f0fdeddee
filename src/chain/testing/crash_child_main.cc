// Crash-test child: opens (or creates) a chain in DIR and commits counter transactions in a tight
// loop until killed. After each block is durable it prints "committed <height> <block-hash-hex>".
// Usage: hm_chain_crash_child DIR SEED
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "base/random.h"
#include "chain/genesis_file.h"
#include "chain/sequencer.h"
#include "chain/testing/chain_fixture.h"
#include "crypto/key_file.h"

using namespace hm;

namespace {

base::Result<crypto::Ed25519PrivateKey> LoadOrCreateKey(const std::string& dir) {
  const std::string path = dir + "/proposer.pem";
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    HM_ASSIGN_OR_RETURN(auto pem, crypto::ReadSecretFile(path));
    return crypto::Ed25519PrivateKey::FromPkcs8Pem(base::AsString(pem));
  }
  auto key = crypto::Ed25519PrivateKey::Generate();
  HM_TRY(crypto::WriteSecretFile(path, base::AsBytes(key.ToPkcs8Pem())));
  HM_TRY(chain::WriteGenesisFile(dir + "/genesis.json", chain::testing::MakeGenesis(key)));
  return key;
}

int Fail(const base::Status& st) {
  std::fprintf(stderr, "crash child: %s\n", st.ToString().c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DIR SEED\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  auto key = LoadOrCreateKey(dir);
  if (!key.ok()) return Fail(key.status());
  auto genesis = chain::LoadGenesisFile(dir + "/genesis.json");
  if (!genesis.ok()) return Fail(genesis.status());
  auto store = chain::testing::OpenChainStore(dir + "/db");
  if (!store.ok()) return Fail(store.status());
  chain::testing::CounterModule counter;
  auto ch = chain::Chain::Open(store->get(), *genesis, {&counter});
  if (!ch.ok()) return Fail(ch.status());
  chain::Ed25519BlockSigner signer(*key);
  chain::Sequencer seq(**ch, signer, base::SystemClock::Instance(), {.max_block_txs = 64});
  seq.Start();

  base::SeededRandom rng(std::strtoull(argv[2], nullptr, 10));
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  uint64_t reported = (*ch)->head().height;
  chain::Chain* chain_ptr = ch->get();
  for (uint64_t nonce = rng.NextU64();; ++nonce) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < 256; });
      ++in_flight;
    }
    auto tx = chain::testing::CounterModule::Increment("k" + std::to_string(rng.Uniform(50)), nonce);
    seq.Submit(std::move(tx), [&, chain_ptr](base::Result<chain::TxReceipt> r) {
      std::lock_guard lock(mu);
      --in_flight;
      cv.notify_one();
      if (!r.ok()) {
        std::fprintf(stderr, "crash child: %s\n", r.status().ToString().c_str());
        std::_Exit(3);
      }
      // Callbacks run on the sequencer thread right after the block is durable, so the head is
      // this block.
      if (r->height > reported) {
        reported = r->height;
        const auto head = chain_ptr->head();
        std::printf("committed %llu %s\n", static_cast<unsigned long long>(head.height),
                    base::HexEncode(head.block_hash).c_str());
        std::fflush(stdout);
      }
    });
  }
}
