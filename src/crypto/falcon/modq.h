// Arithmetic modulo q = 12289 for Falcon: a negacyclic NTT, the public key h = g/f,
// completion of the private key (G from f, g, F), hash-to-point and the verification
// equation with its norm bound.
// Thread-safety: pure functions; NTT tables are built once, thread-safely.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/keccak/keccak.h"

namespace hm::crypto::falcon::internal {

// In-place NTT / inverse NTT of n = 2^logn values in [0, q). The NTT domain order is an
// implementation detail; only point-wise products are taken there.
void NttModQ(uint16_t* a, unsigned logn);
void INttModQ(uint16_t* a, unsigned logn);

// h = g/f mod (x^n+1, q). Returns false if f is not invertible.
bool ComputePublic(const int8_t* f, const int8_t* g, unsigned logn, uint16_t* h);

// G = g*F/f mod q, which must be the small solution of fG - gF = q (|G_i| <= 127).
bool CompletePrivate(const int8_t* f, const int8_t* g, const int8_t* big_f, unsigned logn,
                     int8_t* big_g);

// Hash-to-point on a SHAKE-256 context already fed with nonce || message (variable time,
// as the verifier and the reference signer use it).
void HashToPoint(Shake256& sponge, unsigned logn, uint16_t* c);

// Squared-norm bound floor(beta^2) for degree 2^logn.
uint32_t L2Bound(unsigned logn);

// True if ||(c - s2*h, s2)||^2 is within the bound. h_ntt is h in the NTT domain.
bool VerifyRaw(const uint16_t* c, const int16_t* s2, const uint16_t* h_ntt, unsigned logn);

// True if sqn + ||s2||^2 is within the bound (saturating arithmetic).
bool IsShortHalf(uint32_t sqn, const int16_t* s2, unsigned logn);

}  // namespace hm::crypto::falcon::internal
