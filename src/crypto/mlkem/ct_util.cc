#include "crypto/mlkem/ct_util.h"

#include <cstring>

namespace hm::crypto::mlkem::internal {

void Wipe(void* p, size_t n) {
  if (n == 0) return;  // an empty vector's data() may be null, which memset must not get
  std::memset(p, 0, n);
  // The asm "reads" all memory through p, so the stores above are not dead and stay in place.
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

uint8_t CtEqualMask(const uint8_t* a, const uint8_t* b, size_t n) {
  uint32_t diff = 0;
  for (size_t i = 0; i < n; ++i) diff |= static_cast<uint32_t>(a[i] ^ b[i]);
  diff = ValueBarrier(diff);
  // diff in [0, 255]: diff - 1 wraps to all ones only when diff == 0.
  return static_cast<uint8_t>((diff - 1) >> 8);
}

void CtSelect(uint8_t* out, const uint8_t* a, const uint8_t* b, size_t n, uint8_t mask) {
  const auto m = static_cast<uint8_t>(ValueBarrier(mask));
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>((a[i] & m) | (b[i] & static_cast<uint8_t>(~m)));
  }
}

}  // namespace hm::crypto::mlkem::internal
