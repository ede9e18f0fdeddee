// Falcon key-pair generation from a SHAKE-256 stream (the reference's keygen RNG): sample
// f, g, apply the norm and invertibility checks, solve the NTRU equation.
// Thread-safety: pure function of its inputs.
#pragma once

#include <cstdint>

#include "crypto/keccak/keccak.h"

namespace hm::crypto::falcon::internal {

// Fills f, g, F, G (n = 2^logn each) and h = g/f mod q. `rng` must be in squeeze mode.
void GenerateKeyPair(Shake256& rng, unsigned logn, int8_t* f, int8_t* g, int8_t* big_f,
                     int8_t* big_g, uint16_t* h);

}  // namespace hm::crypto::falcon::internal
