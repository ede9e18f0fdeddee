#include "base/page_heap.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <limits>

#include "base/check.h"

namespace hm::base {

PageHeap& PageHeap::Global() {
  static PageHeap* const heap = new PageHeap(size_t{64} << 30);  // never destroyed
  return *heap;
}

PageHeap::PageHeap(size_t reserve_bytes) {
  const size_t bytes = (reserve_bytes + kPageSize - 1) / kPageSize * kPageSize;
  // MAP_NORESERVE: address space only; the kernel commits a page when it is first written.
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p != MAP_FAILED) {
    base_ = static_cast<char*>(p);
    reserved_ = bytes;
  }
  warm_.resize(PagesFor(kMaxBytes) + 1);
  cold_.resize(PagesFor(kMaxBytes) + 1);
}

PageHeap::~PageHeap() {
  if (base_ != nullptr) ::munmap(base_, reserved_);
}

bool PageHeap::Owns(const void* p) const {
  const auto* c = static_cast<const char*>(p);
  return base_ != nullptr && c >= base_ && c < base_ + reserved_;
}

void* PageHeap::AllocatePages(size_t n, bool zeroed) {
  const size_t pages = PagesFor(n);
  char* block = nullptr;
  bool warm = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!warm_[pages].empty()) {
      block = warm_[pages].back();
      warm_[pages].pop_back();
      --warm_count_;
      warm = true;
    } else if (!cold_[pages].empty()) {
      block = cold_[pages].back();
      cold_[pages].pop_back();
    } else if (reserved_ - carved_ >= pages * kPageSize) {
      block = base_ + carved_;
      carved_ += pages * kPageSize;
      stats_.bytes_carved = carved_;
    } else {
      return nullptr;  // reservation used up: the caller falls back to malloc
    }
    ++stats_.blocks_in_use;
    stats_.bytes_in_use += pages * kPageSize;
  }
  auto* h = reinterpret_cast<Header*>(block);
  h->pages = pages;
  h->magic = kMagic;
  // A warm block's first page still holds what its last user wrote; the rest reads as zero.
  if (warm && zeroed) std::memset(h + 1, 0, kPageSize - sizeof(Header));
  return h + 1;
}

void* PageHeap::Allocate(size_t n) {
  if (n >= kMinBytes && n <= kMaxBytes && base_ != nullptr) {
    if (void* p = AllocatePages(n, /*zeroed=*/false)) return p;
  }
  return std::malloc(n);
}

void* PageHeap::AllocateZeroed(size_t count, size_t size) {
  if (size != 0 && count > std::numeric_limits<size_t>::max() / size) return nullptr;
  const size_t n = count * size;
  if (n >= kMinZeroedBytes && n <= kMaxBytes && base_ != nullptr) {
    if (void* p = AllocatePages(n, /*zeroed=*/true)) return p;
  }
  return std::calloc(count, size);
}

void* PageHeap::Reallocate(void* p, size_t n) {
  if (p == nullptr) return Allocate(n);
  if (!Owns(p)) return std::realloc(p, n);
  if (n == 0) {
    Free(p);
    return nullptr;
  }
  const auto* h = static_cast<const Header*>(p) - 1;
  const size_t usable = Usable(h);
  if (n <= usable) return p;  // blocks never shrink in place: their pages are already counted
  void* q = Allocate(n);
  if (q == nullptr) return nullptr;  // realloc semantics: the old block stays valid
  std::memcpy(q, p, usable);
  Free(p);
  return q;
}

void PageHeap::Free(void* p) {
  if (p == nullptr) return;
  if (!Owns(p)) {
    std::free(p);
    return;
  }
  auto* h = static_cast<Header*>(p) - 1;
  HM_CHECK_MSG(h->magic == kMagic, "PageHeap::Free: not a live block (double free or corruption)");
  const size_t pages = h->pages;
  h->magic = 0;
  bool warm;
  {
    std::lock_guard<std::mutex> lock(mu_);
    warm = warm_count_ < kWarmBlocks;
    if (warm) ++warm_count_;  // reserve the place before leaving the lock
  }
  // Back to the kernel (all of it, or all but a warm block's first page): the pages stop
  // counting as resident and read as zero when reused.
  const size_t kept = warm ? 1 : 0;
  if (pages > kept) {
    ::madvise(reinterpret_cast<char*>(h) + kept * kPageSize, (pages - kept) * kPageSize,
              MADV_DONTNEED);
  }
  std::lock_guard<std::mutex> lock(mu_);
  (warm ? warm_ : cold_)[pages].push_back(reinterpret_cast<char*>(h));
  --stats_.blocks_in_use;
  stats_.bytes_in_use -= pages * kPageSize;
}

void* PageHeap::MallocCallback(size_t n, void*) { return Global().Allocate(n); }
void PageHeap::FreeCallback(void* p, void*) { Global().Free(p); }
void* PageHeap::CallocCallback(size_t count, size_t size, void*) {
  return Global().AllocateZeroed(count, size);
}
void* PageHeap::ReallocCallback(void* p, size_t n, void*) { return Global().Reallocate(p, n); }

PageHeap::Stats PageHeap::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace hm::base
