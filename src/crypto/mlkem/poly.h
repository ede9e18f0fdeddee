// Internal to ML-KEM: polynomials in Z_q[X]/(X^256 + 1), modular arithmetic and the portable
// (plain C++) implementations of the FIPS 203 building blocks. Everything here is branch-free in
// coefficient values. Thread-safety: pure functions and constant tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hm::crypto::mlkem::internal {

inline constexpr int kN = 256;
inline constexpr int16_t kQ = 3329;
inline constexpr int kMaxK = 4;
// q^-1 mod 2^16 as a signed 16-bit value (Montgomery constant).
inline constexpr int16_t kQinv = -3327;
// round(2^26 / q), for Barrett reduction.
inline constexpr int32_t kBarrettV = 20159;
// 2^32 mod q: multiplying by it with FqMul maps x to x * 2^16 (Montgomery form).
inline constexpr int16_t kMontR2 = 1353;
// 2^32 / 128 mod q: folds the 1/128 of NTT^-1 and the 2^-16 left by the base-case products.
inline constexpr int16_t kInvNttScale = 1441;

struct alignas(32) Poly {
  int16_t c[kN];
};

// 2^-16 * a mod q, in (-q, q) for |a| < q * 2^15.
inline int16_t MontgomeryReduce(int32_t a) {
  const auto t = static_cast<int16_t>(
      static_cast<uint16_t>(static_cast<uint32_t>(a) * static_cast<uint16_t>(kQinv)));
  return static_cast<int16_t>((a - static_cast<int32_t>(t) * kQ) >> 16);
}
inline int16_t FqMul(int16_t a, int16_t b) { return MontgomeryReduce(static_cast<int32_t>(a) * b); }
// a mod q in [-(q-1)/2, (q-1)/2] for every int16 a.
inline int16_t BarrettReduce(int16_t a) {
  const auto t = static_cast<int16_t>((kBarrettV * a + (1 << 25)) >> 26);
  return static_cast<int16_t>(a - t * kQ);
}
// a mod q in [0, q) for every int16 a.
inline int16_t Freeze(int16_t a) {
  int16_t r = BarrettReduce(a);
  r = static_cast<int16_t>(r + ((r >> 15) & kQ));
  return r;
}
// For x in [0, 2^12): x mod q in [0, q). The spec's ByteDecode_12 reduction.
inline int16_t ReduceOnce(int16_t x) {
  const auto r = static_cast<int16_t>(x - kQ);
  return static_cast<int16_t>(r + ((r >> 15) & kQ));
}
// Compress_d(x) = round(2^d * x / q) mod 2^d for x in [0, q), by multiply-shift (no division).
inline constexpr uint64_t kCompressMul = (uint64_t{1} << 36) / kQ + 1;  // ceil(2^36 / q)
inline uint16_t Compress(int16_t x, int d) {
  const uint64_t y = (static_cast<uint64_t>(static_cast<uint16_t>(x)) << d) + (kQ - 1) / 2;
  return static_cast<uint16_t>(((y * kCompressMul) >> 36) & ((1u << d) - 1));
}
// Decompress_d(y) = round(q * y / 2^d).
inline int16_t Decompress(uint16_t y, int d) {
  return static_cast<int16_t>((static_cast<uint32_t>(y) * kQ + (1u << (d - 1))) >> d);
}

namespace detail {
constexpr int BitRev7(int i) {
  int r = 0;
  for (int b = 0; b < 7; ++b) r |= ((i >> b) & 1) << (6 - b);
  return r;
}
constexpr int64_t PowMod(int64_t base, int e) {
  int64_t r = 1;
  for (int i = 0; i < e; ++i) r = r * base % kQ;
  return r;
}
// zeta = 17 is the primitive 256th root of unity mod q (FIPS 203 §4.3). Entries are
// zeta^e * 2^16 mod q, centred in (-q/2, q/2).
constexpr std::array<int16_t, 128> MakeZetas(bool gammas) {
  std::array<int16_t, 128> t{};
  for (int i = 0; i < 128; ++i) {
    const int e = gammas ? 2 * BitRev7(i) + 1 : BitRev7(i);
    int64_t x = PowMod(17, e) * 65536 % kQ;
    if (x > kQ / 2) x -= kQ;
    t[i] = static_cast<int16_t>(x);
  }
  return t;
}
static_assert(PowMod(65536, 2) == kMontR2);
static_assert(PowMod(65536, 2) * PowMod(128, kQ - 2) % kQ == kInvNttScale);
static_assert(static_cast<int16_t>(kQ * kQinv) == 1);
}  // namespace detail

// zeta^BitRev7(i) in Montgomery form, for i in [0, 128) (NTT twiddles).
inline constexpr std::array<int16_t, 128> kZetasMont = detail::MakeZetas(false);
// zeta^(2 BitRev7(i) + 1) in Montgomery form (the moduli of the base-case products).
inline constexpr std::array<int16_t, 128> kGammasMont = detail::MakeZetas(true);

// --- Portable implementations (also the reference for the AVX2 ones). ---

// In place forward NTT (FIPS 203 Algorithm 9) of |c| < q; output |c| <= (q-1)/2.
void NttPortable(Poly& p);
// In place NTT^-1 (Algorithm 10) of |c| < q, including the 2^-16 fix-up; output |c| < q.
void InvNttPortable(Poly& p);
// r = 2^-16 * sum_j a[j] (x) b[j] (MultiplyNTTs, Algorithm 11) for |coefficients| < q; |r| < q.
void BasemulAccPortable(Poly& r, const Poly* a, const Poly* b, int k);
// ByteDecode_12 of k polynomials without reduction (values in [0, 4096)).
void Decode12Portable(Poly* p, const uint8_t* in, int k);
// ByteEncode_12 of k polynomials with coefficients in [0, q).
void Encode12Portable(uint8_t* out, const Poly* p, int k);
// ByteEncode_d(Compress_d(p)) of any int16 coefficients (reduced mod q first); 32 * d bytes.
void CompressEncodePortable(uint8_t* out, const Poly& p, int d);
// SampleNTT's rejection step: appends coefficients < q parsed from `buf` (3 bytes -> 2 candidates)
// to out[count..need), returns the new count. len is a multiple of 3.
int RejectSamplePortable(int16_t* out, int count, int need, const uint8_t* buf, size_t len);
// SamplePolyCBD_eta for eta in {2, 3} from 64 * eta bytes.
void CbdPortable(Poly& p, const uint8_t* buf, int eta);

// --- Shared helpers with no backend-specific variant. ---

// Decompress_d(ByteDecode_d(in)) for d in {1, 4, 5, 10, 11}.
void DecodeDecompress(Poly& p, const uint8_t* in, int d);
// Packs 256 d-bit values, least significant bit first (ByteEncode_d without the arithmetic), for
// d in {1, 4, 5, 10, 11, 12}.
void PackBits(uint8_t* out, const uint16_t* vals, int d);
void AddTo(Poly& r, const Poly& a);
void SubFrom(Poly& r, const Poly& a);  // r = a - r
void ToMont(Poly& r);                  // r * 2^16 mod q
void FreezePoly(Poly& r);
void ReduceOncePolys(Poly* p, int k);
// True when every coefficient of the k polynomials is < q (public data only: it branches).
bool AllBelowQ(const Poly* p, int k);

}  // namespace hm::crypto::mlkem::internal
