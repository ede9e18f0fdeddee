#include "crypto/falcon/sampler.h"

#include <cmath>

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

inline uint32_t Rotl32(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

inline void QuarterRound(uint32_t* s, int a, int b, int c, int d) {
  s[a] += s[b];
  s[d] = Rotl32(s[d] ^ s[a], 16);
  s[c] += s[d];
  s[b] = Rotl32(s[b] ^ s[c], 12);
  s[a] += s[b];
  s[d] = Rotl32(s[d] ^ s[a], 8);
  s[c] += s[d];
  s[b] = Rotl32(s[b] ^ s[c], 7);
}

}  // namespace

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
  static constexpr uint32_t kSigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
  for (size_t blk = 0; blk < 8; ++blk) {
    uint32_t init[16];
    for (int v = 0; v < 4; ++v) init[v] = kSigma[v];
    for (int v = 0; v < 12; ++v) init[4 + v] = key_iv_[v];
    init[14] ^= static_cast<uint32_t>(counter_);
    init[15] ^= static_cast<uint32_t>(counter_ >> 32);
    uint32_t s[16];
    for (int v = 0; v < 16; ++v) s[v] = init[v];
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
    for (int v = 0; v < 16; ++v) {
      const uint32_t w = s[v] + init[v];
      uint8_t* out = &buf_[(blk << 2) + (static_cast<size_t>(v) << 5)];
      out[0] = static_cast<uint8_t>(w);
      out[1] = static_cast<uint8_t>(w >> 8);
      out[2] = static_cast<uint8_t>(w >> 16);
      out[3] = static_cast<uint8_t>(w >> 24);
    }
    ++counter_;
  }
  ptr_ = 0;
}

uint64_t ApproxExpP63(double x, double ccs) {
  uint64_t y = kExpC[0];
  uint64_t z = static_cast<uint64_t>(static_cast<int64_t>(x * kTwo63)) << 1;
  for (size_t u = 1; u < 13; ++u) y = kExpC[u] - MulHi(z, y);
  z = static_cast<uint64_t>(static_cast<int64_t>(ccs * kTwo63)) << 1;
  return MulHi(z, y);
}

GaussianSampler::GaussianSampler(unsigned logn) : sigma_min_(kSigmaMin[logn]) {}

int GaussianSampler::BaseSample() {
  const uint64_t lo = prng_.NextU64();
  const uint64_t hi = prng_.NextU8();
  const U128 v = (static_cast<U128>(hi) << 64) | lo;
  int z = 0;
  for (const auto& e : kRcdt) {
    const U128 w = (static_cast<U128>(e[0]) << 48) |
                                (static_cast<U128>(e[1]) << 24) | e[2];
    z += static_cast<int>(static_cast<uint64_t>((v - w) >> 127));  // 1 when v < w
  }
  return z;
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
