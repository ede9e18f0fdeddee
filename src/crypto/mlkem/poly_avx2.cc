// AVX2 polynomial arithmetic. A polynomial is 16 registers of 16 int16 coefficients. The four NTT
// layers with distance >= 16 pair whole registers; for the three short layers the 16x16 matrix is
// transposed so they pair registers too (lane i of register j = coefficient 16 i + j), then
// transposed back. Multiplications are Montgomery products on 16-bit lanes (mullo/mulhi), so the
// results equal the portable code's bit for bit.
#include "crypto/mlkem/avx2.h"

#if HM_MLKEM_HAVE_AVX2

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "crypto/mlkem/ct_util.h"

namespace hm::crypto::mlkem::internal {
namespace {

struct alignas(32) Vec16 {
  int16_t v[16];
};

constexpr int16_t TimesQinv(int16_t z) { return static_cast<int16_t>(z * kQinv); }

// Lane-varying twiddles for the transposed layers, and their products with q^-1 mod 2^16.
struct ZetaTables {
  Vec16 z8, z8q;                // len 8: lane i uses zeta[16 + i]
  Vec16 z4[2], z4q[2];          // len 4: registers 0-3 use zeta[32 + 2i], 8-11 zeta[33 + 2i]
  Vec16 z2[4], z2q[4];          // len 2: register group g uses zeta[64 + 4i + g]
  Vec16 iz8, iz8q;              // inverse: zeta[31 - i]
  Vec16 iz4[2], iz4q[2];        // inverse: zeta[63 - 2i - h]
  Vec16 iz2[4], iz2q[4];        // inverse: zeta[127 - 4i - g]
  Vec16 gamma[16], gammaq[16];  // base case: odd lane 2m+1 of register r holds gamma[8r + m]
};

constexpr void Fill(Vec16& z, Vec16& zq, int base, int stride, int sign) {
  for (int i = 0; i < 16; ++i) {
    z.v[i] = kZetasMont[base + sign * stride * i];
    zq.v[i] = TimesQinv(z.v[i]);
  }
}

constexpr ZetaTables MakeZetaTables() {
  ZetaTables t{};
  Fill(t.z8, t.z8q, 16, 1, 1);
  Fill(t.iz8, t.iz8q, 31, 1, -1);
  for (int h = 0; h < 2; ++h) {
    Fill(t.z4[h], t.z4q[h], 32 + h, 2, 1);
    Fill(t.iz4[h], t.iz4q[h], 63 - h, 2, -1);
  }
  for (int g = 0; g < 4; ++g) {
    Fill(t.z2[g], t.z2q[g], 64 + g, 4, 1);
    Fill(t.iz2[g], t.iz2q[g], 127 - g, 4, -1);
  }
  for (int r = 0; r < 16; ++r) {
    for (int m = 0; m < 8; ++m) {
      t.gamma[r].v[2 * m + 1] = kGammasMont[8 * r + m];
      t.gammaq[r].v[2 * m + 1] = TimesQinv(kGammasMont[8 * r + m]);
    }
  }
  return t;
}

constexpr ZetaTables kTables = MakeZetaTables();

HM_AVX2 inline __m256i Load(const Vec16& v) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(v.v));
}
HM_AVX2 inline __m256i LoadPoly(const int16_t* p) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(p));
}
HM_AVX2 inline void StorePoly(int16_t* p, __m256i v) {
  _mm256_store_si256(reinterpret_cast<__m256i*>(p), v);
}

// Montgomery product a * b * 2^-16 with b_qinv = b * q^-1 mod 2^16 (same as FqMul per lane).
HM_AVX2 inline __m256i FqMulV(__m256i a, __m256i b, __m256i b_qinv) {
  const __m256i t = _mm256_mullo_epi16(a, b_qinv);
  const __m256i hi = _mm256_mulhi_epi16(a, b);
  const __m256i m = _mm256_mulhi_epi16(t, _mm256_set1_epi16(kQ));
  return _mm256_sub_epi16(hi, m);
}

// Same as BarrettReduce per lane: round(a * v / 2^26) computed as (floor(a * v / 2^16) + 2^9)
// >> 10.
HM_AVX2 inline __m256i BarrettV(__m256i a) {
  __m256i t = _mm256_mulhi_epi16(a, _mm256_set1_epi16(static_cast<int16_t>(kBarrettV)));
  t = _mm256_srai_epi16(_mm256_add_epi16(t, _mm256_set1_epi16(1 << 9)), 10);
  return _mm256_sub_epi16(a, _mm256_mullo_epi16(t, _mm256_set1_epi16(kQ)));
}

HM_AVX2 inline __m256i FreezeV(__m256i a) {
  const __m256i r = BarrettV(a);
  return _mm256_add_epi16(r, _mm256_and_si256(_mm256_srai_epi16(r, 15), _mm256_set1_epi16(kQ)));
}

// Cooley-Tukey butterfly (NTT): (a, b) -> (a + z b, a - z b).
HM_AVX2 inline void Ct(__m256i& a, __m256i& b, __m256i z, __m256i zq) {
  const __m256i t = FqMulV(b, z, zq);
  b = _mm256_sub_epi16(a, t);
  a = _mm256_add_epi16(a, t);
}

// Gentleman-Sande butterfly (NTT^-1): (a, b) -> (a + b, z (b - a)).
HM_AVX2 inline void Gs(__m256i& a, __m256i& b, __m256i z, __m256i zq) {
  const __m256i t = a;
  a = _mm256_add_epi16(t, b);
  b = FqMulV(_mm256_sub_epi16(b, t), z, zq);
}

HM_AVX2 inline __m256i Set1(int16_t x) { return _mm256_set1_epi16(x); }

// 8x8 transposes inside each 128-bit half of rows r[0..7]: out[c] holds column c of the rows in its
// low half and column c + 8 in its high half.
HM_AVX2 inline void Transpose8x8Halves(const __m256i* r, __m256i* out) {
  __m256i t[8];
  for (int m = 0; m < 4; ++m) {
    t[2 * m] = _mm256_unpacklo_epi16(r[2 * m], r[2 * m + 1]);
    t[2 * m + 1] = _mm256_unpackhi_epi16(r[2 * m], r[2 * m + 1]);
  }
  const __m256i b0 = _mm256_unpacklo_epi32(t[0], t[2]);
  const __m256i b1 = _mm256_unpackhi_epi32(t[0], t[2]);
  const __m256i b2 = _mm256_unpacklo_epi32(t[1], t[3]);
  const __m256i b3 = _mm256_unpackhi_epi32(t[1], t[3]);
  const __m256i c0 = _mm256_unpacklo_epi32(t[4], t[6]);
  const __m256i c1 = _mm256_unpackhi_epi32(t[4], t[6]);
  const __m256i c2 = _mm256_unpacklo_epi32(t[5], t[7]);
  const __m256i c3 = _mm256_unpackhi_epi32(t[5], t[7]);
  out[0] = _mm256_unpacklo_epi64(b0, c0);
  out[1] = _mm256_unpackhi_epi64(b0, c0);
  out[2] = _mm256_unpacklo_epi64(b1, c1);
  out[3] = _mm256_unpackhi_epi64(b1, c1);
  out[4] = _mm256_unpacklo_epi64(b2, c2);
  out[5] = _mm256_unpackhi_epi64(b2, c2);
  out[6] = _mm256_unpacklo_epi64(b3, c3);
  out[7] = _mm256_unpackhi_epi64(b3, c3);
}

// Transposes the 16x16 matrix of int16 held in r[0..15] (its own inverse).
HM_AVX2 inline void Transpose16(__m256i* r) {
  __m256i u[16];
  Transpose8x8Halves(r, u);
  Transpose8x8Halves(r + 8, u + 8);
  for (int c = 0; c < 8; ++c) {
    r[c] = _mm256_permute2x128_si256(u[c], u[8 + c], 0x20);
    r[c + 8] = _mm256_permute2x128_si256(u[c], u[8 + c], 0x31);
  }
}

}  // namespace

HM_AVX2 void NttAvx2(Poly& p) {
  __m256i r[16];
  for (int i = 0; i < 16; ++i) r[i] = LoadPoly(p.c + 16 * i);
  // len 128, 64, 32, 16: register pairs (i, i + len / 16) share one twiddle per block.
  int k = 1;
  for (int dist = 8; dist >= 1; dist >>= 1) {
    for (int start = 0; start < 16; start += 2 * dist) {
      const int16_t z = kZetasMont[k++];
      const __m256i zv = Set1(z);
      const __m256i zq = Set1(TimesQinv(z));
      for (int i = start; i < start + dist; ++i) Ct(r[i], r[i + dist], zv, zq);
    }
  }
  Transpose16(r);
  for (int j = 0; j < 8; ++j) Ct(r[j], r[j + 8], Load(kTables.z8), Load(kTables.z8q));
  for (int h = 0; h < 2; ++h) {
    for (int j = 8 * h; j < 8 * h + 4; ++j) {
      Ct(r[j], r[j + 4], Load(kTables.z4[h]), Load(kTables.z4q[h]));
    }
  }
  for (int g = 0; g < 4; ++g) {
    for (int j = 4 * g; j < 4 * g + 2; ++j) {
      Ct(r[j], r[j + 2], Load(kTables.z2[g]), Load(kTables.z2q[g]));
    }
  }
  for (int i = 0; i < 16; ++i) r[i] = BarrettV(r[i]);
  Transpose16(r);
  for (int i = 0; i < 16; ++i) StorePoly(p.c + 16 * i, r[i]);
}

HM_AVX2 void InvNttAvx2(Poly& p) {
  __m256i r[16];
  for (int i = 0; i < 16; ++i) r[i] = LoadPoly(p.c + 16 * i);
  Transpose16(r);
  for (int g = 0; g < 4; ++g) {
    for (int j = 4 * g; j < 4 * g + 2; ++j) {
      Gs(r[j], r[j + 2], Load(kTables.iz2[g]), Load(kTables.iz2q[g]));
    }
  }
  for (int h = 0; h < 2; ++h) {
    for (int j = 8 * h; j < 8 * h + 4; ++j) {
      Gs(r[j], r[j + 4], Load(kTables.iz4[h]), Load(kTables.iz4q[h]));
    }
  }
  for (int j = 0; j < 8; ++j) Gs(r[j], r[j + 8], Load(kTables.iz8), Load(kTables.iz8q));
  // As in the portable code: reduce after the third layer so the last four stay below 2^15.
  for (int i = 0; i < 16; ++i) r[i] = BarrettV(r[i]);
  Transpose16(r);
  int k = 15;
  for (int dist = 1; dist <= 8; dist <<= 1) {
    for (int start = 0; start < 16; start += 2 * dist) {
      const int16_t z = kZetasMont[k--];
      const __m256i zv = Set1(z);
      const __m256i zq = Set1(TimesQinv(z));
      for (int i = start; i < start + dist; ++i) Gs(r[i], r[i + dist], zv, zq);
    }
  }
  const __m256i f = Set1(kInvNttScale);
  const __m256i fq = Set1(TimesQinv(kInvNttScale));
  for (int i = 0; i < 16; ++i) StorePoly(p.c + 16 * i, FqMulV(r[i], f, fq));
}

namespace {

// 32-bit lanes x -> x * 2^-16 mod q in the low 16 bits of each lane (high 16 bits garbage).
HM_AVX2 inline __m256i MontReduce32(__m256i x) {
  const __m256i t = _mm256_mullo_epi16(x, Set1(kQinv));
  const __m256i m = _mm256_mulhi_epi16(t, Set1(kQ));
  return _mm256_sub_epi16(_mm256_srai_epi32(x, 16), m);
}

}  // namespace

HM_AVX2 void BasemulAccAvx2(Poly& r, const Poly* a, const Poly* b, int k) {
  for (int blk = 0; blk < 16; ++blk) {
    const __m256i g = Load(kTables.gamma[blk]);
    const __m256i gq = Load(kTables.gammaq[blk]);
    __m256i acc0 = _mm256_setzero_si256();
    __m256i acc1 = _mm256_setzero_si256();
    for (int j = 0; j < k; ++j) {
      const __m256i av = LoadPoly(a[j].c + 16 * blk);
      const __m256i bv = LoadPoly(b[j].c + 16 * blk);
      // Per pair (b0, b1): x = (b0, b1 gamma) and y = (b1, b0), so that
      // madd(a, x) = a0 b0 + a1 b1 gamma and madd(a, y) = a0 b1 + a1 b0.
      const __m256i x = _mm256_blend_epi16(bv, FqMulV(bv, g, gq), 0xAA);
      const __m256i y = _mm256_or_si256(_mm256_slli_epi32(bv, 16), _mm256_srli_epi32(bv, 16));
      acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(av, x));
      acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(av, y));
    }
    const __m256i c0 = MontReduce32(acc0);
    const __m256i c1 = MontReduce32(acc1);
    StorePoly(r.c + 16 * blk, _mm256_blend_epi16(c0, _mm256_slli_epi32(c1, 16), 0xAA));
  }
}

namespace {

// Splits 24 bytes (at p, 32 readable) into 16 12-bit values, in order.
HM_AVX2 inline __m256i Unpack12(const uint8_t* p) {
  __m256i f = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  f = _mm256_permute4x64_epi64(f, 0x94);  // qwords 0,1 | 1,2: bytes 0-15 | 8-23
  const __m256i idx = _mm256_setr_epi8(0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11,  //
                                       4, 5, 5, 6, 7, 8, 8, 9, 10, 11, 11, 12, 13, 14, 14, 15);
  f = _mm256_shuffle_epi8(f, idx);
  const __m256i even = _mm256_and_si256(f, Set1(0x0FFF));
  const __m256i odd = _mm256_srli_epi16(f, 4);
  return _mm256_blend_epi16(even, odd, 0xAA);
}

}  // namespace

HM_AVX2 void Decode12Avx2(Poly* p, const uint8_t* in, int k) {
  for (int j = 0; j < k; ++j) {
    for (int c = 0; c < 16; ++c) {
      const uint8_t* src = in + 384 * j + 24 * c;
      __m256i v;
      if (j == k - 1 && c == 15) {  // the 32-byte load must not run past the input
        alignas(32) uint8_t tmp[32] = {};
        std::memcpy(tmp, src, 24);
        v = Unpack12(tmp);
      } else {
        v = Unpack12(src);
      }
      StorePoly(p[j].c + 16 * c, v);
    }
  }
}

HM_AVX2 void Encode12Avx2(uint8_t* out, const Poly* p, int k) {
  const __m256i idx = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,  //
                                       0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
  const __m256i gather = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
  for (int j = 0; j < k; ++j) {
    for (int c = 0; c < 16; ++c) {
      const __m256i v = LoadPoly(p[j].c + 16 * c);
      // Each 32-bit lane becomes x0 + 4096 x1: three bytes of output.
      __m256i w = _mm256_madd_epi16(v, _mm256_set1_epi32(0x10000001));
      w = _mm256_shuffle_epi8(w, idx);
      w = _mm256_permutevar8x32_epi32(w, gather);
      uint8_t* dst = out + 384 * j + 24 * c;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm256_castsi256_si128(w));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + 16), _mm256_extracti128_si256(w, 1));
    }
  }
}

namespace {

// Compress_d of 8 values in [0, q) held in 32-bit lanes: floor(((x << d) + 1664) * M / 2^36).
HM_AVX2 inline __m256i Compress8(__m256i x, __m128i d, __m256i mask) {
  const __m256i y = _mm256_add_epi32(_mm256_sll_epi32(x, d), _mm256_set1_epi32((kQ - 1) / 2));
  const __m256i m = _mm256_set1_epi32(static_cast<int32_t>(kCompressMul));
  const __m256i even = _mm256_srli_epi64(_mm256_mul_epu32(y, m), 36);
  const __m256i odd = _mm256_srli_epi64(_mm256_mul_epu32(_mm256_srli_epi64(y, 32), m), 36);
  return _mm256_and_si256(_mm256_or_si256(even, _mm256_slli_epi64(odd, 32)), mask);
}

}  // namespace

HM_AVX2 void CompressEncodeAvx2(uint8_t* out, const Poly& p, int d) {
  alignas(32) uint16_t vals[kN];
  const __m128i dv = _mm_cvtsi32_si128(d);
  const __m256i mask = _mm256_set1_epi32((1 << d) - 1);
  for (int blk = 0; blk < 16; ++blk) {
    const __m256i x = FreezeV(LoadPoly(p.c + 16 * blk));
    const __m256i lo = Compress8(_mm256_cvtepi16_epi32(_mm256_castsi256_si128(x)), dv, mask);
    const __m256i hi = Compress8(_mm256_cvtepi16_epi32(_mm256_extracti128_si256(x, 1)), dv, mask);
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(lo, hi), 0xD8);
    _mm256_store_si256(reinterpret_cast<__m256i*>(vals + 16 * blk), packed);
  }
  PackBits(out, vals, d);
  Wipe(vals, sizeof(vals));
}

namespace {

// For each 8-bit acceptance mask: the byte shuffle that moves the accepted 16-bit lanes to the
// front, in order.
struct RejectTable {
  alignas(16) uint8_t idx[256][16];
};

constexpr RejectTable MakeRejectTable() {
  RejectTable t{};
  for (int m = 0; m < 256; ++m) {
    int n = 0;
    for (int i = 0; i < 8; ++i) {
      if (m & (1 << i)) {
        t.idx[m][2 * n] = static_cast<uint8_t>(2 * i);
        t.idx[m][2 * n + 1] = static_cast<uint8_t>(2 * i + 1);
        ++n;
      }
    }
    for (int i = 2 * n; i < 16; ++i) t.idx[m][i] = 0x80;
  }
  return t;
}

constexpr RejectTable kRejectTable = MakeRejectTable();

HM_AVX2 inline int Compact8(int16_t* out, __m128i v, unsigned mask) {
  const __m128i idx = _mm_load_si128(reinterpret_cast<const __m128i*>(kRejectTable.idx[mask]));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(v, idx));
  return __builtin_popcount(mask);
}

}  // namespace

HM_AVX2 int RejectSampleAvx2(int16_t* out, int count, int need, const uint8_t* buf, size_t len) {
  // SampleNTT only ever looks at XOF output of the public seed rho, so the table index (the
  // acceptance mask) is public.
  size_t pos = 0;
  const __m256i bound = Set1(kQ);
  alignas(16) int16_t tail[32];
  while (count < need && pos + 24 <= len) {
    const __m256i v = Unpack12(buf + pos);
    const __m256i ok = _mm256_cmpgt_epi16(bound, v);
    const auto bits =
        static_cast<unsigned>(_mm256_movemask_epi8(_mm256_packs_epi16(ok, _mm256_setzero_si256())));
    // Near the end, compact into a scratch buffer so nothing is written past out[need).
    int16_t* dst = count + 16 <= need ? out + count : tail;
    int got = Compact8(dst, _mm256_castsi256_si128(v), bits & 0xFF);
    got += Compact8(dst + got, _mm256_extracti128_si256(v, 1), (bits >> 16) & 0xFF);
    if (dst == tail) {
      got = std::min(got, need - count);
      std::memcpy(out + count, tail, sizeof(int16_t) * static_cast<size_t>(got));
    }
    count += got;
    pos += 24;
  }
  return RejectSamplePortable(out, count, need, buf + pos, len - pos);
}

HM_AVX2 void CbdAvx2(Poly& p, const uint8_t* buf, int eta) {
  if (eta != 2) return CbdPortable(p, buf, eta);
  const __m256i m55 = _mm256_set1_epi8(0x55);
  const __m256i m33 = _mm256_set1_epi8(0x33);
  const __m256i m0f = _mm256_set1_epi8(0x0F);
  const __m256i four = Set1(4);
  for (int i = 0; i < 4; ++i) {
    const __m256i t = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(buf + 32 * i));
    // Per byte: 2-bit sums of bit pairs, then nibbles 4 + x - y for the two coefficients.
    const __m256i d =
        _mm256_add_epi8(_mm256_and_si256(t, m55), _mm256_and_si256(_mm256_srli_epi16(t, 1), m55));
    const __m256i x = _mm256_and_si256(d, m33);
    const __m256i y = _mm256_and_si256(_mm256_srli_epi16(d, 2), m33);
    const __m256i e = _mm256_sub_epi8(_mm256_add_epi8(x, _mm256_set1_epi8(0x44)), y);
    const __m256i lo = _mm256_and_si256(e, m0f);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(e, 4), m0f);
    const __m256i i0 = _mm256_unpacklo_epi8(lo, hi);  // coefficients 0-15 | 32-47
    const __m256i i1 = _mm256_unpackhi_epi8(lo, hi);  // coefficients 16-31 | 48-63
    int16_t* dst = p.c + 64 * i;
    StorePoly(dst, _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(i0)), four));
    StorePoly(dst + 16, _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(i1)), four));
    StorePoly(dst + 32,
              _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(i0, 1)), four));
    StorePoly(dst + 48,
              _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(i1, 1)), four));
  }
}

}  // namespace hm::crypto::mlkem::internal

#endif  // HM_MLKEM_HAVE_AVX2
