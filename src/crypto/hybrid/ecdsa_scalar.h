// ECDSA P-256 private keys as raw 32-byte scalars (the "raw" key-file format and the ECDSA half
// of a hybrid secret key). Thread-safety: pure functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/ecdsa.h"

namespace hm::crypto::hybrid {

inline constexpr size_t kEcdsaP256ScalarSize = 32;
using EcdsaP256Scalar = std::array<uint8_t, kEcdsaP256ScalarSize>;

// Big-endian private scalar d. Secret: the caller wipes it.
EcdsaP256Scalar EcdsaP256ScalarOf(const EcdsaP256PrivateKey& key);

// Key from a 32-byte big-endian scalar; InvalidArgument unless 32 bytes and 0 < d < n.
base::Result<EcdsaP256PrivateKey> EcdsaP256FromScalar(base::ByteSpan scalar);

// A fresh key whose scalar is drawn from `random` (rejection sampling below n), so tests can
// pass a SeededRandom and production a SecureRandom.
EcdsaP256PrivateKey EcdsaP256Generate(base::Random& random);

}  // namespace hm::crypto::hybrid
