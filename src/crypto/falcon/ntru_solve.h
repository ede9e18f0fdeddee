// Falcon's NTRU equation solver (key generation): given small f, g, finds small F, G with
// f*G - g*F = q mod x^n+1. Follows the reference's recursive field-norm descent and its
// exact Babai reduction schedule, so F is bit-identical to the reference keys.
// Thread-safety: pure function.
#pragma once

#include <cstdint>

namespace hm::crypto::falcon::internal {

// logn must be 9 or 10 (the descent uses the binary depth-0/1 shortcuts). Returns false
// when (f, g) must be rejected: resultants not coprime, out-of-range reduction, or a
// coefficient of F or G outside [-127, 127].
bool SolveNtru(unsigned logn, const int8_t* f, const int8_t* g, int8_t* big_f, int8_t* big_g);

}  // namespace hm::crypto::falcon::internal
