// ITU-T X.509 (10/2019) alternative signatures with Falcon-1024 (docs/spec/certificates.md):
// the extension OIDs, the PreTBSCertificate, hybrid signing of a certificate under
// construction, and verification of a certificate's Falcon signature.
// Thread-safety: pure functions; thread-safe (each call brings its own Random).
#pragma once

#include <openssl/types.h>

#include <optional>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/falcon/falcon.h"

namespace hm::trustchain::ca {

inline constexpr char kOidSubjectAltPublicKeyInfo[] = "2.5.29.72";
inline constexpr char kOidAltSignatureAlgorithm[] = "2.5.29.73";
inline constexpr char kOidAltSignatureValue[] = "2.5.29.74";
inline constexpr char kOidCtPoison[] = "1.3.6.1.4.1.11129.2.4.3";
inline constexpr char kOidCtSctList[] = "1.3.6.1.4.1.11129.2.4.2";
// CSR attribute carrying an optional Falcon-1024 subject key (HyperMesh arc, .2 = PKI).
inline constexpr char kOidFalconSubjectKeyAttr[] = "2.25.5445952541388287336678472237821206818.2.1";

// The DER PreTBSCertificate of `cert`: its TBSCertificate without the `signature` field and
// without the altSignatureValue, CT poison and SCT list extensions. `cert` is not modified.
base::Result<base::Bytes> PreTbsCertificate(const X509* cert);

// Adds subjectAltPublicKeyInfo (when `subject_falcon_pk` is set; raw Falcon-1024 key) and
// altSignatureAlgorithm to a certificate under construction. InvalidArgument for a bad key.
base::Status AddAltKeyExtensions(X509* cert, const std::optional<base::Bytes>& subject_falcon_pk);

// Signs a certificate that already carries altSignatureAlgorithm: ECDSA-SHA256 once (to fix the
// TBS signature field), then Falcon over the PreTBSCertificate (altSignatureValue appended),
// then ECDSA over the final TBS. Without `falcon`, a plain ECDSA signature.
base::Status SignHybrid(X509* cert, EVP_PKEY* ecdsa_key, const crypto::falcon::SigningKey* falcon,
                        base::Random& random);

// The raw Falcon-1024 key in subjectAltPublicKeyInfo; nullopt if the extension is absent.
// InvalidArgument if it is malformed or repeated.
base::Result<std::optional<base::Bytes>> SubjectAltPublicKey(base::ByteSpan cert_der);

// OK if `cert_der` carries altSignatureAlgorithm = Falcon-1024 and an altSignatureValue that
// verifies under `issuer_falcon_pk` (raw Falcon-1024 key) over the PreTBSCertificate.
// InvalidArgument: malformed certificate or extensions, missing alt signature.
// Unauthenticated: the signature does not verify.
base::Status VerifyAltSignature(base::ByteSpan cert_der, base::ByteSpan issuer_falcon_pk);

}  // namespace hm::trustchain::ca
