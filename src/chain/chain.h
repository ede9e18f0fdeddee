// The deterministic state machine and block store: executes transactions through modules,
// commits each block (block, tx index, state writes, head) as one synced write batch, serves
// reads of blocks, transactions and state, and re-validates blocks produced elsewhere or earlier.
// Thread-safety: Execute/Commit/ApplyBlock are called by one writer thread (the sequencer);
// reads (head, GetBlock, FindTx, ReadState, CheckTransaction) are safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chain/module.h"
#include "chain/signer.h"
#include "chain/write_set.h"
#include "storage/kv_store.h"

namespace hm::chain {

struct TxLocation {
  uint64_t height = 0;
  uint32_t index = 0;
};

// One input transaction's fate in an executed block.
struct TxOutcome {
  base::Status status;  // OK: included in the block
  Digest32 tx_hash{};
  uint32_t index = 0;   // position in the block when included
  Bytes output;         // from Module::Apply
};

// A block that has been executed over the current head but not yet written.
struct PendingBlock {
  Block block;  // header complete except the signature
  WriteSet writes;
  std::vector<TxOutcome> outcomes;  // one per input transaction, in input order
};

class Chain {
 public:
  // Column families the store must be opened with.
  static std::vector<std::string> ColumnFamilies();

  // Opens the chain on `store`. A fresh store is initialised from `genesis` (module genesis
  // writes, head at height 0). An existing one must have been created from the same genesis.
  // `modules` must outlive the Chain; names must be unique.
  static base::Result<std::unique_ptr<Chain>> Open(storage::KvStore* store, const Genesis& genesis,
                                                   std::vector<Module*> modules);

  const Genesis& genesis() const { return genesis_; }
  Head head() const;

  // Stateless admission: limits, known module, module Check.
  base::Status CheckTransaction(const Transaction& tx) const;

  // Applies `txs` in order over the head. Rejected transactions (module Apply failure, or a hash
  // already committed or repeated) are left out; when none applies the block has no transactions
  // and must not be committed. Errors are local failures (storage) only.
  base::Result<PendingBlock> Execute(const std::vector<Transaction>& txs, uint64_t time_ms,
                                     const Digest32& proposer);

  // Writes `pending` (whose header must now carry its signature) in one synced batch and advances
  // the head. `sync` = false is only for bulk re-validation into a scratch store.
  base::Status Commit(const PendingBlock& pending, bool sync = true);

  // Validates and commits a complete block from elsewhere: every transaction must apply, and the
  // recomputed header must equal the block's; the signature must verify against genesis.
  base::Status ApplyBlock(const Block& block, bool sync = true);

  base::Result<std::optional<Block>> GetBlock(uint64_t height) const;
  base::Result<std::optional<TxLocation>> FindTx(const Digest32& tx_hash) const;
  base::Result<std::optional<Bytes>> ReadState(std::string_view module, ByteSpan key) const;
  // Calls fn(key, value) for each committed state key of `module` starting with `prefix`, in
  // key order (keys without the module prefix), until fn returns false.
  base::Status ScanState(std::string_view module, ByteSpan prefix,
                         const std::function<bool(ByteSpan key, ByteSpan value)>& fn) const;

 private:
  Chain(storage::KvStore* store, Genesis genesis, std::map<std::string, Module*, std::less<>> modules)
      : store_(store), genesis_(std::move(genesis)), modules_(std::move(modules)) {}

  base::Status InitFromGenesis();
  base::Status LoadHead();
  Module* FindModule(std::string_view name) const;

  storage::KvStore* store_;
  const Genesis genesis_;
  const std::map<std::string, Module*, std::less<>> modules_;

  mutable std::mutex head_mu_;
  Head head_;  // guarded by head_mu_
};

// Re-executes every block of `source` (a chain store) on a fresh `scratch` store, checking each
// block's signature, tx root and state root. Returns the final head; used by crash tests and by
// `hypermeshd --verify-chain`.
base::Result<Head> ReplayChain(const storage::KvStore& source, storage::KvStore* scratch,
                               const Genesis& genesis, std::vector<Module*> modules);

}  // namespace hm::chain
