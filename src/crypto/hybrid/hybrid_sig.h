// Hybrid signature ECDSA P-256 + Falcon-1024 (docs/spec/crypto.md): both halves sign the same
// domain-separated message and a signature is valid only if both verify.
// Thread-safety: keys are immutable after construction; const methods may run concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/ecdsa.h"
#include "crypto/falcon/falcon.h"

namespace hm::crypto::hybrid {

// Raw layouts: ECDSA part first, then the Falcon-1024 part, fixed sizes, no separators.
//   public key = SEC 1 uncompressed point (65) || Falcon-1024 public key (1793)
//   secret key = P-256 scalar, big-endian (32)  || Falcon-1024 secret key (2305)
inline constexpr size_t kHybridSigPublicKeySize = kP256PointSize + falcon::kFalcon1024PublicKeySize;
inline constexpr size_t kHybridSigSecretKeySize = 32 + falcon::kFalcon1024SecretKeySize;
// Upper bounds enforced by the signature decoder.
inline constexpr size_t kHybridSigMaxFalconSize = 2 * falcon::kFalcon1024PaddedSignatureSize;

// Both halves sign M' = kHybridSigLabel || 0x00 || message.
inline constexpr std::string_view kHybridSigLabel = "hm.hybrid-sig.v1";
base::Bytes HybridSigMessage(base::ByteSpan message);

// The two halves of a hybrid signature.
struct HybridSignature {
  base::Bytes ecdsa_der;  // DER Ecdsa-Sig-Value over M' with SHA-256
  base::Bytes falcon;     // compressed Falcon-1024 signature over M' (0x3A header)
};

// DER: SEQUENCE { BIT STRING ecdsa_der, BIT STRING falcon }, zero unused bits.
base::Bytes EncodeHybridSignature(const HybridSignature& sig);
// Strict inverse: InvalidArgument for any other DER shape, non-zero unused bits, empty or
// over-long halves (ECDSA > 72 bytes, Falcon > kHybridSigMaxFalconSize) and trailing bytes.
// The halves themselves are checked by Verify.
base::Result<HybridSignature> DecodeHybridSignature(base::ByteSpan der);

class HybridSigPublicKey {
 public:
  // InvalidArgument unless kHybridSigPublicKeySize bytes holding a valid P-256 point and a
  // well-formed Falcon-1024 public key.
  static base::Result<HybridSigPublicKey> FromRaw(base::ByteSpan raw);

  base::Bytes Raw() const;
  const EcdsaP256PublicKey& ecdsa() const { return ecdsa_; }
  base::ByteSpan falcon() const { return falcon_raw_; }

  // OK only if both halves verify over HybridSigMessage(message). InvalidArgument for a
  // malformed encoding; Unauthenticated (naming the failing half) if either half does not verify.
  base::Status Verify(base::ByteSpan message, base::ByteSpan signature_der) const;
  base::Status Verify(base::ByteSpan message, const HybridSignature& signature) const;

 private:
  friend class HybridSigSecretKey;
  HybridSigPublicKey(EcdsaP256PublicKey ecdsa, base::Bytes falcon_raw,
                     falcon::VerifyingKey falcon_key)
      : ecdsa_(std::move(ecdsa)),
        falcon_raw_(std::move(falcon_raw)),
        falcon_key_(std::move(falcon_key)) {}

  EcdsaP256PublicKey ecdsa_;
  base::Bytes falcon_raw_;
  falcon::VerifyingKey falcon_key_;
};

class HybridSigSecretKey {
 public:
  // Fresh key pair; both halves draw from `random` (pass a SecureRandom in production).
  static base::Result<HybridSigSecretKey> Generate(base::Random& random);
  // InvalidArgument unless kHybridSigSecretKeySize bytes with a scalar in [1, n-1] and a valid
  // Falcon-1024 secret key.
  static base::Result<HybridSigSecretKey> FromRaw(base::ByteSpan raw);

  HybridSigSecretKey(HybridSigSecretKey&&) noexcept = default;
  HybridSigSecretKey& operator=(HybridSigSecretKey&&) noexcept = default;
  ~HybridSigSecretKey();

  // Secret material: write it with WriteSecretFile, never log it.
  base::Bytes Raw() const;
  const HybridSigPublicKey& PublicKey() const { return public_; }

  // The DER hybrid signature of `message`. ECDSA draws its nonce from OpenSSL's CSPRNG; Falcon
  // from `random`.
  base::Result<base::Bytes> Sign(base::ByteSpan message, base::Random& random) const;
  base::Result<HybridSignature> SignParts(base::ByteSpan message, base::Random& random) const;

 private:
  HybridSigSecretKey(EcdsaP256PrivateKey ecdsa, base::Bytes falcon_raw,
                     falcon::SigningKey falcon_key, HybridSigPublicKey pub)
      : ecdsa_(std::move(ecdsa)),
        falcon_raw_(std::move(falcon_raw)),
        falcon_key_(std::move(falcon_key)),
        public_(std::move(pub)) {}
  static base::Result<HybridSigSecretKey> FromParts(EcdsaP256PrivateKey ecdsa,
                                                    base::ByteSpan falcon_sk);

  EcdsaP256PrivateKey ecdsa_;
  base::Bytes falcon_raw_;
  falcon::SigningKey falcon_key_;
  HybridSigPublicKey public_;
};

}  // namespace hm::crypto::hybrid
