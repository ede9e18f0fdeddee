// The key-value store interface the chain layer persists through; backends (RocksDB)
// live behind it. Thread-safety: KvStore methods may be called concurrently, except Close() and the
// destructor. An Iterator is used by one thread at a time; a Snapshot may be shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::storage {

using base::Bytes;
using base::ByteSpan;
using base::Result;
using base::Status;

// Every store has this column family, whatever else it was opened with.
inline constexpr std::string_view kDefaultColumnFamily = "default";

// A set of puts and deletes applied atomically by KvStore::Write. A plain value: it holds copies of
// its keys and values and knows nothing about the store it will be written to.
class WriteBatch {
 public:
  enum class OpType : uint8_t { kPut, kDelete };
  // A view of one operation; valid until the batch is next modified or destroyed.
  struct Op {
    OpType type;
    std::string_view cf;
    ByteSpan key;
    ByteSpan value;  // empty for kDelete
  };

  void Put(std::string_view cf, ByteSpan key, ByteSpan value);
  void Delete(std::string_view cf, ByteSpan key);
  void Clear();

  // Number of operations.
  size_t Count() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Bytes of keys and values held; a cheap measure for capping batch sizes.
  size_t ByteSize() const { return data_.size(); }
  // Operations in the order they were added (later ones win on the same key).
  Op op(size_t i) const;

 private:
  struct Entry {
    OpType type;
    uint32_t cf;  // index into cfs_
    size_t offset;
    size_t key_size;
    size_t value_size;
  };
  uint32_t InternCf(std::string_view cf);
  void Add(OpType type, std::string_view cf, ByteSpan key, ByteSpan value);

  std::vector<std::string> cfs_;  // a batch names few column families; linear lookup is fine
  std::vector<Entry> entries_;
  Bytes data_;
};

struct WriteOptions {
  // true: the write-ahead log is fsynced before Write returns, so the batch survives a power cut.
  // false: it survives a process crash (kill -9) but may be lost if the machine goes down.
  bool sync = true;
};

// A consistent read-only view of the store at one point in time. Destroying it releases it.
// It must be destroyed before its store is closed.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 protected:
  Snapshot() = default;
};

// Walks the keys of one column family in ascending bytewise order. Reads the state at its creation
// (or at its snapshot). key() and value() views stay valid until the iterator next moves.
// It must be destroyed before its store is closed.
class Iterator {
 public:
  virtual ~Iterator() = default;

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first key >= target.
  virtual void Seek(ByteSpan target) = 0;
  // Positions at the last key <= target.
  virtual void SeekForPrev(ByteSpan target) = 0;
  // Next and Prev require Valid().
  virtual void Next() = 0;
  virtual void Prev() = 0;
  // Require Valid().
  virtual ByteSpan key() const = 0;
  virtual ByteSpan value() const = 0;
  // Non-OK if iteration stopped on an error (Valid() is then false), e.g. kCorruption or kIoError.
  virtual Status status() const = 0;

 protected:
  Iterator() = default;
};

struct IteratorOptions {
  const Snapshot* snapshot = nullptr;  // null: the latest state
  std::optional<Bytes> lower_bound;    // inclusive; keys below are never visited
  std::optional<Bytes> upper_bound;    // exclusive; keys at or above are never visited
  bool fill_cache = true;              // false for one-off bulk scans, to keep hot blocks cached
};

// The smallest key greater than every key that starts with `prefix`, or nullopt if there is none
// (the prefix is empty or all 0xff).
std::optional<Bytes> PrefixUpperBound(ByteSpan prefix);

// Errors: operations on a column family the store was not opened with return kInvalidArgument;
// after Close() they return kFailedPrecondition; local failures are kIoError or kCorruption and
// name the store's path.
class KvStore {
 public:
  virtual ~KvStore() = default;
  KvStore(const KvStore&) = delete;
  KvStore& operator=(const KvStore&) = delete;

  // All column families of the store, "default" first. Fixed at open time.
  virtual const std::vector<std::string>& column_families() const = 0;
  bool HasColumnFamily(std::string_view cf) const;

  // The value stored under `key`, or nullopt if there is none (absence is not an error).
  Result<std::optional<Bytes>> Get(std::string_view cf, ByteSpan key,
                                   const Snapshot* snapshot = nullptr) const {
    return DoGet(cf, key, snapshot);
  }

  // Applies every operation of `batch` or none. An empty batch is a no-op.
  Status Write(const WriteBatch& batch, const WriteOptions& options = {}) {
    return DoWrite(batch, options);
  }

  // Never null. Must not be called after Close().
  virtual std::unique_ptr<Snapshot> GetSnapshot() const = 0;

  Result<std::unique_ptr<Iterator>> NewIterator(std::string_view cf,
                                                const Snapshot* snapshot = nullptr) const;
  Result<std::unique_ptr<Iterator>> NewIterator(std::string_view cf,
                                                const IteratorOptions& options) const {
    return DoNewIterator(cf, options);
  }
  // An iterator that visits exactly the keys starting with `prefix`.
  Result<std::unique_ptr<Iterator>> NewPrefixIterator(std::string_view cf, ByteSpan prefix,
                                                      const Snapshot* snapshot = nullptr) const;

  // Calls fn(key, value) for each key starting with `prefix`, in order, until fn returns false.
  Status ScanPrefix(std::string_view cf, ByteSpan prefix,
                    const std::function<bool(ByteSpan key, ByteSpan value)>& fn,
                    const Snapshot* snapshot = nullptr) const;

  // Persists everything written so far (memtables and log) to disk.
  virtual Status Flush() = 0;

  // Releases the store (files, locks). Idempotent; the destructor calls it. Fails with
  // kFailedPrecondition, leaving the store open, while iterators or snapshots are alive.
  virtual Status Close() = 0;

 protected:
  KvStore() = default;

  virtual Result<std::optional<Bytes>> DoGet(std::string_view cf, ByteSpan key,
                                             const Snapshot* snapshot) const = 0;
  virtual Status DoWrite(const WriteBatch& batch, const WriteOptions& options) = 0;
  virtual Result<std::unique_ptr<Iterator>> DoNewIterator(std::string_view cf,
                                                          const IteratorOptions& options) const = 0;
};

}  // namespace hm::storage
