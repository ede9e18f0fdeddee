#include "chain/write_set.h"

#include "codec/codec.h"

namespace hm::chain {

Bytes StateKey(std::string_view module, ByteSpan key) {
  Bytes out;
  out.reserve(module.size() + 1 + key.size());
  out.insert(out.end(), module.begin(), module.end());
  out.push_back(0x00);
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

std::optional<std::optional<Bytes>> WriteSet::Find(const Bytes& key) const {
  auto it = writes_.find(key);
  if (it == writes_.end()) return std::nullopt;
  return it->second;
}

void WriteSet::MergeFrom(WriteSet&& other) {
  for (auto& [k, v] : other.writes_) writes_[k] = std::move(v);
}

void WriteSet::AddTo(storage::WriteBatch& batch) const {
  for (const auto& [k, v] : writes_) {
    if (v) {
      batch.Put(kStateCf, k, *v);
    } else {
      batch.Delete(kStateCf, k);
    }
  }
}

Digest32 WriteSet::Digest() const {
  codec::Writer w;
  for (const auto& [k, v] : writes_) {
    w.Bytes(k);
    w.Bool(v.has_value());
    if (v) w.Bytes(*v);
  }
  return DomainHash("hm.writes.v1", w.bytes());
}

Digest32 NextStateRoot(const Digest32& prev, uint64_t height, const Digest32& writes_digest) {
  codec::Writer w(72);
  w.Fixed(prev);
  w.U64(height);
  w.Fixed(writes_digest);
  return DomainHash("hm.state.v1", w.bytes());
}

base::Result<std::optional<Bytes>> OverlayState::Get(ByteSpan key) const {
  Bytes full = StateKey(module_, key);
  if (auto v = tx_.Find(full)) return *v;
  if (auto v = block_.Find(full)) return *v;
  return store_.Get(kStateCf, full);
}

base::Result<std::optional<Bytes>> OverlayState::GetOther(std::string_view module,
                                                        ByteSpan key) const {
  // Another module's writes in this transaction cannot exist (a transaction names one module),
  // so only the block's writes and committed storage are consulted.
  Bytes full = StateKey(module, key);
  if (auto v = block_.Find(full)) return *v;
  return store_.Get(kStateCf, full);
}

void OverlayState::Put(ByteSpan key, ByteSpan value) {
  tx_.Put(StateKey(module_, key), Bytes(value.begin(), value.end()));
}

void OverlayState::Delete(ByteSpan key) { tx_.Delete(StateKey(module_, key)); }

}  // namespace hm::chain
