#include "crypto/falcon/keygen.h"

#include <vector>

#include "crypto/falcon/codec.h"
#include "crypto/falcon/fft.h"
#include "crypto/falcon/modq.h"
#include "crypto/falcon/ntru_solve.h"

namespace hm::crypto::falcon::internal {
namespace {

// Discrete Gaussian for n = 1024 (sigma = 1.17*sqrt(q/2048)), scaled by 2^63: entry 0 is
// P(x = 0), entry k > 0 is P(|x| >= k+1 | x != 0).
constexpr uint64_t kGauss1024[27] = {
    1283868770400643928u, 6416574995475331444u, 4078260278032692663u, 2353523259288686585u,
    1227179971273316331u, 575931623374121527u,  242543240509105209u,  91437049221049666u,
    30799446349977173u,   9255276791179340u,    2478152334826140u,    590642893610164u,
    125206034929641u,     23590435911403u,      3948334035941u,       586753615614u,
    77391054539u,         9056793210u,          940121950u,           86539696u,
    7062824u,             510971u,              32764u,               1862u,
    94u,                  4u,                   0u,
};

constexpr double kBnormMax = 16822.4121;  // (1.17^2) * q

uint64_t NextU64(Shake256& rng) {
  uint8_t b[8];
  rng.Squeeze(b);
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

// Sum of 2^(10-logn) samples of the n = 1024 distribution (constant-time table scan).
int MkGauss(Shake256& rng, unsigned logn) {
  int val = 0;
  for (unsigned rep = 0; rep < (1u << (10 - logn)); ++rep) {
    uint64_t r = NextU64(rng);
    const uint32_t neg = static_cast<uint32_t>(r >> 63);
    r &= ~(uint64_t{1} << 63);
    uint32_t f = static_cast<uint32_t>((r - kGauss1024[0]) >> 63);  // 1: value is zero
    uint32_t v = 0;
    r = NextU64(rng) & ~(uint64_t{1} << 63);
    for (uint32_t k = 1; k < 27; ++k) {
      const uint32_t t = static_cast<uint32_t>((r - kGauss1024[k]) >> 63) ^ 1u;
      v |= k & (0u - (t & (f ^ 1u)));
      f |= t;
    }
    v = (v ^ (0u - neg)) + neg;
    val += static_cast<int32_t>(v);
  }
  return val;
}

// Coefficients in [-127, 127] with an odd sum (so the resultant with x^n+1 is odd).
void SmallGaussPoly(Shake256& rng, unsigned logn, int8_t* f) {
  const size_t n = size_t{1} << logn;
  unsigned mod2 = 0;
  for (size_t u = 0; u < n; ++u) {
    int s;
    for (;;) {
      s = MkGauss(rng, logn);
      if (s < -127 || s > 127) continue;
      if (u == n - 1 && ((mod2 ^ static_cast<unsigned>(s & 1)) == 0)) continue;
      break;
    }
    mod2 ^= static_cast<unsigned>(s & 1);
    f[u] = static_cast<int8_t>(s);
  }
}

uint32_t SqNorm(const int8_t* f, size_t n) {
  uint32_t s = 0, ng = 0;
  for (size_t u = 0; u < n; ++u) {
    s += static_cast<uint32_t>(f[u] * f[u]);
    ng |= s;
  }
  return s | (0u - (ng >> 31));
}

// Squared norm of the Gram-Schmidt vector (q*adj(f), q*adj(g)) / (f*adj(f) + g*adj(g)).
double GsNorm(const int8_t* f, const int8_t* g, unsigned logn) {
  const size_t n = size_t{1} << logn;
  std::vector<double> rt1(n), rt2(n), rt3(n);
  for (size_t u = 0; u < n; ++u) {
    rt1[u] = f[u];
    rt2[u] = g[u];
  }
  Fft(rt1.data(), logn);
  Fft(rt2.data(), logn);
  PolyInvNorm2Fft(rt3.data(), rt1.data(), rt2.data(), logn);
  PolyAdjFft(rt1.data(), logn);
  PolyAdjFft(rt2.data(), logn);
  PolyMulConst(rt1.data(), 12289.0, logn);
  PolyMulConst(rt2.data(), 12289.0, logn);
  PolyMulAutoAdjFft(rt1.data(), rt3.data(), logn);
  PolyMulAutoAdjFft(rt2.data(), rt3.data(), logn);
  IFft(rt1.data(), logn);
  IFft(rt2.data(), logn);
  double bnorm = 0.0;
  for (size_t u = 0; u < n; ++u) {
    bnorm = bnorm + rt1[u] * rt1[u];
    bnorm = bnorm + rt2[u] * rt2[u];
  }
  return bnorm;
}

}  // namespace

void GenerateKeyPair(Shake256& rng, unsigned logn, int8_t* f, int8_t* g, int8_t* big_f,
                     int8_t* big_g, uint16_t* h) {
  const size_t n = size_t{1} << logn;
  for (;;) {
    SmallGaussPoly(rng, logn, f);
    SmallGaussPoly(rng, logn, g);
    // Coefficients must fit the private-key encoding.
    const int lim = 1 << (FgBits(logn) - 1);
    bool in_range = true;
    for (size_t u = 0; u < n; ++u) {
      if (f[u] >= lim || f[u] <= -lim || g[u] >= lim || g[u] <= -lim) {
        in_range = false;
        break;
      }
    }
    if (!in_range) continue;
    const uint32_t normf = SqNorm(f, n), normg = SqNorm(g, n);
    const uint32_t norm = (normf + normg) | (0u - ((normf | normg) >> 31));
    if (norm >= 16823) continue;
    if (!(GsNorm(f, g, logn) < kBnormMax)) continue;
    if (!ComputePublic(f, g, logn, h)) continue;
    if (!SolveNtru(logn, f, g, big_f, big_g)) continue;
    return;
  }
}

}  // namespace hm::crypto::falcon::internal
