// Internal to ML-KEM: the AVX2 backend. Its functions are compiled with a per-function target
// attribute (the library itself is built for baseline x86-64) and must only be called after the
// CPUID check in backend.cc. Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "crypto/mlkem/backend.h"
#include "crypto/mlkem/poly.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HM_MLKEM_HAVE_AVX2 1
#define HM_AVX2 __attribute__((target("avx2,popcnt")))
#define HM_AVX512 __attribute__((target("avx2,avx512f,avx512vl")))
#else
#define HM_MLKEM_HAVE_AVX2 0
#endif

namespace hm::crypto::mlkem::internal {

#if HM_MLKEM_HAVE_AVX2
void NttAvx2(Poly& p);
void InvNttAvx2(Poly& p);
void BasemulAccAvx2(Poly& r, const Poly* a, const Poly* b, int k);
void Decode12Avx2(Poly* p, const uint8_t* in, int k);
void Encode12Avx2(uint8_t* out, const Poly* p, int k);
void CompressEncodeAvx2(uint8_t* out, const Poly& p, int d);
// Same contract as RejectSamplePortable; reads up to 8 bytes past buf + len (keep slack).
int RejectSampleAvx2(int16_t* out, int count, int need, const uint8_t* buf, size_t len);
// SamplePolyCBD_eta; eta = 3 falls back to the portable code.
void CbdAvx2(Poly& p, const uint8_t* buf, int eta);
#endif

}  // namespace hm::crypto::mlkem::internal
