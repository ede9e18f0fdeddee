#include "crypto/falcon/modq.h"

#include <array>
#include <vector>

#include "crypto/falcon/codec.h"

namespace hm::crypto::falcon::internal {
namespace {

constexpr uint32_t kGenerator = 11;  // a primitive root modulo 12289

uint32_t MulQ(uint32_t a, uint32_t b) { return (a * b) % kQ; }

uint32_t PowQ(uint32_t b, uint32_t e) {
  uint32_t r = 1;
  while (e) {
    if (e & 1) r = MulQ(r, b);
    b = MulQ(b, b);
    e >>= 1;
  }
  return r;
}

uint32_t InvQ(uint32_t a) { return PowQ(a, kQ - 2); }

struct NttTable {
  std::vector<uint16_t> zetas;      // psi^brv(i)
  std::vector<uint16_t> inv_zetas;  // psi^-brv(i)
  uint32_t n_inv = 0;
};

unsigned BitRev(unsigned x, unsigned bits) {
  unsigned r = 0;
  for (unsigned i = 0; i < bits; ++i) r |= ((x >> i) & 1u) << (bits - 1 - i);
  return r;
}

std::array<NttTable, 11> BuildTables() {
  std::array<NttTable, 11> t;
  for (unsigned logn = 1; logn <= 10; ++logn) {
    const unsigned n = 1u << logn;
    const uint32_t psi = PowQ(kGenerator, (kQ - 1) / (2 * n));
    const uint32_t ipsi = InvQ(psi);
    t[logn].zetas.resize(n);
    t[logn].inv_zetas.resize(n);
    for (unsigned i = 0; i < n; ++i) {
      t[logn].zetas[i] = static_cast<uint16_t>(PowQ(psi, BitRev(i, logn)));
      t[logn].inv_zetas[i] = static_cast<uint16_t>(PowQ(ipsi, BitRev(i, logn)));
    }
    t[logn].n_inv = InvQ(n);
  }
  return t;
}

const NttTable& Table(unsigned logn) {
  static const std::array<NttTable, 11> kTables = BuildTables();
  return kTables[logn];
}

uint16_t ToModQ(int v) {
  int r = v % static_cast<int>(kQ);
  if (r < 0) r += kQ;
  return static_cast<uint16_t>(r);
}

// Centered representative in [-(q-1)/2, (q-1)/2].
int Center(uint32_t w) {
  return w > kQ / 2 ? static_cast<int>(w) - static_cast<int>(kQ) : static_cast<int>(w);
}

constexpr uint32_t kL2Bound[11] = {0,       101498,  208714,   428865,   892039,  1852696,
                                   3842630, 7959734, 16468416, 34034726, 70265242};

}  // namespace

void NttModQ(uint16_t* a, unsigned logn) {
  const NttTable& t = Table(logn);
  const size_t n = size_t{1} << logn;
  size_t k = 0;
  for (size_t len = n >> 1; len >= 1; len >>= 1) {
    for (size_t start = 0; start < n; start += 2 * len) {
      const uint32_t z = t.zetas[++k];
      for (size_t j = start; j < start + len; ++j) {
        const uint32_t u = a[j];
        const uint32_t v = MulQ(z, a[j + len]);
        a[j] = static_cast<uint16_t>(u + v >= kQ ? u + v - kQ : u + v);
        a[j + len] = static_cast<uint16_t>(u >= v ? u - v : u + kQ - v);
      }
    }
  }
}

void INttModQ(uint16_t* a, unsigned logn) {
  const NttTable& t = Table(logn);
  const size_t n = size_t{1} << logn;
  size_t k = n;
  for (size_t len = 1; len < n; len <<= 1) {
    for (size_t start = n; start > 0;) {
      start -= 2 * len;
      const uint32_t z = t.inv_zetas[--k];
      for (size_t j = start; j < start + len; ++j) {
        const uint32_t u = a[j];
        const uint32_t v = a[j + len];
        a[j] = static_cast<uint16_t>(u + v >= kQ ? u + v - kQ : u + v);
        a[j + len] = static_cast<uint16_t>(MulQ(z, u >= v ? u - v : u + kQ - v));
      }
    }
  }
  for (size_t j = 0; j < n; ++j) a[j] = static_cast<uint16_t>(MulQ(a[j], t.n_inv));
}

bool ComputePublic(const int8_t* f, const int8_t* g, unsigned logn, uint16_t* h) {
  const size_t n = size_t{1} << logn;
  std::vector<uint16_t> ft(n);
  for (size_t u = 0; u < n; ++u) {
    ft[u] = ToModQ(f[u]);
    h[u] = ToModQ(g[u]);
  }
  NttModQ(ft.data(), logn);
  NttModQ(h, logn);
  for (size_t u = 0; u < n; ++u) {
    if (ft[u] == 0) return false;
    h[u] = static_cast<uint16_t>(MulQ(h[u], InvQ(ft[u])));
  }
  INttModQ(h, logn);
  return true;
}

bool CompletePrivate(const int8_t* f, const int8_t* g, const int8_t* big_f, unsigned logn,
                     int8_t* big_g) {
  const size_t n = size_t{1} << logn;
  std::vector<uint16_t> ft(n), gt(n), bft(n);
  for (size_t u = 0; u < n; ++u) {
    ft[u] = ToModQ(f[u]);
    gt[u] = ToModQ(g[u]);
    bft[u] = ToModQ(big_f[u]);
  }
  NttModQ(ft.data(), logn);
  NttModQ(gt.data(), logn);
  NttModQ(bft.data(), logn);
  for (size_t u = 0; u < n; ++u) {
    if (ft[u] == 0) return false;
    gt[u] = static_cast<uint16_t>(MulQ(MulQ(gt[u], bft[u]), InvQ(ft[u])));
  }
  INttModQ(gt.data(), logn);
  for (size_t u = 0; u < n; ++u) {
    const int v = Center(gt[u]);
    if (v < -127 || v > 127) return false;
    big_g[u] = static_cast<int8_t>(v);
  }
  return true;
}

void HashToPoint(Shake256& sponge, unsigned logn, uint16_t* c) {
  const size_t n = size_t{1} << logn;
  size_t u = 0;
  uint8_t buf[136];
  while (u < n) {
    sponge.Squeeze(buf);
    for (size_t i = 0; i + 1 < sizeof buf && u < n; i += 2) {
      const uint32_t w = (uint32_t{buf[i]} << 8) | buf[i + 1];
      if (w < 5 * kQ) c[u++] = static_cast<uint16_t>(w % kQ);
    }
  }
}

uint32_t L2Bound(unsigned logn) { return kL2Bound[logn]; }

bool IsShortHalf(uint32_t sqn, const int16_t* s2, unsigned logn) {
  const size_t n = size_t{1} << logn;
  uint32_t ng = -(sqn >> 31);
  for (size_t u = 0; u < n; ++u) {
    const int32_t z = s2[u];
    sqn += static_cast<uint32_t>(z * z);
    ng |= sqn;
  }
  sqn |= -(ng >> 31);
  return sqn <= kL2Bound[logn];
}

bool VerifyRaw(const uint16_t* c, const int16_t* s2, const uint16_t* h_ntt, unsigned logn) {
  const size_t n = size_t{1} << logn;
  std::array<uint16_t, 1024> t{};
  for (size_t u = 0; u < n; ++u) t[u] = ToModQ(s2[u]);
  NttModQ(t.data(), logn);
  for (size_t u = 0; u < n; ++u) t[u] = static_cast<uint16_t>(MulQ(t[u], h_ntt[u]));
  INttModQ(t.data(), logn);
  uint32_t sqn = 0, ng = 0;
  for (size_t u = 0; u < n; ++u) {
    // s1 = c - s2*h, centered.
    const uint32_t w = c[u] >= t[u] ? c[u] - t[u] : c[u] + kQ - t[u];
    const int32_t z = Center(w);
    sqn += static_cast<uint32_t>(z * z);
    ng |= sqn;
  }
  sqn |= -(ng >> 31);
  return IsShortHalf(sqn, s2, logn);
}

}  // namespace hm::crypto::falcon::internal
