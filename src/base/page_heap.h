// Memory for the pool blocks that ngtcp2 and nghttp3 carve per-connection objects from.
//
// Both libraries allocate, for every connection, blocks of 4-44 KB (object pools, ordered-set
// nodes, stream tables) of which an idle connection writes a small part. Taken from malloc, such
// a block lands in heap memory that earlier connections already wrote, so all of it counts in
// the process's resident memory. PageHeap serves these requests in whole pages of one reserved
// anonymous mapping instead: a page becomes resident only when written, and a freed block's
// pages are handed back to the kernel (MADV_DONTNEED) before the block is reused, so they read
// as zero again and a zeroed allocation needs no memset.
//
// Except the first page, for up to kWarmBlocks freed blocks: reusing a block writes its header
// there anyway, so handing that page back would only buy a page fault (and the zeroing) on
// reuse, several microseconds per connection in all. A warm block's first page is cleared with
// memset when a zeroed block is asked for. Beyond kWarmBlocks, freed blocks go back whole, so
// the memory of a burst of connections returns to the system when they close.
//
// Requests below kMinBytes or above kMaxBytes go to malloc, as do zeroed requests below
// kMinZeroedBytes: a calloc'd object of a few KB is written whole (ngtcp2's 8.4 KB connection
// is), so rounding it up to pages would only add the unused end of its last page. Everything
// goes to malloc once the reservation is used up (or could not be made). Free() and
// Reallocate() accept pointers from either source.
//
// Thread-safety: all members are thread-safe (one mutex; the QUIC loops allocate a few blocks
// per connection, not per packet).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace hm::base {

class PageHeap {
 public:
  static constexpr size_t kPageSize = 4096;
  static constexpr size_t kMinBytes = 4096;
  static constexpr size_t kMaxBytes = 256 * 1024;
  static constexpr size_t kMinZeroedBytes = 12 * 1024;
  static constexpr size_t kWarmBlocks = 8192;  // 32 MiB of first pages kept resident at most

  // The process-wide heap: 64 GiB of address space reserved on first use (no memory is
  // committed until written; never released).
  static PageHeap& Global();

  // Reserves `reserve_bytes` of address space (rounded up to pages).
  explicit PageHeap(size_t reserve_bytes);
  ~PageHeap();
  PageHeap(const PageHeap&) = delete;
  PageHeap& operator=(const PageHeap&) = delete;

  // malloc, calloc, realloc and free semantics (nullptr when out of memory).
  void* Allocate(size_t n);
  void* AllocateZeroed(size_t count, size_t size);
  void* Reallocate(void* p, size_t n);
  void Free(void* p);

  // The allocator callbacks of ngtcp2's and nghttp3's memory structs (same signatures in
  // both), serving from Global(); `user_data` is unused.
  static void* MallocCallback(size_t n, void* user_data);
  static void FreeCallback(void* p, void* user_data);
  static void* CallocCallback(size_t count, size_t size, void* user_data);
  static void* ReallocCallback(void* p, size_t n, void* user_data);

  // Whether `p` is a block of this heap (rather than of malloc).
  bool Owns(const void* p) const;

  struct Stats {
    uint64_t blocks_in_use = 0;
    uint64_t bytes_in_use = 0;    // whole pages of the blocks in use
    uint64_t bytes_carved = 0;    // high-water mark of the reservation handed out
  };
  Stats stats() const;

 private:
  // Every block starts with this header; the caller's pointer follows it.
  struct alignas(16) Header {
    uint64_t pages;
    uint64_t magic;
  };
  static constexpr uint64_t kMagic = 0x68'6d'70'61'67'65'68'70;  // "hmpageph"

  void* AllocatePages(size_t n, bool zeroed);
  static size_t PagesFor(size_t n) { return (n + sizeof(Header) + kPageSize - 1) / kPageSize; }
  static size_t Usable(const Header* h) { return h->pages * kPageSize - sizeof(Header); }

  char* base_ = nullptr;
  size_t reserved_ = 0;
  mutable std::mutex mu_;
  size_t carved_ = 0;                    // bytes of the reservation handed out so far
  // Released blocks by page count: warm_ keep their first page resident (the rest is zero),
  // cold_ are all zero.
  std::vector<std::vector<char*>> warm_;
  std::vector<std::vector<char*>> cold_;
  size_t warm_count_ = 0;
  Stats stats_;
};

}  // namespace hm::base
