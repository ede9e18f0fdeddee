// Hybrid KEM X25519 + ML-KEM-1024 (docs/spec/crypto.md): the shared secret is HKDF-SHA-256 over
// both component secrets, both ciphertexts and both public keys, so it stays secret while either
// component does. Thread-safety: stateless functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/mlkem/mlkem.h"
#include "crypto/x25519.h"

namespace hm::crypto::hybrid {

// Raw layouts, X25519 part first, fixed sizes:
//   public key = X25519 public key (32)           || ML-KEM-1024 ek (1568)
//   secret key = X25519 private key (32)          || ML-KEM-1024 dk, expanded (3168)
//   ciphertext = ephemeral X25519 public key (32) || ML-KEM-1024 ciphertext (1568)
inline constexpr size_t kHybridKemPublicKeySize =
    kX25519KeySize + mlkem::kMlKem1024EncapsulationKeySize;
inline constexpr size_t kHybridKemSecretKeySize =
    kX25519KeySize + mlkem::kMlKem1024DecapsulationKeySize;
inline constexpr size_t kHybridKemCiphertextSize = kX25519KeySize + mlkem::kMlKem1024CiphertextSize;
inline constexpr size_t kHybridKemSharedSecretSize = 32;

// HKDF info prefix: info = kHybridKemLabel || 0x00 || ct_x25519 || ct_mlkem || pk_x25519 || ek.
inline constexpr std::string_view kHybridKemLabel = "hm.hybrid-kem.v1";

using HybridKemSharedSecret = std::array<uint8_t, kHybridKemSharedSecretSize>;

struct HybridKemKeyPair {
  base::Bytes public_key;
  base::Bytes secret_key;  // secret: wipe when done
};

struct HybridKemEncapsResult {
  base::Bytes ciphertext;
  HybridKemSharedSecret shared_secret;  // secret: wipe when done
};

// Both private parts are drawn from `random` (pass a SecureRandom in production).
base::Result<HybridKemKeyPair> HybridKemKeyGen(base::Random& random);

// InvalidArgument unless the size is right and ek passes the FIPS 203 7.2 modulus check.
base::Status CheckHybridKemPublicKey(base::ByteSpan public_key);
// InvalidArgument unless the size is right and dk passes the FIPS 203 7.3 hash check.
base::Status CheckHybridKemSecretKey(base::ByteSpan secret_key);
// The public key that belongs to `secret_key` (X25519 base-point multiple || ek inside dk).
base::Result<base::Bytes> HybridKemPublicKeyFromSecretKey(base::ByteSpan secret_key);

// Ephemeral X25519 key and ML-KEM message drawn from `random`. InvalidArgument for a malformed
// public key (including a low-order X25519 point).
base::Result<HybridKemEncapsResult> HybridKemEncaps(base::ByteSpan public_key,
                                                    base::Random& random);

// InvalidArgument for a malformed secret key, a ciphertext of the wrong length, or a low-order
// ephemeral X25519 point. A modified ML-KEM part never fails: implicit rejection yields an
// unrelated key, and so does a modified X25519 part.
base::Result<HybridKemSharedSecret> HybridKemDecaps(base::ByteSpan secret_key,
                                                    base::ByteSpan ciphertext);

// The combiner itself (exposed for known-answer tests):
// HKDF-SHA-256(salt = empty, ikm = ss_mlkem || ss_x25519, info as above, L = 32).
base::Result<HybridKemSharedSecret> HybridKemCombine(
    base::ByteSpan ss_mlkem, base::ByteSpan ss_x25519, base::ByteSpan ct_x25519,
    base::ByteSpan ct_mlkem, base::ByteSpan pk_x25519, base::ByteSpan ek_mlkem);

}  // namespace hm::crypto::hybrid
