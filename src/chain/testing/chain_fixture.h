// Test support: a chain on a real RocksDB store in a temporary directory, with a fresh Ed25519
// proposer key and the test modules. Tests only.
#pragma once

#include <memory>

#include "chain/chain.h"
#include "chain/testing/test_modules.h"
#include "crypto/ed25519.h"
#include "storage/rocksdb_store.h"

namespace hm::chain::testing {

inline Genesis MakeGenesis(const crypto::Ed25519PrivateKey& key, std::string chain_id = "test-chain") {
  Genesis g;
  g.chain_id = std::move(chain_id);
  g.genesis_time_ms = 1'700'000'000'000;
  g.proposer_sig_alg = SigAlg::kEd25519;
  const auto& raw = key.PublicKey().Raw();
  g.proposer_public_key.assign(raw.begin(), raw.end());
  return g;
}

inline base::Result<std::unique_ptr<storage::KvStore>> OpenChainStore(const std::string& path) {
  storage::RocksDbOptions opts;
  opts.column_families = Chain::ColumnFamilies();
  return storage::OpenRocksDb(path, opts);
}

}  // namespace hm::chain::testing
