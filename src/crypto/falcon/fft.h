// Falcon's floating-point polynomial arithmetic: the FFT over R[x]/(x^n+1) and the
// element-wise operations of the FFT domain. Every operation fixes its IEEE-754 double
// operation order because signatures and keys must be bit-exact with the reference KATs.
// Thread-safety: pure functions on caller-owned arrays; the root table is built once.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hm::crypto::falcon::internal {

// FFT layout: for a polynomial of degree n = 2^logn, slot k < n/2 holds the real part of
// the value at root number k (in bit-reversed order) and slot k + n/2 its imaginary part;
// the other n/2 values are the conjugates and are not stored.

// Roots table: entry 2k is cos(pi*rev10(k)/1024), entry 2k+1 is sin(...), k < 1024.
const double* RootTable();

void Fft(double* f, unsigned logn);
void IFft(double* f, unsigned logn);

void PolyAdd(double* a, const double* b, unsigned logn);
void PolySub(double* a, const double* b, unsigned logn);
void PolyNeg(double* a, unsigned logn);
void PolyAdjFft(double* a, unsigned logn);
void PolyMulFft(double* a, const double* b, unsigned logn);
void PolyMulAdjFft(double* a, const double* b, unsigned logn);
void PolyMulSelfAdjFft(double* a, unsigned logn);
void PolyMulConst(double* a, double x, unsigned logn);
// d = 1 / (|a|^2 + |b|^2) (n/2 real values).
void PolyInvNorm2Fft(double* d, const double* a, const double* b, unsigned logn);
// d = F*adj(f) + G*adj(g).
void PolyAddMulAdjFft(double* d, const double* big_f, const double* big_g, const double* f,
                      const double* g, unsigned logn);
// a *= b, where b is auto-adjoint (only its n/2 real values are read).
void PolyMulAutoAdjFft(double* a, const double* b, unsigned logn);
void PolyDivAutoAdjFft(double* a, const double* b, unsigned logn);
// LDL of the 2x2 Gram matrix [[g00, g01], [adj(g01), g11]]: g11 <- d11, g01 <- l10.
void PolyLdlFft(const double* g00, double* g01, double* g11, unsigned logn);
// Same, writing d11 and l10 to separate outputs.
void PolyLdlMvFft(double* d11, double* l10, const double* g00, const double* g01,
                  const double* g11, unsigned logn);
// f(x) = f0(x^2) + x*f1(x^2), all in FFT representation.
void PolySplitFft(double* f0, double* f1, const double* f, unsigned logn);
void PolyMergeFft(double* f, const double* f0, const double* f1, unsigned logn);

}  // namespace hm::crypto::falcon::internal
