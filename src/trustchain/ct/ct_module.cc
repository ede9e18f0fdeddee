#include "trustchain/ct/ct_module.h"

#include <fmt/format.h>

#include "codec/codec.h"

namespace hm::trustchain::ct {

using base::Bytes;

namespace {

constexpr uint8_t kKeySize = 'S';
constexpr uint8_t kKeyNode = 'N';
constexpr uint8_t kKeyEntry = 'E';
constexpr uint8_t kKeyLeafIndex = 'H';

Bytes EncodeU64(uint64_t v) {
  codec::Writer w(8);
  w.U64(v);
  return std::move(w).Take();
}

base::Result<uint64_t> DecodeU64(ByteSpan b, std::string_view what) {
  codec::Reader r(b);
  auto v = r.U64();
  if (!v.ok() || !r.Finish().ok()) return base::Corruption(fmt::format("ct: bad {} value", what));
  return *v;
}

base::Result<std::optional<Digest32>> DecodeNode(const std::optional<Bytes>& value) {
  if (!value) return std::optional<Digest32>();
  if (value->size() != 32) return base::Corruption("ct: tree node is not 32 bytes");
  Digest32 d;
  std::copy(value->begin(), value->end(), d.begin());
  return std::optional<Digest32>(d);
}

// The tree inside a block's module state.
class StateNodeStore final : public NodeStore {
 public:
  explicit StateNodeStore(chain::ModuleState& state) : state_(state) {}
  base::Result<std::optional<Digest32>> GetNode(uint32_t level, uint64_t index) const override {
    HM_ASSIGN_OR_RETURN(auto value, state_.Get(NodeKey(level, index)));
    return DecodeNode(value);
  }
  void PutNode(uint32_t level, uint64_t index, const Digest32& hash) override {
    state_.Put(NodeKey(level, index), hash);
  }

 private:
  chain::ModuleState& state_;
};

}  // namespace

Bytes TreeSizeKey() { return {kKeySize}; }

// Ordered by the node's first leaf, then level: the low siblings on a proof path (and the nodes an
// append touches) sit next to each other, in one or two storage blocks.
Bytes NodeKey(uint32_t level, uint64_t index) {
  codec::Writer w(10);
  w.U8(kKeyNode);
  w.U64(index << level);
  w.U8(static_cast<uint8_t>(level));
  return std::move(w).Take();
}

Bytes EntryKey(uint64_t index) {
  codec::Writer w(9);
  w.U8(kKeyEntry);
  w.U64(index);
  return std::move(w).Take();
}

Bytes LeafIndexKey(const Digest32& leaf_hash) {
  Bytes key(1 + leaf_hash.size());
  key[0] = kKeyLeafIndex;
  std::copy(leaf_hash.begin(), leaf_hash.end(), key.begin() + 1);
  return key;
}

chain::Transaction MakeAddEntryTx(const LogEntry& entry, uint64_t nonce) {
  chain::Transaction tx;
  tx.module = std::string(kModuleName);
  tx.kind = kKindAddEntry;
  tx.nonce = nonce;
  tx.payload = entry.Encode();
  return tx;
}

base::Result<uint64_t> DecodeAddEntryOutput(ByteSpan output) {
  codec::Reader r(output);
  HM_ASSIGN_OR_RETURN(uint64_t index, r.U64());
  HM_TRY(r.Finish());
  return index;
}

base::Status CtModule::Check(const chain::Transaction& tx) const {
  if (tx.kind != kKindAddEntry) return base::InvalidArgument("ct: unknown transaction kind");
  return LogEntry::Decode(tx.payload).status();
}

base::Result<Bytes> CtModule::Apply(const chain::Transaction& tx, const chain::BlockContext& ctx,
                                    chain::ModuleState& state) {
  if (tx.kind != kKindAddEntry) return base::InvalidArgument("ct: unknown transaction kind");
  HM_ASSIGN_OR_RETURN(LogEntry entry, LogEntry::Decode(tx.payload));
  if (entry.timestamp_ms > ctx.time_ms + kMaxTimestampSkewMs) {
    return base::FailedPrecondition(fmt::format(
        "ct: entry timestamp {} is too far after block time {}", entry.timestamp_ms, ctx.time_ms));
  }
  const Digest32 leaf_hash = entry.LeafHash();
  HM_ASSIGN_OR_RETURN(auto existing, state.Get(LeafIndexKey(leaf_hash)));
  if (existing) {
    HM_ASSIGN_OR_RETURN(uint64_t index, DecodeU64(*existing, "leaf index"));
    return base::AlreadyExists(fmt::format("ct: entry already logged at index {}", index));
  }
  HM_ASSIGN_OR_RETURN(auto size_value, state.Get(TreeSizeKey()));
  uint64_t size = 0;
  if (size_value) {
    HM_ASSIGN_OR_RETURN(size, DecodeU64(*size_value, "tree size"));
  }
  StateNodeStore nodes(state);
  HM_TRY(AppendLeaf(nodes, size, leaf_hash));
  state.Put(EntryKey(size), tx.payload);
  state.Put(LeafIndexKey(leaf_hash), EncodeU64(size));
  state.Put(TreeSizeKey(), EncodeU64(size + 1));
  return EncodeU64(size);
}

base::Status CtModule::InitGenesis(const chain::Genesis&, chain::ModuleState& state) {
  state.Put(TreeSizeKey(), EncodeU64(0));
  return base::Status::Ok();
}

// ---- reader

base::Result<std::optional<Digest32>> CtLogReader::ChainNodeReader::GetNode(
    uint32_t level, uint64_t index) const {
  const bool cacheable = level >= kCacheMinLevel;
  const uint64_t cache_key = (index << 6) | level;
  if (cacheable) {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(cache_key); it != cache_.end()) return std::optional(it->second);
  }
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, NodeKey(level, index)));
  HM_ASSIGN_OR_RETURN(auto node, DecodeNode(value));
  // A stored node is a complete perfect subtree and never changes, so caching it is always right.
  if (cacheable && node) {
    std::lock_guard lock(mu_);
    if (cache_.size() < kCacheMaxNodes) cache_.emplace(cache_key, *node);
  }
  return node;
}

base::Result<uint64_t> CtLogReader::TreeSize() const {
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, TreeSizeKey()));
  if (!value) return uint64_t{0};
  return DecodeU64(*value, "tree size");
}

base::Result<Digest32> CtLogReader::Root(uint64_t n) const {
  HM_ASSIGN_OR_RETURN(uint64_t size, TreeSize());
  return MerkleTreeView(nodes_, size).Root(n);
}

base::Result<std::optional<uint64_t>> CtLogReader::IndexOfLeafHash(
    const Digest32& leaf_hash) const {
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, LeafIndexKey(leaf_hash)));
  if (!value) return std::optional<uint64_t>();
  HM_ASSIGN_OR_RETURN(uint64_t index, DecodeU64(*value, "leaf index"));
  return std::optional<uint64_t>(index);
}

base::Result<InclusionProof> CtLogReader::ProofByIndex(uint64_t index, uint64_t tree_size) const {
  HM_ASSIGN_OR_RETURN(uint64_t size, TreeSize());
  HM_ASSIGN_OR_RETURN(auto path, MerkleTreeView(nodes_, size).InclusionProof(index, tree_size));
  return InclusionProof{.leaf_index = index, .tree_size = tree_size, .audit_path = std::move(path)};
}

base::Result<InclusionProof> CtLogReader::ProofByHash(const Digest32& leaf_hash,
                                                      uint64_t tree_size) const {
  HM_ASSIGN_OR_RETURN(auto index, IndexOfLeafHash(leaf_hash));
  if (!index || *index >= tree_size) {
    return base::NotFound(fmt::format("ct: leaf hash not in the tree of size {}", tree_size));
  }
  return ProofByIndex(*index, tree_size);
}

base::Result<std::vector<Digest32>> CtLogReader::ConsistencyProof(uint64_t first,
                                                                  uint64_t second) const {
  HM_ASSIGN_OR_RETURN(uint64_t size, TreeSize());
  return MerkleTreeView(nodes_, size).ConsistencyProof(first, second);
}

base::Result<LogEntry> CtLogReader::Entry(uint64_t index) const {
  HM_ASSIGN_OR_RETURN(auto value, chain_.ReadState(kModuleName, EntryKey(index)));
  if (!value) return base::NotFound(fmt::format("ct: no entry {}", index));
  auto entry = LogEntry::Decode(*value);
  if (!entry.ok()) return base::Corruption(fmt::format("ct: stored entry {} does not decode", index));
  return entry;
}

base::Result<std::vector<LogEntry>> CtLogReader::Entries(uint64_t start, uint64_t end,
                                                         size_t max_count) const {
  if (start > end) return base::InvalidArgument("ct: start > end");
  HM_ASSIGN_OR_RETURN(uint64_t size, TreeSize());
  if (start >= size) return base::OutOfRange(fmt::format("ct: start {} >= tree size {}", start, size));
  end = std::min({end, size - 1, start + std::max<size_t>(max_count, 1) - 1});
  std::vector<LogEntry> out;
  out.reserve(end - start + 1);
  for (uint64_t i = start; i <= end; ++i) {
    HM_ASSIGN_OR_RETURN(LogEntry e, Entry(i));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace hm::trustchain::ct
