// The "ct" chain module: add_entry transactions append RFC 6962 leaves to a Merkle tree kept in
// module state (docs/spec/ct.md), and CtLogReader answers the log's read queries (size, roots,
// proofs, entries) from committed state in O(log n) point reads.
// Thread-safety: CtModule follows chain::Module (Check from any thread; Apply on the chain's
// writer). CtLogReader reads Chain::ReadState (plus an internal cache of immutable upper tree
// nodes) and may be used from any thread.
#pragma once

#include <mutex>
#include <optional>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "chain/chain.h"
#include "chain/module.h"
#include "trustchain/ct/log_entry.h"
#include "trustchain/ct/merkle_tree.h"

namespace hm::trustchain::ct {

inline constexpr std::string_view kModuleName = "ct";
inline constexpr uint64_t kKindAddEntry = 1;
// An entry's timestamp may be at most this far ahead of its block's time.
inline constexpr uint64_t kMaxTimestampSkewMs = 10 * 60 * 1000;

// Module-state keys (docs/spec/ct.md).
base::Bytes TreeSizeKey();
base::Bytes NodeKey(uint32_t level, uint64_t index);
base::Bytes EntryKey(uint64_t index);
base::Bytes LeafIndexKey(const Digest32& leaf_hash);

// An add_entry transaction. Precondition: entry.Validate() is OK.
chain::Transaction MakeAddEntryTx(const LogEntry& entry, uint64_t nonce);
// The leaf index in an add_entry output (8 bytes, big-endian).
base::Result<uint64_t> DecodeAddEntryOutput(base::ByteSpan output);

class CtModule final : public chain::Module {
 public:
  std::string_view Name() const override { return kModuleName; }
  // InvalidArgument: unknown kind or a payload LogEntry::Decode rejects.
  base::Status Check(const chain::Transaction& tx) const override;
  // Appends the entry; output = leaf index. AlreadyExists (naming the index) for a duplicate
  // leaf; FailedPrecondition for a timestamp too far after the block time.
  base::Result<base::Bytes> Apply(const chain::Transaction& tx, const chain::BlockContext& ctx,
                                  chain::ModuleState& state) override;
  base::Status InitGenesis(const chain::Genesis& genesis, chain::ModuleState& state) override;
};

struct InclusionProof {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  std::vector<Digest32> audit_path;
};

class CtLogReader {
 public:
  // `chain` must outlive the reader.
  explicit CtLogReader(const chain::Chain& chain) : chain_(chain), nodes_(chain) {}

  base::Result<uint64_t> TreeSize() const;
  // OutOfRange if n > the current size.
  base::Result<Digest32> Root(uint64_t n) const;
  base::Result<std::optional<uint64_t>> IndexOfLeafHash(const Digest32& leaf_hash) const;
  // NotFound if the leaf is not in the tree of `tree_size`; OutOfRange if tree_size is too big.
  base::Result<InclusionProof> ProofByHash(const Digest32& leaf_hash, uint64_t tree_size) const;
  base::Result<InclusionProof> ProofByIndex(uint64_t index, uint64_t tree_size) const;
  // PROOF(first, second); InvalidArgument unless 0 < first <= second.
  base::Result<std::vector<Digest32>> ConsistencyProof(uint64_t first, uint64_t second) const;
  // NotFound past the end.
  base::Result<LogEntry> Entry(uint64_t index) const;
  // Entries start..end inclusive, cut at the tree size and at `max_count` (RFC 6962 get-entries
  // may return fewer). InvalidArgument if start > end; OutOfRange if start >= the tree size.
  base::Result<std::vector<LogEntry>> Entries(uint64_t start, uint64_t end,
                                              size_t max_count = 1000) const;

 private:
  class ChainNodeReader final : public NodeReader {
   public:
    explicit ChainNodeReader(const chain::Chain& chain) : chain_(chain) {}
    base::Result<std::optional<Digest32>> GetNode(uint32_t level, uint64_t index) const override;

   private:
    // Nodes of level >= 8 (one per 256 leaves and above) are kept in memory once read.
    static constexpr uint32_t kCacheMinLevel = 8;
    static constexpr size_t kCacheMaxNodes = size_t{1} << 20;
    const chain::Chain& chain_;
    mutable std::mutex mu_;
    mutable std::unordered_map<uint64_t, Digest32> cache_;  // guarded by mu_
  };

  const chain::Chain& chain_;
  ChainNodeReader nodes_;
};

}  // namespace hm::trustchain::ct
