// Internal to hm_trustchain_ca: RAII owners for the OpenSSL X.509 / OCSP objects the CA uses,
// and small DER helpers. Not part of the public API.
// Thread-safety: helpers touch only OpenSSL's per-thread error queue.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/ossl_ptr.h"
#include "crypto/pem.h"

namespace hm::trustchain::ca::internal {

template <auto kFree>
using Deleter = crypto::OsslFree<kFree>;

using X509Ptr = std::unique_ptr<X509, Deleter<&X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, Deleter<&X509_REQ_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, Deleter<&X509_CRL_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<&X509_EXTENSION_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<&X509_NAME_free>>;
using X509AlgorPtr = std::unique_ptr<X509_ALGOR, Deleter<&X509_ALGOR_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, Deleter<&X509_REVOKED_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, Deleter<&ASN1_OBJECT_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, Deleter<&ASN1_OCTET_STRING_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, Deleter<&ASN1_BIT_STRING_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<&ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, Deleter<&ASN1_TIME_free>>;
using Asn1EnumPtr = std::unique_ptr<ASN1_ENUMERATED, Deleter<&ASN1_ENUMERATED_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<&GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<&GENERAL_NAME_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Deleter<&BASIC_CONSTRAINTS_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, Deleter<&AUTHORITY_KEYID_free>>;
using AiaPtr = std::unique_ptr<AUTHORITY_INFO_ACCESS, Deleter<&AUTHORITY_INFO_ACCESS_free>>;
using CrlDistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, Deleter<&CRL_DIST_POINTS_free>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<&EXTENDED_KEY_USAGE_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<&BN_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, Deleter<&OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, Deleter<&OCSP_RESPONSE_free>>;
using OcspBasicRespPtr = std::unique_ptr<OCSP_BASICRESP, Deleter<&OCSP_BASICRESP_free>>;
using OcspCertIdPtr = std::unique_ptr<OCSP_CERTID, Deleter<&OCSP_CERTID_free>>;

// Status `code` with "<what>: <drained OpenSSL error queue>".
base::Status OsslError(base::Code code, std::string_view what);
inline base::Status OsslInternal(std::string_view what) {
  return OsslError(base::Code::kInternal, what);
}

// Object identifier from dotted text (no name lookup). Null only on malformed text (a bug).
Asn1ObjectPtr Oid(const char* dotted);

// DER of a certificate / CRL; empty on failure (callers check).
base::Bytes CertDer(X509* x);
// Parses exactly one DER certificate (no trailing bytes). InvalidArgument otherwise.
base::Result<X509Ptr> ParseCertDer(base::ByteSpan der);

using crypto::DerToPem;  // PEM text of DER (crypto/pem.h)

// Appends a non-standard extension whose extnValue content is `value_der`.
base::Status AddExtension(X509* x, const char* oid, bool critical, base::ByteSpan value_der);
// Removes every extension with `oid` (no-op if absent).
void DeleteExtensions(X509* x, const char* oid);
// The extnValue content of the only extension with `oid`: NotFound if absent, InvalidArgument if
// repeated.
base::Result<base::ByteSpan> FindExtension(const X509* x, const char* oid);

// Serial from big-endian bytes: 1..20 octets, positive (top bit clear), non-zero.
base::Result<Asn1IntegerPtr> SerialFromBytes(base::ByteSpan serial);
// Minimal big-endian magnitude of a non-negative INTEGER.
base::Bytes SerialToBytes(const ASN1_INTEGER* serial);

// Seconds-precision time; UTCTime before 2050, GeneralizedTime after (RFC 5280).
base::Result<Asn1TimePtr> MakeTime(std::chrono::system_clock::time_point t);

}  // namespace hm::trustchain::ca::internal
