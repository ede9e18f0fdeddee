// 4-way Keccak-f[1600] with AVX2: four independent states, one per 64-bit lane of each ymm
// register. RunJobsX4 (xof_jobs.cc) drives it.
#include "crypto/mlkem/avx2.h"

#if HM_MLKEM_HAVE_AVX2

#include <immintrin.h>

#include "crypto/keccak/keccak.h"
#include "crypto/mlkem/hash.h"

namespace hm::crypto::mlkem::internal {
namespace {

// Left rotation of each 64-bit lane; byte-multiple rotations are a single shuffle.
template <int N>
HM_AVX2 inline __m256i RotlAvx2(__m256i v) {
  if constexpr (N == 0) {
    return v;
  } else if constexpr (N == 8) {
    const __m256i idx = _mm256_setr_epi8(7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14, 7, 0,
                                         1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14);
    return _mm256_shuffle_epi8(v, idx);
  } else if constexpr (N == 56) {
    const __m256i idx = _mm256_setr_epi8(1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8, 1, 2,
                                         3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8);
    return _mm256_shuffle_epi8(v, idx);
  } else {
    return _mm256_or_si256(_mm256_slli_epi64(v, N), _mm256_srli_epi64(v, 64 - N));
  }
}

HM_AVX2 inline __m256i Xor5Avx2(__m256i a, __m256i b, __m256i c, __m256i d, __m256i e) {
  return _mm256_xor_si256(_mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d)), e);
}

}  // namespace

HM_AVX2 void KeccakX4PermuteAvx2(KeccakX4& st) {
  __m256i a[25];
  __m256i b[25];
  for (int i = 0; i < 25; ++i) a[i] = _mm256_load_si256(reinterpret_cast<const __m256i*>(st.s[i]));
  for (uint64_t rc : kKeccakRoundConstants) {
#define HM_KX4_XOR(x, y) _mm256_xor_si256((x), (y))
#define HM_KX4_XOR5(x0, x1, x2, x3, x4) Xor5Avx2((x0), (x1), (x2), (x3), (x4))
#define HM_KX4_ROTL(v, n) RotlAvx2<n>(v)
#define HM_KX4_CHI(x, y, z) _mm256_xor_si256((x), _mm256_andnot_si256((y), (z)))
#include "crypto/mlkem/keccak_x4_round.inc"
#undef HM_KX4_XOR
#undef HM_KX4_XOR5
#undef HM_KX4_ROTL
#undef HM_KX4_CHI
    a[0] = _mm256_xor_si256(a[0], _mm256_set1_epi64x(static_cast<long long>(rc)));
  }
  for (int i = 0; i < 25; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(st.s[i]), a[i]);
}

// AVX-512VL on 256-bit registers: native rotates and three-input logic (vpternlogq) halve the
// instruction count. 0x96 is x ^ y ^ z and 0xD2 is x ^ (~y & z).
HM_AVX512 void KeccakX4PermuteAvx512(KeccakX4& st) {
  __m256i a[25];
  __m256i b[25];
  for (int i = 0; i < 25; ++i) a[i] = _mm256_load_si256(reinterpret_cast<const __m256i*>(st.s[i]));
  for (uint64_t rc : kKeccakRoundConstants) {
#define HM_KX4_XOR(x, y) _mm256_xor_si256((x), (y))
#define HM_KX4_XOR5(x0, x1, x2, x3, x4) \
  _mm256_ternarylogic_epi64(_mm256_ternarylogic_epi64((x0), (x1), (x2), 0x96), (x3), (x4), 0x96)
#define HM_KX4_ROTL(v, n) _mm256_rol_epi64((v), (n))
#define HM_KX4_CHI(x, y, z) _mm256_ternarylogic_epi64((x), (y), (z), 0xD2)
#include "crypto/mlkem/keccak_x4_round.inc"
#undef HM_KX4_XOR
#undef HM_KX4_XOR5
#undef HM_KX4_ROTL
#undef HM_KX4_CHI
    a[0] = _mm256_xor_si256(a[0], _mm256_set1_epi64x(static_cast<long long>(rc)));
  }
  for (int i = 0; i < 25; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(st.s[i]), a[i]);
}

}  // namespace hm::crypto::mlkem::internal

#endif  // HM_MLKEM_HAVE_AVX2
