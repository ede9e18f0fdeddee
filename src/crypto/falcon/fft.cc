#include "crypto/falcon/fft.h"

#include <array>
#include <cmath>

namespace hm::crypto::falcon::internal {
namespace {

// ---- Root table, computed in double-double precision and rounded once to double. ----

struct Dd {
  double hi;
  double lo;
};

Dd QuickTwoSum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}

Dd DdAdd(Dd x, Dd y) {
  const double s = x.hi + y.hi;
  const double bb = s - x.hi;
  double e = (x.hi - (s - bb)) + (y.hi - bb);
  e += x.lo + y.lo;
  return QuickTwoSum(s, e);
}

Dd DdMul(Dd x, Dd y) {
  const double p = x.hi * y.hi;
  double e = std::fma(x.hi, y.hi, -p);
  e += x.hi * y.lo + x.lo * y.hi;
  return QuickTwoSum(p, e);
}

Dd DdDivSmall(Dd x, double d) {
  const double q1 = x.hi / d;
  const double p = q1 * d;
  const double pe = std::fma(q1, d, -p);
  Dd r = DdAdd(x, Dd{-p, -pe});
  return QuickTwoSum(q1, r.hi / d);
}

// cos and sin of pi*b/1024 for 0 <= b <= 256 (angle at most pi/4), by Taylor series.
void CosSinSmall(int b, double* c, double* s) {
  constexpr Dd kPi = {3.141592653589793116, 1.2246467991473532e-16};
  const double frac = static_cast<double>(b) / 1024.0;  // exact
  const double xh = kPi.hi * frac;
  const Dd x = QuickTwoSum(xh, std::fma(kPi.hi, frac, -xh) + kPi.lo * frac);
  const Dd x2 = DdMul(x, x);
  Dd sin_sum = x, sin_term = x, cos_sum = {1.0, 0.0}, cos_term = {1.0, 0.0};
  for (int k = 1; k <= 18; ++k) {
    sin_term = DdDivSmall(DdMul(sin_term, x2), static_cast<double>((2 * k) * (2 * k + 1)));
    cos_term = DdDivSmall(DdMul(cos_term, x2), static_cast<double>((2 * k - 1) * (2 * k)));
    const Dd st = (k & 1) ? Dd{-sin_term.hi, -sin_term.lo} : sin_term;
    const Dd ct = (k & 1) ? Dd{-cos_term.hi, -cos_term.lo} : cos_term;
    sin_sum = DdAdd(sin_sum, st);
    cos_sum = DdAdd(cos_sum, ct);
  }
  *c = cos_sum.hi + cos_sum.lo;
  *s = sin_sum.hi + sin_sum.lo;
}

// cos and sin of pi*a/1024 for 0 <= a < 1024, reduced to the first octant exactly.
void CosSin(int a, double* c, double* s) {
  double cb, sb;
  if (a <= 256) {
    CosSinSmall(a, c, s);
  } else if (a <= 512) {
    CosSinSmall(512 - a, &cb, &sb);
    *c = sb;
    *s = cb;
  } else if (a <= 768) {
    CosSinSmall(a - 512, &cb, &sb);
    *c = -sb;
    *s = cb;
  } else {
    CosSinSmall(1024 - a, &cb, &sb);
    *c = -cb;
    *s = sb;
  }
}

unsigned Rev10(unsigned k) {
  unsigned r = 0;
  for (int i = 0; i < 10; ++i) r |= ((k >> i) & 1u) << (9 - i);
  return r;
}

std::array<double, 2048> BuildRootTable() {
  std::array<double, 2048> t{};
  for (unsigned k = 0; k < 1024; ++k) CosSin(static_cast<int>(Rev10(k)), &t[2 * k], &t[2 * k + 1]);
  return t;
}

// Complex helpers; each spells out the exact operation order.
inline void CMul(double& dr, double& di, double ar, double ai, double br, double bi) {
  const double re = ar * br - ai * bi;
  const double im = ar * bi + ai * br;
  dr = re;
  di = im;
}

// d = a / b as a * (conj(b) / |b|^2).
inline void CDiv(double& dr, double& di, double ar, double ai, double br, double bi) {
  double m = br * br + bi * bi;
  m = 1.0 / m;
  br = br * m;
  bi = (-bi) * m;
  CMul(dr, di, ar, ai, br, bi);
}

}  // namespace

const double* RootTable() {
  static const std::array<double, 2048> kTable = BuildRootTable();
  return kTable.data();
}

void Fft(double* f, unsigned logn) {
  const double* gm = RootTable();
  const size_t n = size_t{1} << logn;
  const size_t hn = n >> 1;
  size_t t = hn;
  // The first layer (multiplication by i) is implicit in the storage layout.
  for (size_t u = 1, m = 2; u < logn; ++u, m <<= 1) {
    const size_t ht = t >> 1;
    const size_t hm = m >> 1;
    for (size_t i1 = 0, j1 = 0; i1 < hm; ++i1, j1 += t) {
      const double s_re = gm[(m + i1) << 1];
      const double s_im = gm[((m + i1) << 1) + 1];
      for (size_t j = j1; j < j1 + ht; ++j) {
        const double x_re = f[j], x_im = f[j + hn];
        double y_re, y_im;
        CMul(y_re, y_im, f[j + ht], f[j + ht + hn], s_re, s_im);
        f[j] = x_re + y_re;
        f[j + hn] = x_im + y_im;
        f[j + ht] = x_re - y_re;
        f[j + ht + hn] = x_im - y_im;
      }
    }
    t = ht;
  }
}

void IFft(double* f, unsigned logn) {
  const double* gm = RootTable();
  const size_t n = size_t{1} << logn;
  const size_t hn = n >> 1;
  size_t t = 1;
  size_t m = n;
  for (unsigned u = logn; u > 1; --u) {
    const size_t hm = m >> 1;
    const size_t dt = t << 1;
    for (size_t i1 = 0, j1 = 0; j1 < hn; ++i1, j1 += dt) {
      const double s_re = gm[(hm + i1) << 1];
      const double s_im = -gm[((hm + i1) << 1) + 1];
      for (size_t j = j1; j < j1 + t; ++j) {
        const double x_re = f[j], x_im = f[j + hn];
        const double y_re = f[j + t], y_im = f[j + t + hn];
        f[j] = x_re + y_re;
        f[j + hn] = x_im + y_im;
        CMul(f[j + t], f[j + t + hn], x_re - y_re, x_im - y_im, s_re, s_im);
      }
    }
    t = dt;
    m = hm;
  }
  // The last layer is folded into the scaling: divide by n/2 instead of n.
  if (logn > 0) {
    const double ni = std::ldexp(1.0, 1 - static_cast<int>(logn));
    for (size_t u = 0; u < n; ++u) f[u] = f[u] * ni;
  }
}

void PolyAdd(double* a, const double* b, unsigned logn) {
  const size_t n = size_t{1} << logn;
  for (size_t u = 0; u < n; ++u) a[u] = a[u] + b[u];
}

void PolySub(double* a, const double* b, unsigned logn) {
  const size_t n = size_t{1} << logn;
  for (size_t u = 0; u < n; ++u) a[u] = a[u] - b[u];
}

void PolyNeg(double* a, unsigned logn) {
  const size_t n = size_t{1} << logn;
  for (size_t u = 0; u < n; ++u) a[u] = -a[u];
}

void PolyAdjFft(double* a, unsigned logn) {
  const size_t n = size_t{1} << logn;
  for (size_t u = n >> 1; u < n; ++u) a[u] = -a[u];
}

void PolyMulFft(double* a, const double* b, unsigned logn) {
  const size_t hn = (size_t{1} << logn) >> 1;
  for (size_t u = 0; u < hn; ++u) CMul(a[u], a[u + hn], a[u], a[u + hn], b[u], b[u + hn]);
}

void PolyMulAdjFft(double* a, const double* b, unsigned logn) {
  const size_t hn = (size_t{1} << logn) >> 1;
  for (size_t u = 0; u < hn; ++u) CMul(a[u], a[u + hn], a[u], a[u + hn], b[u], -b[u + hn]);
}

void PolyMulSelfAdjFft(double* a, unsigned logn) {
  const size_t hn = (size_t{1} << logn) >> 1;
  for (size_t u = 0; u < hn; ++u) {
    a[u] = a[u] * a[u] + a[u + hn] * a[u + hn];
    a[u + hn] = 0.0;
  }
}

void PolyMulConst(double* a, double x, unsigned logn) {
  const size_t n = size_t{1} << logn;
  for (size_t u = 0; u < n; ++u) a[u] = a[u] * x;
}

void PolyInvNorm2Fft(double* d, const double* a, const double* b, unsigned logn) {
  const size_t hn = (size_t{1} << logn) >> 1;
  for (size_t u = 0; u < hn; ++u) {
    const double na = a[u] * a[u] + a[u + hn] * a[u + hn];
    const double nb = b[u] * b[u] + b[u + hn] * b[u + hn];
    d[u] = 1.0 / (na + nb);
  }
}

void PolyAddMulAdjFft(double* d, const double* big_f, const double* big_g, const double* f,
                      const double* g, unsigned logn) {
  const size_t hn = (size_t{1} << logn) >> 1;
  for (size_t u = 0; u < hn; ++u) {
    double a_re, a_im, b_re, b_im;
    CMul(a_re, a_im, big_f[u], big_f[u + hn], f[u], -f[u + hn]);
    CMul(b_re, b_im, big_g[u], big_g[u + hn], g[u], -g[u + hn]);
    d[u] = a_re + b_re;
    d[u + hn] = a_im + b_im;
  }
}

void PolyMulAutoAdjFft(double* a, const double* b, unsigned logn) {
  const size_t hn = (size_t{1} << logn) >> 1;
  for (size_t u = 0; u < hn; ++u) {
    a[u] = a[u] * b[u];
    a[u + hn] = a[u + hn] * b[u];
  }
}

void PolyDivAutoAdjFft(double* a, const double* b, unsigned logn) {
  const size_t hn = (size_t{1} << logn) >> 1;
  for (size_t u = 0; u < hn; ++u) {
    const double ib = 1.0 / b[u];
    a[u] = a[u] * ib;
    a[u + hn] = a[u + hn] * ib;
  }
}

void PolyLdlFft(const double* g00, double* g01, double* g11, unsigned logn) {
  PolyLdlMvFft(g11, g01, g00, g01, g11, logn);
}

void PolyLdlMvFft(double* d11, double* l10, const double* g00, const double* g01,
                  const double* g11, unsigned logn) {
  const size_t hn = (size_t{1} << logn) >> 1;
  for (size_t u = 0; u < hn; ++u) {
    const double g01_re = g01[u], g01_im = g01[u + hn];
    const double g11_re = g11[u], g11_im = g11[u + hn];
    double mu_re, mu_im, z_re, z_im;
    CDiv(mu_re, mu_im, g01_re, g01_im, g00[u], g00[u + hn]);
    CMul(z_re, z_im, mu_re, mu_im, g01_re, -g01_im);
    d11[u] = g11_re - z_re;
    d11[u + hn] = g11_im - z_im;
    l10[u] = mu_re;
    l10[u + hn] = -mu_im;
  }
}

void PolySplitFft(double* f0, double* f1, const double* f, unsigned logn) {
  const double* gm = RootTable();
  const size_t hn = (size_t{1} << logn) >> 1;
  const size_t qn = hn >> 1;
  // logn = 1: a single complex value; the loop below does not run.
  f0[0] = f[0];
  f1[0] = f[hn];
  for (size_t u = 0; u < qn; ++u) {
    const double a_re = f[2 * u], a_im = f[2 * u + hn];
    const double b_re = f[2 * u + 1], b_im = f[2 * u + 1 + hn];
    f0[u] = (a_re + b_re) * 0.5;
    f0[u + qn] = (a_im + b_im) * 0.5;
    double t_re, t_im;
    CMul(t_re, t_im, a_re - b_re, a_im - b_im, gm[(u + hn) << 1], -gm[((u + hn) << 1) + 1]);
    f1[u] = t_re * 0.5;
    f1[u + qn] = t_im * 0.5;
  }
}

void PolyMergeFft(double* f, const double* f0, const double* f1, unsigned logn) {
  const double* gm = RootTable();
  const size_t hn = (size_t{1} << logn) >> 1;
  const size_t qn = hn >> 1;
  f[0] = f0[0];
  f[hn] = f1[0];
  for (size_t u = 0; u < qn; ++u) {
    const double a_re = f0[u], a_im = f0[u + qn];
    double b_re, b_im;
    CMul(b_re, b_im, f1[u], f1[u + qn], gm[(u + hn) << 1], gm[((u + hn) << 1) + 1]);
    f[2 * u] = a_re + b_re;
    f[2 * u + hn] = a_im + b_im;
    f[2 * u + 1] = a_re - b_re;
    f[2 * u + 1 + hn] = a_im - b_im;
  }
}

}  // namespace hm::crypto::falcon::internal
