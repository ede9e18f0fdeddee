// The writes a block makes to module state, and their digest for the state root
// (docs/spec/chain.md). Thread-safety: value type.
#pragma once

#include <map>
#include <optional>

#include "chain/module.h"
#include "storage/kv_store.h"

namespace hm::chain {

inline constexpr std::string_view kStateCf = "state";

// Storage key = module || 0x00 || key.
Bytes StateKey(std::string_view module, ByteSpan key);

// Final value (or deletion, nullopt) of each storage key touched, ordered by key bytes.
class WriteSet {
 public:
  void Put(Bytes key, Bytes value) { writes_[std::move(key)] = std::move(value); }
  void Delete(Bytes key) { writes_[std::move(key)] = std::nullopt; }
  // nullopt: untouched; optional(nullopt): deleted.
  std::optional<std::optional<Bytes>> Find(const Bytes& key) const;
  void MergeFrom(WriteSet&& other);
  void AddTo(storage::WriteBatch& batch) const;
  Digest32 Digest() const;
  size_t size() const { return writes_.size(); }

 private:
  std::map<Bytes, std::optional<Bytes>> writes_;
};

// state_root(h) = H("hm.state.v1", prev || u64 h || writes_digest).
Digest32 NextStateRoot(const Digest32& prev, uint64_t height, const Digest32& writes_digest);

// ModuleState over committed storage plus the block's writes so far plus this tx's own writes.
class OverlayState final : public ModuleState {
 public:
  OverlayState(const storage::KvStore& store, const WriteSet& block_writes, std::string_view module)
      : store_(store), block_(block_writes), module_(module) {}

  base::Result<std::optional<Bytes>> Get(ByteSpan key) const override;
  base::Result<std::optional<Bytes>> GetOther(std::string_view module,
                                              ByteSpan key) const override;
  void Put(ByteSpan key, ByteSpan value) override;
  void Delete(ByteSpan key) override;

  WriteSet TakeWrites() && { return std::move(tx_); }

 private:
  const storage::KvStore& store_;
  const WriteSet& block_;
  std::string module_;
  WriteSet tx_;
};

}  // namespace hm::chain
