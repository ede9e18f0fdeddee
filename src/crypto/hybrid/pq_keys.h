// Key encodings for HyperMesh's signature and KEM algorithms (docs/spec/crypto.md): raw bytes,
// DER SubjectPublicKeyInfo / PKCS#8 PrivateKeyInfo with their OIDs, and PEM. Parsers are strict
// (exact OIDs, absent parameters, exact lengths, no trailing bytes).
// Thread-safety: pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/falcon/falcon.h"
#include "crypto/mlkem/mlkem.h"

namespace hm::crypto::hybrid {

enum class Algorithm : uint8_t {
  kEcdsaP256,
  kFalcon512,
  kFalcon1024,
  kMlKem512,
  kMlKem768,
  kMlKem1024,
  kHybridSig,  // ECDSA P-256 + Falcon-1024 (hybrid_sig.h)
  kHybridKem,  // X25519 + ML-KEM-1024 (hybrid_kem.h)
};

inline constexpr Algorithm kAllAlgorithms[] = {
    Algorithm::kEcdsaP256, Algorithm::kFalcon512, Algorithm::kFalcon1024, Algorithm::kMlKem512,
    Algorithm::kMlKem768,  Algorithm::kMlKem1024, Algorithm::kHybridSig,  Algorithm::kHybridKem};

// Display name, e.g. "Falcon-1024", "ECDSA-P256+Falcon-1024".
std::string_view AlgorithmName(Algorithm a);
// The algorithm OID in dotted form (for ECDSA: id-ecPublicKey; the curve is the parameter).
std::string_view AlgorithmOid(Algorithm a);
bool IsSignatureAlgorithm(Algorithm a);
bool IsKemAlgorithm(Algorithm a);

falcon::Variant FalconVariant(Algorithm a);  // precondition: a Falcon algorithm
mlkem::Params MlKemParams(Algorithm a);      // precondition: an ML-KEM algorithm

// Sizes of the raw encodings (the "raw" key files):
//   ECDSA P-256   public = SEC 1 uncompressed point (65), secret = big-endian scalar (32)
//   Falcon-n      public / secret key as in the round-3 spec (897 / 1281, 1793 / 2305)
//   ML-KEM-k      public = ek, secret = expanded dk (FIPS 203)
//   hybrids       see hybrid_sig.h and hybrid_kem.h
size_t RawPublicKeySize(Algorithm a);
size_t RawSecretKeySize(Algorithm a);

// Validity of raw keys beyond their size: a point on the curve, Falcon headers and coefficient
// ranges, the ML-KEM modulus (7.2) and hash (7.3) checks, the P-256 scalar range, Falcon secret
// keys that decode. InvalidArgument with a reason.
base::Status CheckPublicKey(Algorithm a, base::ByteSpan raw);
base::Status CheckSecretKey(Algorithm a, base::ByteSpan raw);
// The raw public key of a raw secret key (checks the secret key first).
base::Result<base::Bytes> PublicKeyFromSecretKey(Algorithm a, base::ByteSpan raw_secret);

// ---- SubjectPublicKeyInfo (RFC 5280) ----

// SEQUENCE { SEQUENCE { OID [, curve OID for ECDSA] }, BIT STRING raw-public-key }.
// InvalidArgument if `raw` has the wrong size (its content is not checked).
base::Result<base::Bytes> PublicKeyToSpkiDer(Algorithm a, base::ByteSpan raw);

struct SpkiContents {
  Algorithm algorithm;
  base::Bytes public_key;  // raw encoding, size checked, content NOT checked
};
// Structure only: a known OID, parameters exactly as specified, zero unused bits, the exact raw
// size, no trailing bytes. Callers that use the key call CheckPublicKey next.
base::Result<SpkiContents> ParseSpkiDer(base::ByteSpan der);
// ParseSpkiDer + the algorithm must be `expected` + CheckPublicKey.
base::Result<base::Bytes> PublicKeyFromSpkiDer(Algorithm expected, base::ByteSpan der);

std::string PublicKeyToPem(Algorithm a, base::ByteSpan raw);  // precondition: raw size is right
base::Result<SpkiContents> ParseSpkiPem(std::string_view pem);
base::Result<base::Bytes> PublicKeyFromPem(Algorithm expected, std::string_view pem);

// ---- PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 5958 version 0) ----

// Version 0, no attributes, no public key. The privateKey OCTET STRING holds:
//   ECDSA P-256  RFC 5915 ECPrivateKey (as OpenSSL writes it)
//   Falcon-n     OCTET STRING (secret key || public key)      -- the oqs-provider layout
//   ML-KEM-k     expandedKey OCTET STRING (dk) from this call; see MlKemSeedToPkcs8Der
//   hybrids      the raw secret-key layout
// InvalidArgument if `raw_secret` is not a valid secret key.
base::Result<base::Bytes> SecretKeyToPkcs8Der(Algorithm a, base::ByteSpan raw_secret);
// ML-KEM in the seed form: privateKey = [0] IMPLICIT OCTET STRING (d || z, 64 bytes).
base::Result<base::Bytes> MlKemSeedToPkcs8Der(Algorithm a, base::ByteSpan seed);

// The algorithm named by a PKCS#8 structure (structure up to the OID only; for messages).
base::Result<Algorithm> Pkcs8Algorithm(base::ByteSpan der);
// Full strict parse; returns the raw secret key (for ML-KEM the expanded dk, expanding a seed).
// Accepts for ML-KEM the seed, expandedKey and both forms of draft-ietf-lamps-kyber-certificates
// (both: the dk must equal the seed's expansion); for Falcon the public key must match.
base::Result<base::Bytes> SecretKeyFromPkcs8Der(Algorithm expected, base::ByteSpan der);

base::Result<std::string> SecretKeyToPem(Algorithm a, base::ByteSpan raw_secret);
base::Result<std::string> MlKemSeedToPem(Algorithm a, base::ByteSpan seed);
base::Result<base::Bytes> SecretKeyFromPem(Algorithm expected, std::string_view pem);

// A Falcon-1024 signing key read from a PKCS#8 PEM secret-key file (crypto::ReadSecretFile: mode
// checked), with its public key. Every copy of the secret is wiped. Errors name the path.
struct Falcon1024KeyFile {
  falcon::SigningKey signing;
  base::Bytes public_key;
};
base::Result<Falcon1024KeyFile> LoadFalcon1024KeyFile(const std::string& path);

}  // namespace hm::crypto::hybrid
