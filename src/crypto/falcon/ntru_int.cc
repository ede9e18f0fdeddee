#include "crypto/falcon/ntru_int.h"

#include <algorithm>

namespace hm::crypto::falcon::internal {

void ZintAddMulSmall(uint32_t* x, size_t xlen, const uint32_t* y, size_t ylen, int64_t k) {
  const uint32_t ys = SignLimb(y, ylen);
  int64_t carry = 0;
  for (size_t i = 0; i < xlen; ++i) {
    const uint32_t yw = i < ylen ? y[i] : ys;
    const int64_t z = static_cast<int64_t>(yw) * k + static_cast<int64_t>(x[i]) + carry;
    x[i] = static_cast<uint32_t>(z) & kLimbMask;
    carry = z >> 31;  // arithmetic shift (C++20)
  }
}

void ZintMulAcc(uint32_t* acc, size_t alen, const uint32_t* a, size_t la, const uint32_t* b,
                size_t lb, bool negate) {
  // b = sum b_j 2^(31j) - [b < 0] 2^(31 lb)
  for (size_t j = 0; j < lb && j < alen; ++j) {
    if (b[j] == 0) continue;
    const int64_t k = negate ? -static_cast<int64_t>(b[j]) : static_cast<int64_t>(b[j]);
    ZintAddMulSmall(acc + j, alen - j, a, la, k);
  }
  if (lb < alen && (b[lb - 1] >> 30) != 0) {
    ZintAddMulSmall(acc + lb, alen - lb, a, la, negate ? 1 : -1);
  }
}

void ZintSubShifted(uint32_t* x, size_t xlen, const uint32_t* y, size_t ylen, unsigned sc) {
  const size_t sch = sc / 31;
  const unsigned scl = sc % 31;
  const uint32_t ys = SignLimb(y, ylen);
  uint32_t carry_bits = 0;  // bits shifted out of the previous limb
  uint32_t borrow = 0;
  for (size_t i = sch; i < xlen; ++i) {
    const size_t v = i - sch;
    const uint32_t yw = v < ylen ? y[v] : ys;
    const uint32_t shifted = ((yw << scl) & kLimbMask) | carry_bits;
    carry_bits = scl == 0 ? 0 : yw >> (31 - scl);
    const uint32_t w = x[i] - shifted - borrow;
    x[i] = w & kLimbMask;
    borrow = w >> 31;
  }
}

void ZintSub(uint32_t* x, const uint32_t* y, size_t len) {
  uint32_t borrow = 0;
  for (size_t i = 0; i < len; ++i) {
    const uint32_t w = x[i] - y[i] - borrow;
    x[i] = w & kLimbMask;
    borrow = w >> 31;
  }
}

void ZintAdd(uint32_t* x, const uint32_t* y, size_t len) {
  uint32_t carry = 0;
  for (size_t i = 0; i < len; ++i) {
    const uint32_t w = x[i] + y[i] + carry;
    x[i] = w & kLimbMask;
    carry = w >> 31;
  }
}

double ZintToDouble(const uint32_t* x, size_t len) {
  if (len == 0) return 0.0;
  // Negative values are converted limb by limb from their absolute value, each limb
  // negated, so the sum has the same rounding as the reference.
  const uint32_t neg = 0u - (x[len - 1] >> 30);
  const uint32_t xm = neg >> 1;
  uint32_t cc = neg & 1;
  double acc = 0.0;
  double scale = 1.0;
  for (size_t v = 0; v < len; ++v) {
    uint32_t w = (x[v] ^ xm) + cc;
    cc = w >> 31;
    w &= kLimbMask;
    const int32_t limb = neg ? -static_cast<int32_t>(w) : static_cast<int32_t>(w);
    acc = acc + static_cast<double>(limb) * scale;
    scale = scale * 2147483648.0;
  }
  return acc;
}

void ZintSetSmall(uint32_t* x, size_t len, int64_t v) {
  for (size_t i = 0; i < len; ++i) {
    x[i] = static_cast<uint32_t>(v) & kLimbMask;
    v >>= 31;
  }
}

bool ZintMulSmallUnsigned(uint32_t* x, size_t len, uint32_t s) {
  uint64_t carry = 0;
  for (size_t i = 0; i < len; ++i) {
    const uint64_t z = static_cast<uint64_t>(x[i]) * s + carry;
    x[i] = static_cast<uint32_t>(z) & kLimbMask;
    carry = z >> 31;
  }
  return carry == 0;
}

namespace {

// Unsigned big integers in 64-bit words for the binary extended GCD.
using Words = std::vector<uint64_t>;

Words FromLimbs(const uint32_t* x, size_t len, size_t nw) {
  Words r(nw, 0);
  for (size_t i = 0; i < len; ++i) {
    const size_t bit = i * 31;
    r[bit / 64] |= static_cast<uint64_t>(x[i]) << (bit % 64);
    if (bit % 64 > 33 && bit / 64 + 1 < nw) {
      r[bit / 64 + 1] |= static_cast<uint64_t>(x[i]) >> (64 - bit % 64);
    }
  }
  return r;
}

std::vector<uint32_t> ToLimbs(const Words& w, size_t len) {
  std::vector<uint32_t> r(len, 0);
  for (size_t i = 0; i < len; ++i) {
    const size_t bit = i * 31;
    uint64_t v = w[bit / 64] >> (bit % 64);
    if (bit % 64 > 33 && bit / 64 + 1 < w.size()) v |= w[bit / 64 + 1] << (64 - bit % 64);
    r[i] = static_cast<uint32_t>(v) & kLimbMask;
  }
  return r;
}

int Cmp(const Words& a, const Words& b) {
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

// a -= b; returns the borrow.
uint64_t SubW(Words& a, const Words& b) {
  uint64_t borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const uint64_t bi = b[i] + borrow;
    const uint64_t nb = (bi < borrow) || (a[i] < bi) ? 1 : 0;
    a[i] -= bi;
    borrow = nb;
  }
  return borrow;
}

uint64_t AddW(Words& a, const Words& b) {
  uint64_t carry = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const uint64_t s = a[i] + carry;
    const uint64_t c1 = s < carry ? 1 : 0;
    a[i] = s + b[i];
    carry = c1 + (a[i] < b[i] ? 1 : 0);
  }
  return carry;
}

void Shr1(Words& a, uint64_t top) {
  for (size_t i = 0; i < a.size(); ++i) {
    const uint64_t next = i + 1 < a.size() ? a[i + 1] : top;
    a[i] = (a[i] >> 1) | (next << 63);
  }
}

// c <- c/2 mod m (m odd, 0 <= c < m).
void HalfMod(Words& c, const Words& m) {
  if (c[0] & 1) {
    const uint64_t carry = AddW(c, m);
    Shr1(c, carry);
  } else {
    Shr1(c, 0);
  }
}

// (u, v) <- (u - du, v - dv), plus (y, x) when either difference is negative; this keeps
// x*u - y*v consistent and both values in range.
void SubPair(Words& u, Words& v, const Words& du, const Words& dv, const Words& y,
             const Words& x) {
  const uint64_t bu = SubW(u, du);
  const uint64_t bv = SubW(v, dv);
  if (bu | bv) {
    AddW(u, y);
    AddW(v, x);
  }
}

bool IsZero(const Words& a) {
  return std::all_of(a.begin(), a.end(), [](uint64_t w) { return w == 0; });
}

}  // namespace

bool ZintBezout(const uint32_t* x, const uint32_t* y, size_t len, std::vector<uint32_t>* u,
                std::vector<uint32_t>* v) {
  if ((x[0] & y[0] & 1) == 0) return false;
  const size_t nw = (len * 31 + 63) / 64 + 1;
  const Words wx = FromLimbs(x, len, nw), wy = FromLimbs(y, len, nw);
  // Invariants: a = x*u0 - y*v0, b = x*u1 - y*v1, 0 <= u* < y (u1 <= y), 0 <= v* < x.
  Words a = wx, b = wy, u0(nw, 0), v0(nw, 0), u1 = wy, v1 = wx;
  u0[0] = 1;
  v1[0] -= 1;  // x is odd, so no borrow
  if (IsZero(a) || IsZero(b)) return false;
  for (;;) {
    const int c = Cmp(a, b);
    if (c == 0) break;
    if ((a[0] & 1) == 0) {
      Shr1(a, 0);
      if ((u0[0] & 1) == 0 && (v0[0] & 1) == 0) {
        Shr1(u0, 0);
        Shr1(v0, 0);
      } else {
        HalfMod(u0, wy);
        HalfMod(v0, wx);
      }
    } else if ((b[0] & 1) == 0) {
      Shr1(b, 0);
      if ((u1[0] & 1) == 0 && (v1[0] & 1) == 0) {
        Shr1(u1, 0);
        Shr1(v1, 0);
      } else {
        HalfMod(u1, wy);
        HalfMod(v1, wx);
      }
    } else if (c > 0) {
      SubW(a, b);
      SubPair(u0, v0, u1, v1, wy, wx);
    } else {
      SubW(b, a);
      SubPair(u1, v1, u0, v0, wy, wx);
    }
  }
  Words one(nw, 0);
  one[0] = 1;
  if (Cmp(a, one) != 0) return false;
  *u = ToLimbs(u0, len);
  *v = ToLimbs(v0, len);
  return true;
}

}  // namespace hm::crypto::falcon::internal
