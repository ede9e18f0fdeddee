// Falcon-512 / Falcon-1024 signatures (round-3 specification v1.2), bit-exact with the
// official KATs: key generation from a 48-byte seed, signing, strict verification.
// Thread-safety: free functions are thread-safe; SigningKey and VerifyingKey are immutable
// after Load, so one instance may be shared by threads (each call brings its own Random).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"

namespace hm::crypto::falcon {

enum class Variant { kFalcon512, kFalcon1024 };

inline constexpr size_t kNonceSize = 40;
inline constexpr size_t kSeedSize = 48;  // keygen seed and signing (sampler) seed

inline constexpr size_t kFalcon512PublicKeySize = 897;
inline constexpr size_t kFalcon512SecretKeySize = 1281;
inline constexpr size_t kFalcon512PaddedSignatureSize = 666;
inline constexpr size_t kFalcon1024PublicKeySize = 1793;
inline constexpr size_t kFalcon1024SecretKeySize = 2305;
inline constexpr size_t kFalcon1024PaddedSignatureSize = 1280;

unsigned LogN(Variant v);
size_t PublicKeySize(Variant v);
size_t SecretKeySize(Variant v);
size_t PaddedSignatureSize(Variant v);

// Encodings (spec v1.2 section 3.11):
//   public key  0x00+logn || 14-bit coefficients of h
//   secret key  0x50+logn || f || g || F   (fixed-width two's complement; G is recomputed)
//   signature   0x30+logn || nonce (40 bytes) || compressed s2   (variable length)
//   padded      the same bytes followed by zeros up to PaddedSignatureSize
struct KeyPair {
  base::Bytes public_key;
  base::Bytes secret_key;
};

// Deterministic key generation: the seed feeds SHAKE-256, the reference's keygen RNG.
base::Result<KeyPair> KeyGenFromSeed(Variant v, std::span<const uint8_t, kSeedSize> seed);
base::Result<KeyPair> KeyGen(Variant v, base::Random& random);

// Compressed detached signature. Errors: InvalidArgument for a malformed secret key.
base::Result<base::Bytes> Sign(Variant v, base::ByteSpan secret_key, base::ByteSpan message,
                               base::Random& random);
// Signs with an explicit nonce and sampler seed (known-answer tests).
base::Result<base::Bytes> SignWithNonceAndSeed(Variant v, base::ByteSpan secret_key,
                                               base::ByteSpan message,
                                               std::span<const uint8_t, kNonceSize> nonce,
                                               std::span<const uint8_t, kSeedSize> seed);

// Accepts the compressed and the padded format. InvalidArgument: malformed key or
// signature (wrong header/variant, wrong length, trailing bytes, non-canonical encoding,
// coefficient out of range). Unauthenticated: well-formed but not a valid signature.
base::Status Verify(Variant v, base::ByteSpan public_key, base::ByteSpan message,
                    base::ByteSpan signature);

// Pads a compressed signature with zeros; InvalidArgument if it is too long to fit.
base::Result<base::Bytes> ToPadded(Variant v, base::ByteSpan signature);

// Recomputes h = g/f mod q from the secret key.
base::Result<base::Bytes> PublicKeyFromSecretKey(Variant v, base::ByteSpan secret_key);

// A decoded secret key with its precomputed ffLDL tree, for fast repeated signing.
class SigningKey {
 public:
  static base::Result<SigningKey> Load(Variant v, base::ByteSpan secret_key);

  base::Result<base::Bytes> Sign(base::ByteSpan message, base::Random& random) const;
  // Signs until the signature fits the padded size, then returns it padded.
  base::Result<base::Bytes> SignPadded(base::ByteSpan message, base::Random& random) const;
  base::Result<base::Bytes> SignWithNonceAndSeed(base::ByteSpan message,
                                                 std::span<const uint8_t, kNonceSize> nonce,
                                                 std::span<const uint8_t, kSeedSize> seed) const;
  Variant variant() const { return variant_; }

  struct Impl;

 private:
  SigningKey(Variant v, std::shared_ptr<const Impl> impl) : variant_(v), impl_(std::move(impl)) {}
  Variant variant_;
  std::shared_ptr<const Impl> impl_;
};

// A decoded public key, kept in the NTT domain.
class VerifyingKey {
 public:
  static base::Result<VerifyingKey> Load(Variant v, base::ByteSpan public_key);

  base::Status Verify(base::ByteSpan message, base::ByteSpan signature) const;
  Variant variant() const { return variant_; }

 private:
  VerifyingKey(Variant v, std::shared_ptr<const std::vector<uint16_t>> h_ntt)
      : variant_(v), h_ntt_(std::move(h_ntt)) {}
  Variant variant_;
  std::shared_ptr<const std::vector<uint16_t>> h_ntt_;
};

}  // namespace hm::crypto::falcon
