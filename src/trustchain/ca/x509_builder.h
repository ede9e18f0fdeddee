// The TrustChain CA hierarchy (docs/spec/certificates.md): a self-signed root and an issuing
// intermediate, both ECDSA P-256 with a Falcon-1024 alternative key and signature, and the
// IssuingCa signer that holds a CA certificate with its keys.
// Thread-safety: IssuingCa is immutable after Create; const use from many threads is safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/ecdsa.h"
#include "crypto/falcon/falcon.h"
#include "trustchain/ca/internal/ossl.h"

namespace hm::trustchain::ca {

struct FalconKey {
  crypto::falcon::SigningKey signing;
  base::Bytes public_key;  // raw Falcon-1024 public key
};

// A CA certificate with its private keys. Secret material: never log or serialise it.
class IssuingCa {
 public:
  // Checks that `ecdsa_key` matches the certificate and, when given, that the Falcon public key
  // equals the certificate's subjectAltPublicKeyInfo. InvalidArgument otherwise.
  static base::Result<IssuingCa> Create(base::ByteSpan cert_der, crypto::EcdsaP256PrivateKey key,
                                        std::optional<FalconKey> falcon);

  IssuingCa(IssuingCa&&) noexcept = default;
  IssuingCa& operator=(IssuingCa&&) noexcept = default;

  const base::Bytes& cert_der() const { return cert_der_; }
  std::string CertPem() const;
  const crypto::EcdsaP256PrivateKey& key() const { return key_; }
  const std::optional<FalconKey>& falcon() const { return falcon_; }
  // Borrowed parsed certificate (read-only).
  X509* cert() const { return cert_.get(); }
  // SHA-256 of the CA's SubjectPublicKeyInfo DER (RFC 6962 issuer_key_hash).
  const base::Bytes& key_hash() const { return key_hash_; }

 private:
  IssuingCa(base::Bytes der, internal::X509Ptr cert, crypto::EcdsaP256PrivateKey key,
            std::optional<FalconKey> falcon, base::Bytes key_hash)
      : cert_der_(std::move(der)),
        cert_(std::move(cert)),
        key_(std::move(key)),
        falcon_(std::move(falcon)),
        key_hash_(std::move(key_hash)) {}

  base::Bytes cert_der_;
  internal::X509Ptr cert_;
  crypto::EcdsaP256PrivateKey key_;
  std::optional<FalconKey> falcon_;
  base::Bytes key_hash_;
};

struct CaCertOptions {
  std::string common_name;                 // 1..64 bytes
  std::string organization = "HyperMesh";  // may be empty (then omitted)
  base::Bytes serial;                      // big-endian, positive, 1..20 bytes
  std::chrono::system_clock::time_point not_before;
  std::chrono::seconds validity{std::chrono::hours(24 * 365 * 20)};
};

// Self-signed root: CA:TRUE (critical), keyCertSign|cRLSign (critical), SKI, and the Falcon key
// in subjectAltPublicKeyInfo, alt-signed by that same Falcon key.
base::Result<base::Bytes> CreateRootCertificate(const crypto::EcdsaP256PrivateKey& key,
                                                const FalconKey& falcon,
                                                const CaCertOptions& options, base::Random& random);

// Intermediate signed by `root`: CA:TRUE pathLen 0, AKI, the subject's Falcon key in
// subjectAltPublicKeyInfo, alt-signed by the root's Falcon key.
base::Result<base::Bytes> CreateIntermediateCertificate(const IssuingCa& root,
                                                        const crypto::EcdsaP256PublicKey& key,
                                                        base::ByteSpan falcon_public_key,
                                                        const CaCertOptions& options,
                                                        base::Random& random);

namespace internal {
// Shared by the leaf issuer: version, serial, validity, subject/issuer, public key.
base::Status SetBasics(X509* x, base::ByteSpan serial, std::chrono::system_clock::time_point nb,
                       std::chrono::seconds validity, X509_NAME* subject, X509_NAME* issuer,
                       EVP_PKEY* subject_key);
base::Status AddSubjectKeyId(X509* x);
base::Status AddAuthorityKeyId(X509* x, X509* issuer);
}  // namespace internal

}  // namespace hm::trustchain::ca
