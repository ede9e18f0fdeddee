#include "crypto/falcon/ntru_solve.h"

#include <cmath>
#include <vector>

#include "crypto/falcon/fft.h"
#include "crypto/falcon/ntru_int.h"

namespace hm::crypto::falcon::internal {
namespace {

// Limb counts of f,g (small) and of the unreduced F,G (large) at each depth, and the
// measured bit lengths of (f,g): the reduction schedule depends on them (reference values).
constexpr size_t kMaxBlSmall[11] = {1, 1, 2, 2, 4, 7, 14, 27, 53, 106, 209};
constexpr size_t kMaxBlLarge[10] = {2, 2, 5, 7, 12, 21, 40, 78, 157, 308};
constexpr int kBitLenAvg[11] = {4, 11, 24, 50, 102, 202, 401, 794, 1577, 3138, 6308};
constexpr int kBitLenStd[11] = {0, 1, 1, 1, 1, 2, 4, 5, 8, 13, 25};

constexpr uint32_t kFirstPrime = 2147473409;  // the modulus the reference uses at depth 0
constexpr int64_t kQ = 12289;

// n coefficients of `len` limbs each.
struct BigPoly {
  size_t n = 0;
  size_t len = 0;
  std::vector<uint32_t> w;
  BigPoly(size_t n_, size_t len_) : n(n_), len(len_), w(n_ * len_, 0) {}
  uint32_t* at(size_t i) { return &w[i * len]; }
  const uint32_t* at(size_t i) const { return &w[i * len]; }
};

// Negacyclic square of p (m coefficients) into out (same m), out has out.len limbs.
void SquareNegacyclic(const BigPoly& p, BigPoly* out) {
  const size_t m = p.n;
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < m; ++j) {
      const size_t k = i + j;
      const bool wrap = k >= m;
      ZintMulAcc(out->at(wrap ? k - m : k), out->len, p.at(i), p.len, p.at(j), p.len, wrap);
    }
  }
}

// Field norm N(f)(x^2) = f(x) f(-x): n coefficients -> n/2, in `out_len` limbs.
BigPoly FieldNorm(const BigPoly& f, size_t out_len) {
  const size_t hn = f.n / 2;
  BigPoly f0(hn, f.len), f1(hn, f.len);
  for (size_t i = 0; i < hn; ++i) {
    for (size_t l = 0; l < f.len; ++l) {
      f0.at(i)[l] = f.at(2 * i)[l];
      f1.at(i)[l] = f.at(2 * i + 1)[l];
    }
  }
  BigPoly s0(hn, out_len), s1(hn, out_len);
  SquareNegacyclic(f0, &s0);
  SquareNegacyclic(f1, &s1);
  // N(f) = f0^2 - x*f1^2 mod (x^hn + 1)
  for (size_t k = 0; k < hn; ++k) {
    if (k == 0) {
      ZintAdd(s0.at(0), s1.at(hn - 1), out_len);
    } else {
      ZintSub(s0.at(k), s1.at(k - 1), out_len);
    }
  }
  return s0;
}

// F(x) = Fp(x^2) * g(-x) mod x^n+1, with n = 2 * Fp.n coefficients of out_len limbs.
BigPoly Lift(const BigPoly& fp, const BigPoly& g, size_t out_len) {
  const size_t n = g.n;
  BigPoly out(n, out_len);
  for (size_t i = 0; i < fp.n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      size_t k = 2 * i + j;
      bool neg = (j & 1) != 0;  // g(-x)
      if (k >= n) {
        k -= n;
        neg = !neg;
      }
      ZintMulAcc(out.at(k), out_len, fp.at(i), fp.len, g.at(j), g.len, neg);
    }
  }
  return out;
}

BigPoly FromSmall(const int8_t* f, size_t n) {
  BigPoly p(n, 1);
  for (size_t i = 0; i < n; ++i) ZintSetSmall(p.at(i), 1, f[i]);
  return p;
}

// Rounds to nearest, ties to even (the current FP rounding mode is the default one).
int64_t Rint(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

// Top `rlen` limbs of each coefficient's `len`-limb window, as doubles.
void ToFp(double* d, const BigPoly& p, size_t len, size_t rlen) {
  for (size_t u = 0; u < p.n; ++u) d[u] = ZintToDouble(p.at(u) + (len - rlen), rlen);
}

// F -= (k * f) << sc for one coefficient window of F (flen limbs, wrapping).
void SubScaledPoly(BigPoly* big, size_t big_len, const BigPoly& f, const std::vector<int32_t>& k,
                   unsigned sc) {
  const size_t n = f.n;
  const size_t plen = f.len + 2;
  std::vector<uint32_t> prod(plen);
  for (size_t u = 0; u < n; ++u) {
    std::fill(prod.begin(), prod.end(), 0);
    // (k*f)_u = sum_{v+w=u} k_v f_w - sum_{v+w=u+n} k_v f_w
    for (size_t v = 0; v < n; ++v) {
      if (k[v] == 0) continue;
      const size_t w = u >= v ? u - v : u + n - v;
      const int64_t kv = u >= v ? k[v] : -static_cast<int64_t>(k[v]);
      ZintAddMulSmall(prod.data(), plen, f.at(w), f.len, kv);
    }
    ZintSubShifted(big->at(u), big_len, prod.data(), plen, sc);
  }
}

// Babai reduction of the unreduced (F, G) against (f, g) at an intermediate depth.
bool ReduceIntermediate(unsigned logn, unsigned depth, const BigPoly& f, const BigPoly& g,
                        BigPoly* big_f, BigPoly* big_g) {
  const size_t n = size_t{1} << logn;
  const size_t slen = f.len;
  const size_t llen = big_f->len;
  std::vector<double> rt1(n), rt2(n), rt3(n), rt4(n), rt5(n);
  size_t rlen = slen > 10 ? 10 : slen;
  ToFp(rt3.data(), f, slen, rlen);
  ToFp(rt4.data(), g, slen, rlen);
  const int scale_fg = 31 * static_cast<int>(slen - rlen);
  const int minbl_fg = kBitLenAvg[depth] - 6 * kBitLenStd[depth];
  const int maxbl_fg = kBitLenAvg[depth] + 6 * kBitLenStd[depth];
  Fft(rt3.data(), logn);
  Fft(rt4.data(), logn);
  PolyInvNorm2Fft(rt5.data(), rt3.data(), rt4.data(), logn);
  PolyAdjFft(rt3.data(), logn);
  PolyAdjFft(rt4.data(), logn);

  size_t fglen = llen;
  int maxbl_big = 31 * static_cast<int>(llen);
  int scale_k = maxbl_big - minbl_fg;
  std::vector<int32_t> k(n);
  for (;;) {
    rlen = fglen > 10 ? 10 : fglen;
    const int scale_big = 31 * static_cast<int>(fglen - rlen);
    ToFp(rt1.data(), *big_f, fglen, rlen);
    ToFp(rt2.data(), *big_g, fglen, rlen);
    Fft(rt1.data(), logn);
    Fft(rt2.data(), logn);
    PolyMulFft(rt1.data(), rt3.data(), logn);
    PolyMulFft(rt2.data(), rt4.data(), logn);
    PolyAdd(rt2.data(), rt1.data(), logn);
    PolyMulAutoAdjFft(rt2.data(), rt5.data(), logn);
    IFft(rt2.data(), logn);

    // Scale by 2^-dc with the reference's square-and-multiply (exact powers of two).
    int dc = scale_k - scale_big + scale_fg;
    double pt = 0.5;
    if (dc < 0) {
      dc = -dc;
      pt = 2.0;
    }
    double pdc = 1.0;
    while (dc != 0) {
      if (dc & 1) pdc = pdc * pt;
      dc >>= 1;
      pt = pt * pt;
    }
    for (size_t u = 0; u < n; ++u) {
      const double xv = rt2[u] * pdc;
      if (!(-2147483647.0 < xv) || !(xv < 2147483647.0)) return false;
      k[u] = static_cast<int32_t>(Rint(xv));
    }
    SubScaledPoly(big_f, fglen, f, k, static_cast<unsigned>(scale_k));
    SubScaledPoly(big_g, fglen, g, k, static_cast<unsigned>(scale_k));

    const int new_maxbl = scale_k + maxbl_fg + 10;
    if (new_maxbl < maxbl_big) {
      maxbl_big = new_maxbl;
      if (static_cast<int>(fglen) * 31 >= maxbl_big + 31) --fglen;
    }
    if (scale_k <= 0) break;
    scale_k -= 25;
    if (scale_k < 0) scale_k = 0;
  }
  // Keep slen limbs, sign-extending from fglen when it dropped below slen.
  for (BigPoly* p : {big_f, big_g}) {
    BigPoly out(n, slen);
    for (size_t u = 0; u < n; ++u) {
      const uint32_t sw = SignLimb(p->at(u), fglen);
      for (size_t v = 0; v < slen; ++v) out.at(u)[v] = v < fglen ? p->at(u)[v] : sw;
    }
    *p = std::move(out);
  }
  return true;
}

// Depth 1: (F, G) fit in 53 bits, so one floating-point Babai round suffices.
bool ReduceDepth1(unsigned logn, const BigPoly& f, const BigPoly& g, BigPoly* big_f,
                  BigPoly* big_g) {
  const size_t n = size_t{1} << logn;
  std::vector<double> rt1(n), rt2(n), rt3(n), rt4(n), rt5(n), rt6(n);
  ToFp(rt1.data(), *big_f, big_f->len, big_f->len);
  ToFp(rt2.data(), *big_g, big_g->len, big_g->len);
  ToFp(rt3.data(), f, f.len, f.len);
  ToFp(rt4.data(), g, g.len, g.len);
  Fft(rt1.data(), logn);
  Fft(rt2.data(), logn);
  Fft(rt3.data(), logn);
  Fft(rt4.data(), logn);
  PolyAddMulAdjFft(rt5.data(), rt1.data(), rt2.data(), rt3.data(), rt4.data(), logn);
  PolyInvNorm2Fft(rt6.data(), rt3.data(), rt4.data(), logn);
  PolyMulAutoAdjFft(rt5.data(), rt6.data(), logn);
  IFft(rt5.data(), logn);
  for (size_t u = 0; u < n; ++u) {
    const double z = rt5[u];
    if (!(z < 9223372036854775807.0) || !(-9223372036854775807.0 < z)) return false;
    rt5[u] = static_cast<double>(Rint(z));
  }
  Fft(rt5.data(), logn);
  PolyMulFft(rt3.data(), rt5.data(), logn);
  PolyMulFft(rt4.data(), rt5.data(), logn);
  PolySub(rt1.data(), rt3.data(), logn);
  PolySub(rt2.data(), rt4.data(), logn);
  IFft(rt1.data(), logn);
  IFft(rt2.data(), logn);
  BigPoly out_f(n, 1), out_g(n, 1);
  for (size_t u = 0; u < n; ++u) {
    // Full 32-bit words, as the reference keeps them; depth 0 sign-extends from bit 30.
    out_f.at(u)[0] = static_cast<uint32_t>(Rint(rt1[u]));
    out_g.at(u)[0] = static_cast<uint32_t>(Rint(rt2[u]));
  }
  *big_f = std::move(out_f);
  *big_g = std::move(out_g);
  return true;
}

int32_t OneLimbToInt(const uint32_t* x) {
  uint32_t w = x[0];
  w |= (w & 0x40000000u) << 1;
  return static_cast<int32_t>(w);
}

int64_t ModPCentered(int64_t v) {
  const int64_t p = kFirstPrime;
  int64_t r = v % p;
  if (r < 0) r += p;
  return r > (p - 1) / 2 ? r - p : r;
}

// c = a * b mod x^n+1 over the integers (small operands).
void MulNegacyclic(const int64_t* a, const int64_t* b, size_t n, int64_t* c) {
  for (size_t k = 0; k < n; ++k) c[k] = 0;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == 0) continue;
    for (size_t j = 0; j < n; ++j) {
      const size_t k = i + j;
      if (k < n) {
        c[k] += a[i] * b[j];
      } else {
        c[k - n] -= a[i] * b[j];
      }
    }
  }
}

// Depth 0: values fit one 31-bit word; the reference works modulo its first prime and
// computes the reduction factor in floating point.
bool ReduceDepth0(unsigned logn, const int8_t* f, const int8_t* g, const BigPoly& fp,
                  const BigPoly& gp, int64_t* out_f, int64_t* out_g) {
  const size_t n = size_t{1} << logn;
  const size_t hn = n >> 1;
  std::vector<int64_t> fs(n), gs(n), fneg(n), gneg(n), adjf(n), adjg(n), bf(n), bg(n);
  std::vector<int64_t> fpx(n, 0), gpx(n, 0), t(n), t1(n), t2(n);
  for (size_t u = 0; u < n; ++u) {
    fs[u] = f[u];
    gs[u] = g[u];
    fneg[u] = (u & 1) ? -f[u] : f[u];
    gneg[u] = (u & 1) ? -g[u] : g[u];
  }
  adjf[0] = fs[0];
  adjg[0] = gs[0];
  for (size_t u = 1; u < n; ++u) {
    adjf[n - u] = -fs[u];
    adjg[n - u] = -gs[u];
  }
  for (size_t u = 0; u < hn; ++u) {
    fpx[2 * u] = OneLimbToInt(fp.at(u));
    gpx[2 * u] = OneLimbToInt(gp.at(u));
  }
  MulNegacyclic(fpx.data(), gneg.data(), n, bf.data());  // F = F'(x^2) g(-x)
  MulNegacyclic(gpx.data(), fneg.data(), n, bg.data());  // G = G'(x^2) f(-x)
  for (size_t u = 0; u < n; ++u) {
    bf[u] = ModPCentered(bf[u]);
    bg[u] = ModPCentered(bg[u]);
  }
  MulNegacyclic(bf.data(), adjf.data(), n, t1.data());
  MulNegacyclic(bg.data(), adjg.data(), n, t.data());
  for (size_t u = 0; u < n; ++u) t1[u] = ModPCentered(t1[u] + t[u]);
  MulNegacyclic(fs.data(), adjf.data(), n, t2.data());
  MulNegacyclic(gs.data(), adjg.data(), n, t.data());
  for (size_t u = 0; u < n; ++u) t2[u] = ModPCentered(t2[u] + t[u]);

  std::vector<double> rt2(n), rt3(n);
  for (size_t u = 0; u < n; ++u) rt3[u] = static_cast<double>(t2[u]);
  Fft(rt3.data(), logn);
  for (size_t u = 0; u < hn; ++u) rt2[u] = rt3[u];
  for (size_t u = 0; u < n; ++u) rt3[u] = static_cast<double>(t1[u]);
  Fft(rt3.data(), logn);
  PolyDivAutoAdjFft(rt3.data(), rt2.data(), logn);
  IFft(rt3.data(), logn);
  std::vector<int64_t> k(n);
  for (size_t u = 0; u < n; ++u) k[u] = static_cast<int32_t>(Rint(rt3[u]));
  MulNegacyclic(k.data(), fs.data(), n, t.data());
  for (size_t u = 0; u < n; ++u) out_f[u] = ModPCentered(bf[u] - t[u]);
  MulNegacyclic(k.data(), gs.data(), n, t.data());
  for (size_t u = 0; u < n; ++u) out_g[u] = ModPCentered(bg[u] - t[u]);
  return true;
}

}  // namespace

bool SolveNtru(unsigned logn, const int8_t* f, const int8_t* g, int8_t* big_f, int8_t* big_g) {
  const size_t n = size_t{1} << logn;
  // f and g at every depth (depth d has n >> d coefficients of kMaxBlSmall[d] limbs).
  std::vector<BigPoly> fd, gd;
  fd.push_back(FromSmall(f, n));
  gd.push_back(FromSmall(g, n));
  for (unsigned d = 0; d < logn; ++d) {
    fd.push_back(FieldNorm(fd[d], kMaxBlSmall[d + 1]));
    gd.push_back(FieldNorm(gd[d], kMaxBlSmall[d + 1]));
  }

  // Deepest level: Res(f)*G - Res(g)*F = 1, then scale by q.
  const size_t len = kMaxBlSmall[logn];
  std::vector<uint32_t> u, v;
  if (!ZintBezout(fd[logn].at(0), gd[logn].at(0), len, &u, &v)) return false;
  if (!ZintMulSmallUnsigned(v.data(), len, kQ) || !ZintMulSmallUnsigned(u.data(), len, kQ)) {
    return false;
  }
  BigPoly cur_f(1, len), cur_g(1, len);
  cur_f.w = v;
  cur_g.w = u;

  for (unsigned depth = logn; depth-- > 1;) {
    const unsigned lg = logn - depth;
    const size_t llen = kMaxBlLarge[depth];
    BigPoly lift_f = Lift(cur_f, gd[depth], llen);
    BigPoly lift_g = Lift(cur_g, fd[depth], llen);
    const bool ok = depth >= 2
                        ? ReduceIntermediate(lg, depth, fd[depth], gd[depth], &lift_f, &lift_g)
                        : ReduceDepth1(lg, fd[depth], gd[depth], &lift_f, &lift_g);
    if (!ok) return false;
    cur_f = std::move(lift_f);
    cur_g = std::move(lift_g);
  }

  std::vector<int64_t> rf(n), rg(n);
  if (!ReduceDepth0(logn, f, g, cur_f, cur_g, rf.data(), rg.data())) return false;
  for (size_t i = 0; i < n; ++i) {
    if (rf[i] < -127 || rf[i] > 127 || rg[i] < -127 || rg[i] > 127) return false;
    big_f[i] = static_cast<int8_t>(rf[i]);
    big_g[i] = static_cast<int8_t>(rg[i]);
  }
  // Check f*G - g*F = q exactly.
  std::vector<int64_t> a(n), b(n), c1(n), c2(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = f[i];
    b[i] = big_g[i];
  }
  MulNegacyclic(a.data(), b.data(), n, c1.data());
  for (size_t i = 0; i < n; ++i) {
    a[i] = g[i];
    b[i] = big_f[i];
  }
  MulNegacyclic(a.data(), b.data(), n, c2.data());
  for (size_t i = 0; i < n; ++i) {
    if (c1[i] - c2[i] != (i == 0 ? kQ : 0)) return false;
  }
  return true;
}

}  // namespace hm::crypto::falcon::internal
