// Internal to ML-KEM: constant-time helpers and memory wiping.
// HM_MLKEM_DECLASSIFY marks bytes that are derived from secrets but published (rho) as defined
// for valgrind's memcheck, so the constant-time probe (ct_probe_main.cc) only flags real leaks.
// Outside valgrind the client request is a few no-op instructions. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HM_MLKEM_DECLASSIFY(ptr, len) VALGRIND_MAKE_MEM_DEFINED((ptr), (len))
#endif
#endif
#ifndef HM_MLKEM_DECLASSIFY
#define HM_MLKEM_DECLASSIFY(ptr, len) ((void)(ptr), (void)(len))
#endif

namespace hm::crypto::mlkem::internal {

void Wipe(void* p, size_t n);
template <typename T>
void WipeObject(T& obj) {
  Wipe(&obj, sizeof(obj));
}

// Hides a value from the optimiser so mask arithmetic is not turned back into branches.
inline uint32_t ValueBarrier(uint32_t x) {
  __asm__("" : "+r"(x));
  return x;
}

// 0xFF when the buffers are equal, 0x00 otherwise, without data-dependent branches.
uint8_t CtEqualMask(const uint8_t* a, const uint8_t* b, size_t n);
// out = mask ? a : b, byte-wise (mask 0xFF or 0x00).
void CtSelect(uint8_t* out, const uint8_t* a, const uint8_t* b, size_t n, uint8_t mask);

}  // namespace hm::crypto::mlkem::internal
