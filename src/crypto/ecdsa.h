// ECDSA over NIST P-256 with SHA-256 (FIPS 186-4 / SEC 1), the classical half of HyperMesh's
// hybrid signatures and the X.509 signature algorithm. Thin wrappers over OpenSSL 3 EVP_PKEY.
// Thread-safety: keys are immutable after construction; const methods may run concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/evp_pkey.h"

namespace hm::crypto {

inline constexpr size_t kP256PointSize = 65;        // 0x04 || X || Y
inline constexpr size_t kEcdsaP256RawSigSize = 64;  // r || s, each 32 bytes big-endian
inline constexpr size_t kEcdsaP256MaxDerSigSize = 72;

class EcdsaP256PublicKey {
 public:
  // SEC 1 uncompressed point (65 bytes, 0x04 prefix). InvalidArgument for other sizes,
  // compressed points, the point at infinity and points not on the curve.
  static base::Result<EcdsaP256PublicKey> FromSec1(base::ByteSpan point);
  // DER SubjectPublicKeyInfo (RFC 5480). InvalidArgument unless it is an EC key on P-256,
  // well formed, on the curve and without trailing bytes.
  static base::Result<EcdsaP256PublicKey> FromSpkiDer(base::ByteSpan der);
  // PEM "PUBLIC KEY" block holding a SubjectPublicKeyInfo.
  static base::Result<EcdsaP256PublicKey> FromSpkiPem(std::string_view pem);

  // Copies share the underlying OpenSSL key (reference counted).
  EcdsaP256PublicKey(const EcdsaP256PublicKey& other);
  EcdsaP256PublicKey& operator=(const EcdsaP256PublicKey& other);
  EcdsaP256PublicKey(EcdsaP256PublicKey&&) noexcept = default;
  EcdsaP256PublicKey& operator=(EcdsaP256PublicKey&&) noexcept = default;

  const std::array<uint8_t, kP256PointSize>& Sec1() const { return sec1_; }
  base::Bytes ToSpkiDer() const;
  std::string ToSpkiPem() const;

  // OK if `der_sig` is a valid DER ECDSA-SHA256 signature of `msg`. InvalidArgument if the
  // signature is not strict DER (or too long); Unauthenticated if it does not verify.
  base::Status Verify(base::ByteSpan msg, base::ByteSpan der_sig) const;
  // Same with a fixed-width r||s signature; InvalidArgument unless it is 64 bytes.
  base::Status VerifyRaw(base::ByteSpan msg, base::ByteSpan raw_sig) const;

  // Borrowed OpenSSL key for X.509 work. Read-only: do not modify or free it (OpenSSL's API
  // takes non-const pointers even for reads). Use EVP_PKEY_up_ref to keep it longer.
  EVP_PKEY* evp_pkey() const { return pkey_.get(); }

  bool operator==(const EcdsaP256PublicKey& other) const { return sec1_ == other.sec1_; }

 private:
  EcdsaP256PublicKey(EvpPkeyPtr pkey, const std::array<uint8_t, kP256PointSize>& sec1);

  EvpPkeyPtr pkey_;
  std::array<uint8_t, kP256PointSize> sec1_;
};

class EcdsaP256PrivateKey {
 public:
  // Fresh key from OpenSSL's CSPRNG. An OpenSSL failure here is a HM_CHECK.
  static EcdsaP256PrivateKey Generate();
  // Unencrypted PKCS#8 PrivateKeyInfo (PEM "PRIVATE KEY" or DER). InvalidArgument unless it
  // holds a valid P-256 key.
  static base::Result<EcdsaP256PrivateKey> FromPkcs8Pem(std::string_view pem);
  static base::Result<EcdsaP256PrivateKey> FromPkcs8Der(base::ByteSpan der);

  EcdsaP256PrivateKey(EcdsaP256PrivateKey&&) noexcept = default;
  EcdsaP256PrivateKey& operator=(EcdsaP256PrivateKey&&) noexcept = default;
  EcdsaP256PrivateKey(const EcdsaP256PrivateKey&) = delete;
  EcdsaP256PrivateKey& operator=(const EcdsaP256PrivateKey&) = delete;

  // Secret material: write it with WriteSecretFile, never log it.
  std::string ToPkcs8Pem() const;
  base::Bytes ToPkcs8Der() const;

  // ECDSA-SHA256 over `msg` (randomized k). DER-encoded Ecdsa-Sig-Value.
  base::Bytes Sign(base::ByteSpan msg) const;
  // The same signature as fixed-width r||s (64 bytes).
  std::array<uint8_t, kEcdsaP256RawSigSize> SignRaw(base::ByteSpan msg) const;

  const EcdsaP256PublicKey& PublicKey() const { return public_; }

  // Borrowed OpenSSL key (e.g. for X509_sign). Read-only; do not free it.
  EVP_PKEY* evp_pkey() const { return pkey_.get(); }

 private:
  EcdsaP256PrivateKey(EvpPkeyPtr pkey, EcdsaP256PublicKey pub);
  static base::Result<EcdsaP256PrivateKey> FromPkey(EvpPkeyPtr pkey);

  EvpPkeyPtr pkey_;
  EcdsaP256PublicKey public_;
};

// Converts between DER and fixed-width r||s encodings of a P-256 ECDSA signature.
// InvalidArgument on malformed input (non-strict DER, trailing bytes, r or s wider than 32 bytes).
base::Result<std::array<uint8_t, kEcdsaP256RawSigSize>> EcdsaDerToRaw(base::ByteSpan der_sig);
base::Result<base::Bytes> EcdsaRawToDer(base::ByteSpan raw_sig);

}  // namespace hm::crypto
