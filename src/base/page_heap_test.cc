#include "base/page_heap.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace hm::base {
namespace {

// Resident pages of this process (/proc/self/statm, second field).
long ResidentPages() {
  long size = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident : -1;
}

TEST(PageHeapTest, SmallAndHugeRequestsGoToMalloc) {
  PageHeap heap(size_t{16} << 20);
  void* small = heap.Allocate(100);
  void* huge = heap.Allocate(PageHeap::kMaxBytes + 1);
  void* block = heap.Allocate(PageHeap::kMinBytes);
  ASSERT_NE(small, nullptr);
  ASSERT_NE(huge, nullptr);
  ASSERT_NE(block, nullptr);
  EXPECT_FALSE(heap.Owns(small));
  EXPECT_FALSE(heap.Owns(huge));
  EXPECT_TRUE(heap.Owns(block));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 16, 0u);
  EXPECT_EQ(heap.stats().blocks_in_use, 1u);
  EXPECT_EQ(heap.stats().bytes_in_use, 2 * PageHeap::kPageSize);  // 4096 + header
  heap.Free(small);
  heap.Free(huge);
  heap.Free(block);
  heap.Free(nullptr);
  EXPECT_EQ(heap.stats().blocks_in_use, 0u);
  EXPECT_EQ(heap.stats().bytes_in_use, 0u);
}

TEST(PageHeapTest, SmallZeroedRequestsGoToMalloc) {
  PageHeap heap(size_t{16} << 20);
  void* small = heap.AllocateZeroed(1, PageHeap::kMinZeroedBytes - 1);
  void* large = heap.AllocateZeroed(1, PageHeap::kMinZeroedBytes);
  EXPECT_FALSE(heap.Owns(small));
  EXPECT_TRUE(heap.Owns(large));
  heap.Free(small);
  heap.Free(large);
}

TEST(PageHeapTest, ReusedBlocksReadAsZero) {
  PageHeap heap(size_t{16} << 20);
  auto* a = static_cast<unsigned char*>(heap.AllocateZeroed(1, 20000));
  ASSERT_NE(a, nullptr);
  for (size_t i = 0; i < 20000; ++i) ASSERT_EQ(a[i], 0);
  std::memset(a, 0xAB, 20000);
  heap.Free(a);
  auto* b = static_cast<unsigned char*>(heap.AllocateZeroed(20000, 1));
  EXPECT_EQ(b, a);  // the released block of the same size is reused
  for (size_t i = 0; i < 20000; ++i) ASSERT_EQ(b[i], 0) << i;
  EXPECT_EQ(heap.stats().bytes_carved, 5 * PageHeap::kPageSize);
  heap.Free(b);
}

TEST(PageHeapTest, ReallocateKeepsTheContents) {
  PageHeap heap(size_t{16} << 20);
  auto* p = static_cast<unsigned char*>(heap.Allocate(100));  // from malloc
  for (int i = 0; i < 100; ++i) p[i] = static_cast<unsigned char>(i);
  p = static_cast<unsigned char*>(heap.Reallocate(p, 200));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p[i], i);
  auto* q = static_cast<unsigned char*>(heap.Reallocate(nullptr, 5000));  // a page block
  ASSERT_TRUE(heap.Owns(q));
  for (int i = 0; i < 5000; ++i) q[i] = static_cast<unsigned char>(i * 7);
  EXPECT_EQ(heap.Reallocate(q, 6000), q);  // still fits its two pages
  auto* r = static_cast<unsigned char*>(heap.Reallocate(q, 50000));
  ASSERT_TRUE(heap.Owns(r));
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(r[i], static_cast<unsigned char>(i * 7)) << i;
  EXPECT_EQ(heap.Reallocate(r, 0), nullptr);
  heap.Free(p);
  EXPECT_EQ(heap.stats().blocks_in_use, 0u);
}

TEST(PageHeapTest, CallocOverflowFails) {
  PageHeap heap(size_t{16} << 20);
  EXPECT_EQ(heap.AllocateZeroed(size_t{1} << 40, size_t{1} << 40), nullptr);
}

TEST(PageHeapTest, UsedUpReservationFallsBackToMalloc) {
  PageHeap heap(3 * PageHeap::kPageSize);
  void* a = heap.Allocate(8000);  // two pages
  void* b = heap.Allocate(8000);  // only one page left: malloc
  EXPECT_TRUE(heap.Owns(a));
  EXPECT_FALSE(heap.Owns(b));
  heap.Free(a);
  heap.Free(b);
}

// The point of the heap: a 40 KB zeroed block of which one byte is written costs one resident
// page, and freed blocks stop being resident.
TEST(PageHeapTest, OnlyWrittenPagesAreResident) {
  PageHeap heap(size_t{256} << 20);
  constexpr int kBlocks = 2000;
  const long before = ResidentPages();
  ASSERT_GT(before, 0);
  std::vector<char*> blocks;
  blocks.reserve(kBlocks);
  for (int i = 0; i < kBlocks; ++i) {
    auto* p = static_cast<char*>(heap.AllocateZeroed(1, 40000));
    ASSERT_NE(p, nullptr);
    p[100] = 1;  // same page as the header
    blocks.push_back(p);
  }
  const long during = ResidentPages();
  // 10 pages per block if all of it were resident; one each (plus noise) when not.
  EXPECT_LT(during - before, kBlocks * 2) << "resident pages grew by " << during - before;
  EXPECT_GE(during - before, kBlocks - 100);
  for (int i = 0; i < kBlocks; ++i) {
    for (int k = 0; k < 40000; k += 4096) blocks[i][k] = 2;  // now all ten pages
  }
  const long full = ResidentPages();
  EXPECT_GE(full - before, kBlocks * 9);
  for (char* p : blocks) heap.Free(p);
  EXPECT_LT(ResidentPages() - before, kBlocks * 2);
}

// Freed blocks keep their first page only up to kWarmBlocks of them; past that they go back
// whole, so a burst's memory is returned.
TEST(PageHeapTest, WarmFirstPagesAreBounded) {
  PageHeap heap(size_t{512} << 20);
  constexpr size_t kBlocks = 2 * PageHeap::kWarmBlocks;
  std::vector<char*> blocks;
  blocks.reserve(kBlocks);
  for (size_t i = 0; i < kBlocks; ++i) {
    auto* p = static_cast<char*>(heap.AllocateZeroed(1, 13000));  // four pages
    ASSERT_TRUE(heap.Owns(p));
    p[0] = 1;
    p[5000] = 1;  // the first two resident
    blocks.push_back(p);
  }
  const long during = ResidentPages();
  for (char* p : blocks) heap.Free(p);
  const long after = ResidentPages();
  // Two pages per block were resident; now only the warm blocks' first pages are.
  EXPECT_GE(during - after, static_cast<long>(2 * kBlocks - PageHeap::kWarmBlocks) - 200);
  // A warm block comes back zeroed when asked for, dirty first page included.
  auto* z = static_cast<unsigned char*>(heap.AllocateZeroed(13000, 1));
  for (size_t i = 0; i < 13000; ++i) ASSERT_EQ(z[i], 0) << i;
  heap.Free(z);
}

}  // namespace
}  // namespace hm::base
