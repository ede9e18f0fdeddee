// Falcon signing core: the expanded private key (basis in FFT form and the normalized
// ffLDL tree) and fast-Fourier sampling of a short (s1, s2) for a hashed message.
// Thread-safety: ExpandedKey is immutable after construction and may be shared; each
// signing call uses its own sampler state.
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/keccak/keccak.h"

namespace hm::crypto::falcon::internal {

struct ExpandedKey {
  unsigned logn = 0;
  // b00 = FFT(g), b01 = -FFT(f), b10 = FFT(G), b11 = -FFT(F), then the tree.
  std::vector<double> data;
};

ExpandedKey ExpandPrivateKey(const int8_t* f, const int8_t* g, const int8_t* big_f,
                             const int8_t* big_g, unsigned logn);

// Produces s2 for the hashed message hm. Each attempt seeds a fresh ChaCha20 PRNG from
// `rng` (a SHAKE-256 context in squeeze mode), exactly like the reference signer.
void SignHashed(const ExpandedKey& key, const uint16_t* hm, Shake256& rng, int16_t* s2);

}  // namespace hm::crypto::falcon::internal
