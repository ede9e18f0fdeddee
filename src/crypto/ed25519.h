// Ed25519 signatures (RFC 8032, pure variant) over OpenSSL 3, with raw 32-byte keys and
// PKCS#8 / SubjectPublicKeyInfo PEM encodings (RFC 8410).
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

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SeedSize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

class Ed25519PublicKey {
 public:
  // Raw 32-byte encoding. Only the size is checked here; a non-decodable point fails Verify.
  static base::Result<Ed25519PublicKey> FromRaw(base::ByteSpan raw);
  static base::Result<Ed25519PublicKey> FromSpkiDer(base::ByteSpan der);
  static base::Result<Ed25519PublicKey> FromSpkiPem(std::string_view pem);

  Ed25519PublicKey(const Ed25519PublicKey& other);
  Ed25519PublicKey& operator=(const Ed25519PublicKey& other);
  Ed25519PublicKey(Ed25519PublicKey&&) noexcept = default;
  Ed25519PublicKey& operator=(Ed25519PublicKey&&) noexcept = default;

  const std::array<uint8_t, kEd25519PublicKeySize>& Raw() const { return raw_; }
  base::Bytes ToSpkiDer() const;
  std::string ToSpkiPem() const;

  // OK if `sig` verifies. InvalidArgument if it is not 64 bytes; Unauthenticated otherwise.
  base::Status Verify(base::ByteSpan msg, base::ByteSpan sig) const;

  // Borrowed, read-only OpenSSL key.
  EVP_PKEY* evp_pkey() const { return pkey_.get(); }

  bool operator==(const Ed25519PublicKey& other) const { return raw_ == other.raw_; }

 private:
  Ed25519PublicKey(EvpPkeyPtr pkey, const std::array<uint8_t, kEd25519PublicKeySize>& raw);

  EvpPkeyPtr pkey_;
  std::array<uint8_t, kEd25519PublicKeySize> raw_;
};

class Ed25519PrivateKey {
 public:
  static Ed25519PrivateKey Generate();
  // The 32-byte secret seed of RFC 8032 §5.1.5. InvalidArgument unless 32 bytes.
  static base::Result<Ed25519PrivateKey> FromSeed(base::ByteSpan seed);
  // Unencrypted PKCS#8 (PEM "PRIVATE KEY" or DER) holding an Ed25519 key.
  static base::Result<Ed25519PrivateKey> FromPkcs8Pem(std::string_view pem);
  static base::Result<Ed25519PrivateKey> FromPkcs8Der(base::ByteSpan der);

  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept = default;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept = default;
  Ed25519PrivateKey(const Ed25519PrivateKey&) = delete;
  Ed25519PrivateKey& operator=(const Ed25519PrivateKey&) = delete;

  // Secret material: write it with WriteSecretFile, never log it.
  std::string ToPkcs8Pem() const;
  base::Bytes ToPkcs8Der() const;

  // Deterministic signature (RFC 8032).
  std::array<uint8_t, kEd25519SignatureSize> Sign(base::ByteSpan msg) const;

  const Ed25519PublicKey& PublicKey() const { return public_; }

  EVP_PKEY* evp_pkey() const { return pkey_.get(); }

 private:
  Ed25519PrivateKey(EvpPkeyPtr pkey, Ed25519PublicKey pub);
  static base::Result<Ed25519PrivateKey> FromPkey(EvpPkeyPtr pkey);

  EvpPkeyPtr pkey_;
  Ed25519PublicKey public_;
};

}  // namespace hm::crypto
