// KvStore semantics, run against the real RocksDB backend.
#include "storage/kv_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

#include "storage/rocksdb_store.h"
#include "storage/test_util.h"

namespace hm::storage {
namespace {

using base::AsBytes;
using base::AsString;
using base::Code;
using base::ToBytes;

std::string Str(ByteSpan b) { return std::string(AsString(b)); }

// The value under cf/key as a string, "<absent>" or "<error: ...>".
std::string Read(const KvStore& store, std::string_view cf, std::string_view key,
                 const Snapshot* snapshot = nullptr) {
  auto r = store.Get(cf, AsBytes(key), snapshot);
  if (!r.ok()) return "<error: " + r.status().ToString() + ">";
  if (!r->has_value()) return "<absent>";
  return Str(**r);
}

std::vector<std::string> Keys(Iterator& it) {
  std::vector<std::string> out;
  for (; it.Valid(); it.Next()) out.push_back(Str(it.key()));
  EXPECT_TRUE(it.status().ok()) << it.status().ToString();
  return out;
}

std::vector<std::string> KeysBackward(Iterator& it) {
  std::vector<std::string> out;
  for (; it.Valid(); it.Prev()) out.push_back(Str(it.key()));
  EXPECT_TRUE(it.status().ok()) << it.status().ToString();
  return out;
}

TEST(WriteBatchTest, RecordsOperationsInOrder) {
  WriteBatch b;
  EXPECT_TRUE(b.empty());
  b.Put("a", AsBytes("k1"), AsBytes("value"));
  b.Delete("b", AsBytes("k2"));
  b.Put("a", AsBytes(""), AsBytes(""));
  EXPECT_EQ(b.Count(), 3u);
  EXPECT_EQ(b.ByteSize(), 2u + 5u + 2u);
  WriteBatch::Op op0 = b.op(0);
  EXPECT_EQ(op0.type, WriteBatch::OpType::kPut);
  EXPECT_EQ(op0.cf, "a");
  EXPECT_EQ(Str(op0.key), "k1");
  EXPECT_EQ(Str(op0.value), "value");
  WriteBatch::Op op1 = b.op(1);
  EXPECT_EQ(op1.type, WriteBatch::OpType::kDelete);
  EXPECT_EQ(op1.cf, "b");
  EXPECT_EQ(Str(op1.key), "k2");
  EXPECT_TRUE(op1.value.empty());
  EXPECT_EQ(b.op(2).cf, "a");
  EXPECT_TRUE(b.op(2).key.empty());
  b.Clear();
  EXPECT_EQ(b.Count(), 0u);
  EXPECT_EQ(b.ByteSize(), 0u);
}

TEST(PrefixUpperBoundTest, Vectors) {
  EXPECT_EQ(PrefixUpperBound({}), std::nullopt);
  EXPECT_EQ(PrefixUpperBound(Bytes{0xff, 0xff}), std::nullopt);
  EXPECT_EQ(PrefixUpperBound(Bytes{0x01, 0xff}), (Bytes{0x02}));
  EXPECT_EQ(PrefixUpperBound(Bytes{0x01, 0x7f}), (Bytes{0x01, 0x80}));
  EXPECT_EQ(PrefixUpperBound(AsBytes("ab")), ToBytes("ac"));
}

class KvStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Open({"a", "b"}); }

  std::unique_ptr<KvStore> Open(const std::vector<std::string>& cfs) {
    RocksDbOptions options;
    options.column_families = cfs;
    options.block_cache_bytes = 1 << 20;
    options.write_buffer_bytes = 1 << 20;
    auto store = OpenRocksDb(dir_.Sub("db" + std::to_string(opened_++)), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  void Put(std::string_view cf, std::string_view key, std::string_view value) {
    WriteBatch b;
    b.Put(cf, AsBytes(key), AsBytes(value));
    ASSERT_TRUE(store_->Write(b).ok());
  }

  testing::TempDir dir_;
  int opened_ = 0;
  std::unique_ptr<KvStore> store_;
};

TEST_F(KvStoreTest, ListsColumnFamiliesDefaultFirst) {
  EXPECT_EQ(store_->column_families(), (std::vector<std::string>{"default", "a", "b"}));
  EXPECT_TRUE(store_->HasColumnFamily("b"));
  EXPECT_FALSE(store_->HasColumnFamily("c"));
}

TEST_F(KvStoreTest, PutGetDeleteAcrossColumnFamilies) {
  EXPECT_EQ(Read(*store_, "a", "k"), "<absent>");
  WriteBatch b;
  b.Put("a", AsBytes("k"), AsBytes("in-a"));
  b.Put("b", AsBytes("k"), AsBytes("in-b"));
  b.Put("default", AsBytes("k"), AsBytes("in-default"));
  ASSERT_TRUE(store_->Write(b).ok());
  EXPECT_EQ(Read(*store_, "a", "k"), "in-a");
  EXPECT_EQ(Read(*store_, "b", "k"), "in-b");
  EXPECT_EQ(Read(*store_, "default", "k"), "in-default");

  WriteBatch del;
  del.Delete("a", AsBytes("k"));
  del.Delete("a", AsBytes("never-there"));
  ASSERT_TRUE(store_->Write(del, WriteOptions{.sync = false}).ok());
  EXPECT_EQ(Read(*store_, "a", "k"), "<absent>");
  EXPECT_EQ(Read(*store_, "b", "k"), "in-b");
}

TEST_F(KvStoreTest, BinaryKeysAndValues) {
  const Bytes key = {0x00, 0xff, 0x00};
  const Bytes value = {0x00, 0x01, 0x00, 0xfe};
  WriteBatch b;
  b.Put("a", key, value);
  b.Put("a", {}, AsBytes("empty key"));
  ASSERT_TRUE(store_->Write(b).ok());
  auto got = store_->Get("a", key);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, value);
  EXPECT_EQ(Read(*store_, "a", ""), "empty key");
  EXPECT_EQ(Read(*store_, "a", std::string_view("\x00\xff", 2)), "<absent>");
}

TEST_F(KvStoreTest, LaterOperationsInABatchWin) {
  WriteBatch b;
  b.Put("a", AsBytes("x"), AsBytes("1"));
  b.Delete("a", AsBytes("x"));
  b.Put("a", AsBytes("x"), AsBytes("2"));
  b.Put("a", AsBytes("y"), AsBytes("1"));
  b.Delete("a", AsBytes("y"));
  ASSERT_TRUE(store_->Write(b).ok());
  EXPECT_EQ(Read(*store_, "a", "x"), "2");
  EXPECT_EQ(Read(*store_, "a", "y"), "<absent>");
}

TEST_F(KvStoreTest, UnknownColumnFamilyIsRejectedAndWritesNothing) {
  EXPECT_EQ(store_->Get("nope", AsBytes("k")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->NewIterator("nope").status().code(), Code::kInvalidArgument);
  WriteBatch b;
  b.Put("a", AsBytes("k"), AsBytes("v"));
  b.Put("nope", AsBytes("k"), AsBytes("v"));
  Status s = store_->Write(b);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'nope'"), std::string_view::npos) << s.ToString();
  EXPECT_EQ(Read(*store_, "a", "k"), "<absent>");
}

TEST_F(KvStoreTest, EmptyBatchIsANoOp) { EXPECT_TRUE(store_->Write(WriteBatch()).ok()); }

TEST_F(KvStoreTest, LargeBatchIsAtomicAndInvisibleToEarlierSnapshot) {
  Put("b", "marker", "before");
  std::unique_ptr<Snapshot> before = store_->GetSnapshot();
  WriteBatch b;
  for (int i = 0; i < 1000; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%04d", i);
    b.Put(i % 2 ? "a" : "b", AsBytes(key), AsBytes(std::string(100, 'v')));
  }
  b.Put("b", AsBytes("marker"), AsBytes("after"));
  ASSERT_EQ(b.Count(), 1001u);
  ASSERT_TRUE(store_->Write(b).ok());

  for (const char* cf : {"a", "b"}) {
    auto latest = store_->NewIterator(cf);
    ASSERT_TRUE(latest.ok());
    (*latest)->SeekToFirst();
    std::vector<std::string> keys = Keys(**latest);
    EXPECT_EQ(keys.size(), std::string_view(cf) == "a" ? 500u : 501u);
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));

    auto old = store_->NewIterator(cf, before.get());
    ASSERT_TRUE(old.ok());
    (*old)->SeekToFirst();
    EXPECT_EQ(Keys(**old), std::string_view(cf) == "a" ? std::vector<std::string>{}
                                                       : std::vector<std::string>{"marker"});
  }
  EXPECT_EQ(Read(*store_, "a", "key0999"), std::string(100, 'v'));
  EXPECT_EQ(Read(*store_, "a", "key0999", before.get()), "<absent>");
  EXPECT_EQ(Read(*store_, "b", "marker", before.get()), "before");
  EXPECT_EQ(Read(*store_, "b", "marker"), "after");
}

TEST_F(KvStoreTest, SnapshotIsolation) {
  Put("a", "k", "v1");
  Put("a", "gone", "x");
  std::unique_ptr<Snapshot> snap = store_->GetSnapshot();
  WriteBatch b;
  b.Put("a", AsBytes("k"), AsBytes("v2"));
  b.Delete("a", AsBytes("gone"));
  b.Put("a", AsBytes("new"), AsBytes("n"));
  ASSERT_TRUE(store_->Write(b).ok());

  EXPECT_EQ(Read(*store_, "a", "k", snap.get()), "v1");
  EXPECT_EQ(Read(*store_, "a", "gone", snap.get()), "x");
  EXPECT_EQ(Read(*store_, "a", "new", snap.get()), "<absent>");
  EXPECT_EQ(Read(*store_, "a", "k"), "v2");
  EXPECT_EQ(Read(*store_, "a", "gone"), "<absent>");

  auto it = store_->NewIterator("a", snap.get());
  ASSERT_TRUE(it.ok());
  (*it)->SeekToFirst();
  EXPECT_EQ(Keys(**it), (std::vector<std::string>{"gone", "k"}));
}

TEST_F(KvStoreTest, IteratorSeesStateAtCreation) {
  Put("a", "1", "x");
  auto it = store_->NewIterator("a");
  ASSERT_TRUE(it.ok());
  Put("a", "2", "y");
  (*it)->SeekToFirst();
  EXPECT_EQ(Keys(**it), (std::vector<std::string>{"1"}));
}

TEST_F(KvStoreTest, SnapshotOfAnotherStoreIsRejected) {
  std::unique_ptr<KvStore> other = Open({"a"});
  ASSERT_NE(other, nullptr);
  std::unique_ptr<Snapshot> foreign = other->GetSnapshot();
  EXPECT_EQ(store_->Get("a", AsBytes("k"), foreign.get()).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->NewIterator("a", foreign.get()).status().code(), Code::kInvalidArgument);
}

TEST_F(KvStoreTest, IteratesInUnsignedBytewiseOrder) {
  // Keys in a seeded random order; 0x80 must sort after 0x7f (unsigned comparison).
  std::vector<std::string> keys = {
      "",    std::string("\x00", 1), std::string("\x00\x00", 2), "a", "ab", "b", "\x7f", "\x80",
      "\xff"};
  std::vector<std::string> shuffled = keys;
  std::mt19937 rng(42);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  WriteBatch b;
  for (const std::string& k : shuffled) b.Put("a", AsBytes(k), AsBytes("v" + k));
  ASSERT_TRUE(store_->Write(b).ok());

  auto it = std::move(store_->NewIterator("a")).value();
  it->SeekToFirst();
  EXPECT_EQ(Keys(*it), keys);
  it->SeekToLast();
  std::vector<std::string> reversed(keys.rbegin(), keys.rend());
  EXPECT_EQ(KeysBackward(*it), reversed);

  it->Seek(AsBytes("aa"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Str(it->key()), "ab");
  EXPECT_EQ(Str(it->value()), "vab");
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Str(it->key()), "a");
  it->SeekForPrev(AsBytes("aa"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Str(it->key()), "a");
  it->Seek(AsBytes("\x7f\x01"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Str(it->key()), "\x80");
  it->Seek(AsBytes("\xff\x01"));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_F(KvStoreTest, BoundedIterator) {
  WriteBatch b;
  for (const char* k : {"a", "b", "c", "d", "e"}) b.Put("a", AsBytes(k), AsBytes(k));
  ASSERT_TRUE(store_->Write(b).ok());
  IteratorOptions options;
  options.lower_bound = ToBytes("b");
  options.upper_bound = ToBytes("d");
  auto it = std::move(store_->NewIterator("a", options)).value();
  it->SeekToFirst();
  EXPECT_EQ(Keys(*it), (std::vector<std::string>{"b", "c"}));
  it->SeekToLast();
  EXPECT_EQ(KeysBackward(*it), (std::vector<std::string>{"c", "b"}));
  it->Seek(AsBytes("a"));  // below the lower bound: clamps to it
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Str(it->key()), "b");
  it->Seek(AsBytes("d"));
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev(AsBytes("z"));  // above the upper bound: the last key inside
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Str(it->key()), "c");
  it->SeekForPrev(AsBytes("a"));
  EXPECT_FALSE(it->Valid());
}

TEST_F(KvStoreTest, PrefixScan) {
  WriteBatch b;
  for (std::string k : {"a/1", "a/2", "a/3", "a", "a0", "b/1", "\xff\xff", "\xff\xff\x01"}) {
    b.Put("a", AsBytes(k), AsBytes("v" + k));
  }
  b.Put("b", AsBytes("a/9"), AsBytes("other cf"));
  ASSERT_TRUE(store_->Write(b).ok());

  std::vector<std::string> seen;
  auto collect = [&seen](ByteSpan key, ByteSpan value) {
    EXPECT_EQ(Str(value), "v" + Str(key));
    seen.push_back(Str(key));
    return true;
  };
  ASSERT_TRUE(store_->ScanPrefix("a", AsBytes("a/"), collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a/1", "a/2", "a/3"}));

  seen.clear();
  ASSERT_TRUE(store_->ScanPrefix("a", AsBytes("\xff\xff"), collect).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"\xff\xff", "\xff\xff\x01"}));

  seen.clear();
  ASSERT_TRUE(store_->ScanPrefix("a", {}, collect).ok());
  EXPECT_EQ(seen.size(), 8u);

  int calls = 0;
  ASSERT_TRUE(
      store_->ScanPrefix("a", AsBytes("a/"), [&calls](ByteSpan, ByteSpan) { return ++calls < 2; })
          .ok());
  EXPECT_EQ(calls, 2);

  auto it = std::move(store_->NewPrefixIterator("a", AsBytes("a/"))).value();
  it->SeekToLast();
  EXPECT_EQ(KeysBackward(*it), (std::vector<std::string>{"a/3", "a/2", "a/1"}));
}

TEST_F(KvStoreTest, CloseRefusesWhileIteratorsOrSnapshotsLive) {
  auto it = std::move(store_->NewIterator("a")).value();
  std::unique_ptr<Snapshot> snap = store_->GetSnapshot();
  Status s = store_->Close();
  EXPECT_EQ(s.code(), Code::kFailedPrecondition) << s.ToString();
  it.reset();
  EXPECT_EQ(store_->Close().code(), Code::kFailedPrecondition);
  snap.reset();
  EXPECT_TRUE(store_->Close().ok());
  EXPECT_TRUE(store_->Close().ok());  // idempotent
  EXPECT_EQ(store_->Get("a", AsBytes("k")).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->Write(WriteBatch()).code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->NewIterator("a").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->Flush().code(), Code::kFailedPrecondition);
}

TEST_F(KvStoreTest, ConcurrentWritersAndReaders) {
  constexpr int kPerThread = 200;
  std::atomic<bool> failed{false};
  auto writer = [&](int id) {
    for (int i = 0; i < kPerThread; ++i) {
      WriteBatch b;
      const std::string key = "w" + std::to_string(id) + "/" + std::to_string(i);
      b.Put("a", AsBytes(key), AsBytes("x"));
      b.Put("b", AsBytes(key), AsBytes("x"));
      if (!store_->Write(b, WriteOptions{.sync = false}).ok()) failed = true;
    }
  };
  auto reader = [&]() {
    for (int i = 0; i < 50; ++i) {
      // Every batch writes the same key to both families, so a snapshot sees equal counts.
      std::unique_ptr<Snapshot> snap = store_->GetSnapshot();
      size_t counts[2] = {0, 0};
      for (int c = 0; c < 2; ++c) {
        Status s = store_->ScanPrefix(
            c == 0 ? "a" : "b", AsBytes("w"), [&](ByteSpan, ByteSpan) { return ++counts[c], true; },
            snap.get());
        if (!s.ok()) failed = true;
      }
      if (counts[0] != counts[1]) failed = true;
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(writer, 0);
  threads.emplace_back(writer, 1);
  threads.emplace_back(reader);
  for (std::thread& t : threads) t.join();
  EXPECT_FALSE(failed.load());
  size_t total = 0;
  ASSERT_TRUE(
      store_->ScanPrefix("a", AsBytes("w"), [&](ByteSpan, ByteSpan) { return ++total, true; })
          .ok());
  EXPECT_EQ(total, 2u * kPerThread);
}

}  // namespace
}  // namespace hm::storage
