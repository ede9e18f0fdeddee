// Portable implementations of the ML-KEM polynomial operations (see poly.h).
#include "crypto/mlkem/ct_util.h"
#include "crypto/mlkem/poly.h"

namespace hm::crypto::mlkem::internal {

void NttPortable(Poly& p) {
  int k = 1;
  for (int len = 128; len >= 2; len >>= 1) {
    for (int start = 0; start < kN; start += 2 * len) {
      const int16_t z = kZetasMont[k++];
      for (int j = start; j < start + len; ++j) {
        // |c| grows by < q per layer: < 8q after seven layers, within int16.
        const int16_t t = FqMul(z, p.c[j + len]);
        p.c[j + len] = static_cast<int16_t>(p.c[j] - t);
        p.c[j] = static_cast<int16_t>(p.c[j] + t);
      }
    }
  }
  for (int16_t& x : p.c) x = BarrettReduce(x);
}

void InvNttPortable(Poly& p) {
  int k = 127;
  for (int len = 2; len <= 128; len <<= 1) {
    for (int start = 0; start < kN; start += 2 * len) {
      const int16_t z = kZetasMont[k--];
      for (int j = start; j < start + len; ++j) {
        const int16_t t = p.c[j];
        p.c[j] = static_cast<int16_t>(t + p.c[j + len]);
        p.c[j + len] = FqMul(z, static_cast<int16_t>(p.c[j + len] - t));
      }
    }
    // Sums double per layer: reduce after the third so the last four stay below 2^15.
    if (len == 8) {
      for (int16_t& x : p.c) x = BarrettReduce(x);
    }
  }
  for (int16_t& x : p.c) x = FqMul(x, kInvNttScale);
}

void BasemulAccPortable(Poly& r, const Poly* a, const Poly* b, int k) {
  for (int i = 0; i < kN / 2; ++i) {
    int32_t c0 = 0;
    int32_t c1 = 0;
    for (int j = 0; j < k; ++j) {
      const int32_t a0 = a[j].c[2 * i];
      const int32_t a1 = a[j].c[2 * i + 1];
      const int32_t b0 = b[j].c[2 * i];
      const int32_t b1 = b[j].c[2 * i + 1];
      const int32_t b1g = FqMul(b[j].c[2 * i + 1], kGammasMont[i]);
      // Each term < 2 q^2, so k <= 4 terms stay below q * 2^15 for MontgomeryReduce.
      c0 += a0 * b0 + a1 * b1g;
      c1 += a0 * b1 + a1 * b0;
    }
    r.c[2 * i] = MontgomeryReduce(c0);
    r.c[2 * i + 1] = MontgomeryReduce(c1);
  }
}

void Decode12Portable(Poly* p, const uint8_t* in, int k) {
  for (int j = 0; j < k; ++j) {
    for (int i = 0; i < kN / 2; ++i) {
      const uint8_t* b = in + 384 * j + 3 * i;
      p[j].c[2 * i] = static_cast<int16_t>(b[0] | ((b[1] & 0x0F) << 8));
      p[j].c[2 * i + 1] = static_cast<int16_t>((b[1] >> 4) | (b[2] << 4));
    }
  }
}

void Encode12Portable(uint8_t* out, const Poly* p, int k) {
  for (int j = 0; j < k; ++j) {
    for (int i = 0; i < kN / 2; ++i) {
      const auto x = static_cast<uint16_t>(p[j].c[2 * i]);
      const auto y = static_cast<uint16_t>(p[j].c[2 * i + 1]);
      uint8_t* b = out + 384 * j + 3 * i;
      b[0] = static_cast<uint8_t>(x);
      b[1] = static_cast<uint8_t>((x >> 8) | (y << 4));
      b[2] = static_cast<uint8_t>(y >> 4);
    }
  }
}

namespace {

// N little-endian bytes (N <= 8) as an integer and back; with N a constant the compiler merges the
// byte accesses into wide ones, without reading or writing past the N bytes.
template <int N>
inline uint64_t LoadLE(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < N; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}
template <int N>
inline void StoreLE(uint8_t* p, uint64_t v) {
  for (int i = 0; i < N; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Eight d-bit fields fill exactly d bytes (lo holds bits 0-63, hi the rest); with d a template
// parameter every shift below is a constant once the j loops are unrolled.
template <int D>
void PackBitsT(uint8_t* out, const uint16_t* vals) {
  for (int g = 0; g < kN / 8; ++g, out += D, vals += 8) {
    uint64_t lo = 0;
    uint64_t hi = 0;
    for (int j = 0; j < 8; ++j) {
      const int off = D * j;
      const uint64_t v = vals[j];
      if (off >= 64) {
        hi |= v << (off - 64);
      } else {
        lo |= v << off;
        if (off + D > 64) hi |= v >> (64 - off);
      }
    }
    StoreLE<(D < 8 ? D : 8)>(out, lo);
    if constexpr (D > 8) StoreLE<D - 8>(out + 8, hi);
  }
}

template <int D>
void DecodeDecompressT(Poly& p, const uint8_t* in) {
  for (int g = 0; g < kN / 8; ++g, in += D) {
    const uint64_t lo = LoadLE<(D < 8 ? D : 8)>(in);
    uint64_t hi = 0;
    if constexpr (D > 8) hi = LoadLE<D - 8>(in + 8);
    for (int j = 0; j < 8; ++j) {
      const int off = D * j;
      uint64_t v;
      if (off >= 64) {
        v = hi >> (off - 64);
      } else if (off + D <= 64) {
        v = lo >> off;
      } else {
        v = (lo >> off) | (hi << (64 - off));
      }
      p.c[8 * g + j] = Decompress(static_cast<uint16_t>(v & ((1u << D) - 1)), D);
    }
  }
}

}  // namespace

void PackBits(uint8_t* out, const uint16_t* vals, int d) {
  switch (d) {
    case 1:
      return PackBitsT<1>(out, vals);
    case 4:
      return PackBitsT<4>(out, vals);
    case 5:
      return PackBitsT<5>(out, vals);
    case 10:
      return PackBitsT<10>(out, vals);
    case 11:
      return PackBitsT<11>(out, vals);
    default:
      return PackBitsT<12>(out, vals);
  }
}

void CompressEncodePortable(uint8_t* out, const Poly& p, int d) {
  uint16_t vals[kN];
  for (int i = 0; i < kN; ++i) vals[i] = Compress(Freeze(p.c[i]), d);
  PackBits(out, vals, d);
  Wipe(vals, sizeof(vals));  // Decrypt's m' passes through here
}

void DecodeDecompress(Poly& p, const uint8_t* in, int d) {
  switch (d) {
    case 1:
      return DecodeDecompressT<1>(p, in);
    case 4:
      return DecodeDecompressT<4>(p, in);
    case 5:
      return DecodeDecompressT<5>(p, in);
    case 10:
      return DecodeDecompressT<10>(p, in);
    default:
      return DecodeDecompressT<11>(p, in);
  }
}

int RejectSamplePortable(int16_t* out, int count, int need, const uint8_t* buf, size_t len) {
  for (size_t pos = 0; pos + 3 <= len && count < need; pos += 3) {
    const auto d1 = static_cast<int16_t>(buf[pos] | ((buf[pos + 1] & 0x0F) << 8));
    const auto d2 = static_cast<int16_t>((buf[pos + 1] >> 4) | (buf[pos + 2] << 4));
    // Branches here depend only on XOF output of the public seed rho.
    if (d1 < kQ) out[count++] = d1;
    if (d2 < kQ && count < need) out[count++] = d2;
  }
  return count;
}

void CbdPortable(Poly& p, const uint8_t* buf, int eta) {
  if (eta == 2) {
    for (int i = 0; i < kN / 8; ++i) {
      uint32_t t = 0;
      for (int b = 0; b < 4; ++b) t |= static_cast<uint32_t>(buf[4 * i + b]) << (8 * b);
      // Two-bit fields of d hold the sums of adjacent bit pairs.
      const uint32_t d = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);
      for (int j = 0; j < 8; ++j) {
        const auto x = static_cast<int16_t>((d >> (4 * j)) & 3);
        const auto y = static_cast<int16_t>((d >> (4 * j + 2)) & 3);
        p.c[8 * i + j] = static_cast<int16_t>(x - y);
      }
    }
  } else {  // eta == 3
    for (int i = 0; i < kN / 4; ++i) {
      const uint32_t t = buf[3 * i] | (buf[3 * i + 1] << 8) | (buf[3 * i + 2] << 16);
      const uint32_t d = (t & 0x249249u) + ((t >> 1) & 0x249249u) + ((t >> 2) & 0x249249u);
      for (int j = 0; j < 4; ++j) {
        const auto x = static_cast<int16_t>((d >> (6 * j)) & 7);
        const auto y = static_cast<int16_t>((d >> (6 * j + 3)) & 7);
        p.c[4 * i + j] = static_cast<int16_t>(x - y);
      }
    }
  }
}

void AddTo(Poly& r, const Poly& a) {
  for (int i = 0; i < kN; ++i) r.c[i] = static_cast<int16_t>(r.c[i] + a.c[i]);
}

void SubFrom(Poly& r, const Poly& a) {
  for (int i = 0; i < kN; ++i) r.c[i] = static_cast<int16_t>(a.c[i] - r.c[i]);
}

void ToMont(Poly& r) {
  for (int16_t& x : r.c) x = FqMul(x, kMontR2);
}

void FreezePoly(Poly& r) {
  for (int16_t& x : r.c) x = Freeze(x);
}

void ReduceOncePolys(Poly* p, int k) {
  for (int j = 0; j < k; ++j) {
    for (int16_t& x : p[j].c) x = ReduceOnce(x);
  }
}

bool AllBelowQ(const Poly* p, int k) {
  int16_t bad = 0;
  for (int j = 0; j < k; ++j) {
    for (int16_t x : p[j].c) bad |= static_cast<int16_t>(x >= kQ);
  }
  return bad == 0;
}

}  // namespace hm::crypto::mlkem::internal
