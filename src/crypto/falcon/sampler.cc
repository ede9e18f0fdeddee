#include "crypto/falcon/sampler.h"

#include <cmath>
#include <cstring>

namespace hm::crypto::falcon::internal {
namespace {

__extension__ typedef unsigned __int128 U128;

constexpr double kInvSigma[11] = {
    0.0,
    0.0069054793295940891952143765991630516,
    0.0068102267767177975961393730687908629,
    0.0067188101910722710707826117910434131,
    0.0065883354370073665545865037227681924,
    0.0064651781207602900738053897763485516,
    0.0063486788828078995327741182928037856,
    0.0062382586529084374473367528433697537,
    0.0061334065020930261548984001431770281,
    0.0060336696681577241031668062510953022,
    0.0059386453095331159950250124336477482,
};

constexpr double kSigmaMin[11] = {
    0.0,
    1.1165085072329102588881898380334015,
    1.1321247692325272405718031785357108,
    1.1475285353733668684571123112513188,
    1.1702540788534828939713084716509250,
    1.1925466358390344011122170489094133,
    1.2144300507766139921088487776957699,
    1.2359260567719808790104525941706723,
    1.2570545284063214162779743112075080,
    1.2778336969128335860256340575729042,
    1.2982803343442918539708792538826807,
};

constexpr double kInv2SqrSigma0 = 0.150865048875372721532312163019;
constexpr double kLog2 = 0.69314718055994530941723212146;
constexpr double kInvLog2 = 1.4426950408889634073599246810;
constexpr double kTwo63 = 9223372036854775808.0;

// Reverse cumulative distribution of the half-Gaussian (sigma_max = 1.8205): spec v1.2
// Table 3.1 (RCDT), each 72-bit value split into 24-bit limbs, most significant first.
constexpr uint32_t kRcdt[18][3] = {
    {10745844U, 3068844U, 3741698U}, {5559083U, 1580863U, 8248194U},
    {2260429U, 13669192U, 2736639U}, {708981U, 4421575U, 10046180U},
    {169348U, 7122675U, 4136815U},   {30538U, 13063405U, 7650655U},
    {4132U, 14505003U, 7826148U},    {417U, 16768101U, 11363290U},
    {31U, 8444042U, 8086568U},       {1U, 12844466U, 265321U},
    {0U, 1232676U, 13644283U},       {0U, 38047U, 9111839U},
    {0U, 870U, 6138264U},            {0U, 14U, 12545723U},
    {0U, 0U, 3104126U},              {0U, 0U, 28824U},
    {0U, 0U, 198U},                  {0U, 0U, 1U},
};

// Polynomial coefficients of ApproxExp (from FACCT, as in spec v1.2 Algorithm 13).
constexpr uint64_t kExpC[13] = {
    0x00000004741183A3u, 0x00000036548CFC06u, 0x0000024FDCBF140Au, 0x0000171D939DE045u,
    0x0000D00CF58F6F84u, 0x000680681CF796E3u, 0x002D82D8305B0FEAu, 0x011111110E066FD0u,
    0x0555555555070F00u, 0x155555555581FF00u, 0x400000000002B400u, 0x7FFFFFFFFFFF4800u,
    0x8000000000000000u,
};

inline uint64_t MulHi(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<U128>(a) * b) >> 64);
}

// The ChaCha20 rounds for one block (W = uint32_t) or eight side by side (W = a vector of eight
// lanes). Always inlined, so the vector form is compiled for the AVX2 caller's target.
// (Vectors pass by reference: a 32-byte vector by value changes the ABI without AVX.)
template <typename W>
[[gnu::always_inline]] inline void XorRotl(W& v, const W& x, int n) {
  v ^= x;
  v = (v << n) | (v >> (32 - n));
}

template <typename W>
[[gnu::always_inline]] inline void QuarterRound(W* s, int a, int b, int c, int d) {
  s[a] += s[b];
  XorRotl(s[d], s[a], 16);
  s[c] += s[d];
  XorRotl(s[b], s[c], 12);
  s[a] += s[b];
  XorRotl(s[d], s[a], 8);
  s[c] += s[d];
  XorRotl(s[b], s[c], 7);
}

template <typename W>
[[gnu::always_inline]] inline void ChaChaRounds(W* s) {
  for (int r = 0; r < 10; ++r) {
    QuarterRound(s, 0, 4, 8, 12);
    QuarterRound(s, 1, 5, 9, 13);
    QuarterRound(s, 2, 6, 10, 14);
    QuarterRound(s, 3, 7, 11, 15);
    QuarterRound(s, 0, 5, 10, 15);
    QuarterRound(s, 1, 6, 11, 12);
    QuarterRound(s, 2, 7, 8, 13);
    QuarterRound(s, 3, 4, 9, 14);
  }
}

// kRcdt regrouped for eight comparisons at a time: [group][limb][lane], limb 0 the least
// significant 24 bits; entries 18..23 stay 0.
struct RcdtLimbs {
  uint32_t v[3][3][8];
};
constexpr RcdtLimbs MakeRcdtLimbs() {
  RcdtLimbs t{};
  for (size_t e = 0; e < 18; ++e) {
    for (size_t l = 0; l < 3; ++l) t.v[e / 8][l][e % 8] = kRcdt[e][2 - l];
  }
  return t;
}
alignas(32) constexpr RcdtLimbs kRcdtLimbs = MakeRcdtLimbs();

#if HM_FALCON_AVX2
// Eight 32-bit lanes; with target("avx2") the compiler keeps them in one ymm register.
typedef uint32_t U32x8 __attribute__((vector_size(32)));
#endif

constexpr uint32_t kChaChaSigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

}  // namespace

bool HaveAvx2() {
#if HM_FALCON_AVX2
  static const bool have = __builtin_cpu_supports("avx2");
  return have;
#else
  return false;
#endif
}

void ChaChaBlocksPortable(const uint32_t* key_iv, uint64_t counter, uint8_t* out) {
  for (size_t blk = 0; blk < 8; ++blk, ++counter) {
    uint32_t init[16];
    for (int v = 0; v < 4; ++v) init[v] = kChaChaSigma[v];
    for (int v = 0; v < 12; ++v) init[4 + v] = key_iv[v];
    init[14] ^= static_cast<uint32_t>(counter);
    init[15] ^= static_cast<uint32_t>(counter >> 32);
    uint32_t s[16];
    for (int v = 0; v < 16; ++v) s[v] = init[v];
    ChaChaRounds(s);
    for (int v = 0; v < 16; ++v) {
      const uint32_t w = s[v] + init[v];
      uint8_t* o = &out[(blk << 2) + (static_cast<size_t>(v) << 5)];
      o[0] = static_cast<uint8_t>(w);
      o[1] = static_cast<uint8_t>(w >> 8);
      o[2] = static_cast<uint8_t>(w >> 16);
      o[3] = static_cast<uint8_t>(w >> 24);
    }
  }
}

#if HM_FALCON_AVX2
// Lane i runs block i, so word v of all eight blocks is one vector, stored whole at 32*v: the
// interleaved layout with no shuffling (x86 stores lanes little-endian, as the layout wants).
HM_FALCON_TARGET_AVX2 void ChaChaBlocksAvx2(const uint32_t* key_iv, uint64_t counter,
                                            uint8_t* out) {
  U32x8 init[16];
  for (int v = 0; v < 4; ++v) init[v] = U32x8{} + kChaChaSigma[v];
  for (int v = 0; v < 12; ++v) init[4 + v] = U32x8{} + key_iv[v];
  U32x8 lo, hi;
  for (int i = 0; i < 8; ++i) {
    lo[i] = static_cast<uint32_t>(counter + static_cast<uint64_t>(i));
    hi[i] = static_cast<uint32_t>((counter + static_cast<uint64_t>(i)) >> 32);
  }
  init[14] ^= lo;
  init[15] ^= hi;
  U32x8 s[16];
  for (int v = 0; v < 16; ++v) s[v] = init[v];
  ChaChaRounds(s);
  for (int v = 0; v < 16; ++v) {
    const U32x8 w = s[v] + init[v];
    std::memcpy(out + 32 * v, &w, sizeof w);
  }
}

// The 18 RCDT comparisons eight at a time, as a borrow chain over the three 24-bit limbs
// (least significant first); the six padding entries are 0 and never borrow.
HM_FALCON_TARGET_AVX2 int BaseSampleAvx2(uint64_t lo, uint32_t hi) {
  const U32x8 v0 = U32x8{} + static_cast<uint32_t>(lo & 0xFFFFFF);
  const U32x8 v1 = U32x8{} + static_cast<uint32_t>((lo >> 24) & 0xFFFFFF);
  const U32x8 v2 = U32x8{} + (static_cast<uint32_t>(lo >> 48) | (hi << 16));
  U32x8 z{};
  for (const auto& group : kRcdtLimbs.v) {
    U32x8 g[3];
    std::memcpy(g, group, sizeof g);
    U32x8 cc = (v0 - g[0]) >> 31;
    cc = (v1 - g[1] - cc) >> 31;
    cc = (v2 - g[2] - cc) >> 31;
    z += cc;
  }
  uint32_t lanes[8];
  std::memcpy(lanes, &z, sizeof lanes);
  uint32_t sum = 0;
  for (uint32_t x : lanes) sum += x;
  return static_cast<int>(sum);
}
#endif

double InvSigma(unsigned logn) { return kInvSigma[logn]; }
double SigmaMin(unsigned logn) { return kSigmaMin[logn]; }

void ChaChaPrng::Init(Shake256& src) {
  uint8_t seed[56];
  src.Squeeze(seed);
  for (size_t i = 0; i < 12; ++i) {
    key_iv_[i] = uint32_t{seed[4 * i]} | (uint32_t{seed[4 * i + 1]} << 8) |
                 (uint32_t{seed[4 * i + 2]} << 16) | (uint32_t{seed[4 * i + 3]} << 24);
  }
  counter_ = 0;
  for (int i = 7; i >= 0; --i) counter_ = (counter_ << 8) | seed[48 + i];
  Refill();
}

// Eight ChaCha20 blocks with consecutive counters (XORed into the IV's first 8 bytes). The
// output words are interleaved as in the reference's 8-way AVX2 code: word v of block i
// lands at byte offset 4*i + 32*v.
void ChaChaPrng::Refill() {
#if HM_FALCON_AVX2
  if (HaveAvx2()) {
    ChaChaBlocksAvx2(key_iv_.data(), counter_, buf_.data());
  } else {
    ChaChaBlocksPortable(key_iv_.data(), counter_, buf_.data());
  }
#else
  ChaChaBlocksPortable(key_iv_.data(), counter_, buf_.data());
#endif
  counter_ += 8;
  ptr_ = 0;
}

uint64_t ApproxExpP63(double x, double ccs) {
  uint64_t y = kExpC[0];
  uint64_t z = static_cast<uint64_t>(static_cast<int64_t>(x * kTwo63)) << 1;
  for (size_t u = 1; u < 13; ++u) y = kExpC[u] - MulHi(z, y);
  z = static_cast<uint64_t>(static_cast<int64_t>(ccs * kTwo63)) << 1;
  return MulHi(z, y);
}

GaussianSampler::GaussianSampler(unsigned logn)
    : sigma_min_(kSigmaMin[logn]), avx2_(HaveAvx2()) {}

int BaseSamplePortable(uint64_t lo, uint32_t hi) {
  const U128 v = (static_cast<U128>(hi) << 64) | lo;
  int z = 0;
  for (const auto& e : kRcdt) {
    const U128 w = (static_cast<U128>(e[0]) << 48) |
                                (static_cast<U128>(e[1]) << 24) | e[2];
    z += static_cast<int>(static_cast<uint64_t>((v - w) >> 127));  // 1 when v < w
  }
  return z;
}

int GaussianSampler::BaseSample() {
  const uint64_t lo = prng_.NextU64();
  const uint32_t hi = prng_.NextU8();
#if HM_FALCON_AVX2
  if (avx2_) return BaseSampleAvx2(lo, hi);
#endif
  return BaseSamplePortable(lo, hi);
}

bool GaussianSampler::BerExp(double x, double ccs) {
  // x = s*ln2 + r with 0 <= r < ln2; exp(-x) = 2^-s * exp(-r).
  int s = static_cast<int>(static_cast<int64_t>(x * kInvLog2));
  const double r = x - static_cast<double>(s) * kLog2;
  if (s > 63) s = 63;
  const uint64_t z = ((ApproxExpP63(r, ccs) << 1) - 1) >> s;
  // Lazy byte-wise comparison of a uniform 64-bit value with z.
  int i = 64;
  uint32_t w;
  do {
    i -= 8;
    w = prng_.NextU8() - (static_cast<uint32_t>(z >> i) & 0xFF);
  } while (w == 0 && i > 0);
  return (w >> 31) != 0;
}

int GaussianSampler::Sample(double mu, double isigma) {
  const int64_t t = static_cast<int64_t>(mu);
  const int s = static_cast<int>(t - (mu < static_cast<double>(t) ? 1 : 0));  // floor(mu)
  const double r = mu - static_cast<double>(s);
  const double dss = (isigma * isigma) * 0.5;
  const double ccs = isigma * sigma_min_;
  for (;;) {
    const int z0 = BaseSample();
    const int b = static_cast<int>(prng_.NextU8() & 1);
    const int z = b + ((b << 1) - 1) * z0;
    double x = (static_cast<double>(z) - r);
    x = (x * x) * dss;
    x = x - static_cast<double>(z0 * z0) * kInv2SqrSigma0;
    if (BerExp(x, ccs)) return s + z;
  }
}

}  // namespace hm::crypto::falcon::internal
