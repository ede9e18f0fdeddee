// Multi-precision integer helpers for Falcon's NTRU solver. Integers are arrays of 31-bit
// limbs (little-endian, each in a uint32_t with the top bit clear) in two's complement at
// a fixed length; arithmetic wraps modulo 2^(31*len), as in the reference solver, because
// the floating-point approximations read the top limbs of exactly that representation.
// Thread-safety: pure functions on caller-owned arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hm::crypto::falcon::internal {

inline constexpr uint32_t kLimbMask = 0x7FFFFFFF;

// Sign-extension limb of a two's-complement integer (0 or kLimbMask).
inline uint32_t SignLimb(const uint32_t* x, size_t len) {
  return len == 0 ? 0 : (0u - (x[len - 1] >> 30)) >> 1;
}

// x += k * y (mod 2^(31*xlen)); y is signed, sign-extended to xlen limbs.
// |k| <= 2^31.
void ZintAddMulSmall(uint32_t* x, size_t xlen, const uint32_t* y, size_t ylen, int64_t k);

// acc += a * b (mod 2^(31*alen)), or acc -= a * b if `negate`; a, b signed.
void ZintMulAcc(uint32_t* acc, size_t alen, const uint32_t* a, size_t la, const uint32_t* b,
                size_t lb, bool negate);

// x -= y * 2^sc (mod 2^(31*xlen)); y signed.
void ZintSubShifted(uint32_t* x, size_t xlen, const uint32_t* y, size_t ylen, unsigned sc);

// x -= y (mod 2^(31*len)), both of length len.
void ZintSub(uint32_t* x, const uint32_t* y, size_t len);
void ZintAdd(uint32_t* x, const uint32_t* y, size_t len);

// Value of a signed integer as a double, summing limbs from the lowest with the reference
// operation order (x += limb * 2^(31 v)).
double ZintToDouble(const uint32_t* x, size_t len);

// Sets x (len limbs) to the signed value v.
void ZintSetSmall(uint32_t* x, size_t len, int64_t v);

// Solves x*u - y*v = 1 with 0 <= u < y, 0 <= v < x for odd positive x, y of `len` limbs
// (unsigned). Returns false if either is even or gcd(x, y) != 1.
bool ZintBezout(const uint32_t* x, const uint32_t* y, size_t len, std::vector<uint32_t>* u,
                std::vector<uint32_t>* v);

// x *= s (unsigned, len limbs); returns false if the product overflows len limbs.
bool ZintMulSmallUnsigned(uint32_t* x, size_t len, uint32_t s);

}  // namespace hm::crypto::falcon::internal
