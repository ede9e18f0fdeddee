#include "storage/kv_store.h"

#include <algorithm>

#include "base/check.h"

namespace hm::storage {

uint32_t WriteBatch::InternCf(std::string_view cf) {
  for (uint32_t i = 0; i < cfs_.size(); ++i) {
    if (cfs_[i] == cf) return i;
  }
  cfs_.emplace_back(cf);
  return static_cast<uint32_t>(cfs_.size() - 1);
}

void WriteBatch::Add(OpType type, std::string_view cf, ByteSpan key, ByteSpan value) {
  Entry e{type, InternCf(cf), data_.size(), key.size(), value.size()};
  data_.insert(data_.end(), key.begin(), key.end());
  data_.insert(data_.end(), value.begin(), value.end());
  entries_.push_back(e);
}

void WriteBatch::Put(std::string_view cf, ByteSpan key, ByteSpan value) {
  Add(OpType::kPut, cf, key, value);
}

void WriteBatch::Delete(std::string_view cf, ByteSpan key) { Add(OpType::kDelete, cf, key, {}); }

void WriteBatch::Clear() {
  cfs_.clear();
  entries_.clear();
  data_.clear();
}

WriteBatch::Op WriteBatch::op(size_t i) const {
  HM_CHECK(i < entries_.size());
  const Entry& e = entries_[i];
  const uint8_t* base = data_.data() + e.offset;
  return Op{e.type, cfs_[e.cf], ByteSpan(base, e.key_size),
            ByteSpan(base + e.key_size, e.value_size)};
}

std::optional<Bytes> PrefixUpperBound(ByteSpan prefix) {
  Bytes bound(prefix.begin(), prefix.end());
  // Drop trailing 0xff bytes, then increment the last remaining byte.
  while (!bound.empty() && bound.back() == 0xff) bound.pop_back();
  if (bound.empty()) return std::nullopt;
  ++bound.back();
  return bound;
}

bool KvStore::HasColumnFamily(std::string_view cf) const {
  const auto& cfs = column_families();
  return std::find(cfs.begin(), cfs.end(), cf) != cfs.end();
}

Result<std::unique_ptr<Iterator>> KvStore::NewIterator(std::string_view cf,
                                                       const Snapshot* snapshot) const {
  IteratorOptions options;
  options.snapshot = snapshot;
  return DoNewIterator(cf, options);
}

Result<std::unique_ptr<Iterator>> KvStore::NewPrefixIterator(std::string_view cf, ByteSpan prefix,
                                                             const Snapshot* snapshot) const {
  IteratorOptions options;
  options.snapshot = snapshot;
  options.lower_bound = Bytes(prefix.begin(), prefix.end());
  options.upper_bound = PrefixUpperBound(prefix);
  return DoNewIterator(cf, options);
}

Status KvStore::ScanPrefix(std::string_view cf, ByteSpan prefix,
                           const std::function<bool(ByteSpan key, ByteSpan value)>& fn,
                           const Snapshot* snapshot) const {
  HM_ASSIGN_OR_RETURN(std::unique_ptr<Iterator> it, NewPrefixIterator(cf, prefix, snapshot));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    if (!fn(it->key(), it->value())) break;
  }
  return it->status();
}

}  // namespace hm::storage
