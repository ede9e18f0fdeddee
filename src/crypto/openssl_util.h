// Internal to hm_crypto: RAII owners for OpenSSL objects and error-queue helpers.
// Not part of the public API; other layers should not include this header.
// Thread-safety: the helpers touch only OpenSSL's per-thread error queue.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/pem.h"
#include "crypto/evp_pkey.h"

namespace hm::crypto::internal {

template <auto kFree>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

using PkeyPtr = EvpPkeyPtr;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<&EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<&EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OsslDeleter<&EVP_CIPHER_CTX_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OsslDeleter<&EVP_KDF_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OsslDeleter<&BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, OsslDeleter<&BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslDeleter<&ECDSA_SIG_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<&X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OsslDeleter<&X509_NAME_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OsslDeleter<&ASN1_INTEGER_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, OsslDeleter<&ASN1_BIT_STRING_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OsslDeleter<&ASN1_OCTET_STRING_free>>;
using BasicConstraintsPtr =
    std::unique_ptr<BASIC_CONSTRAINTS, OsslDeleter<&BASIC_CONSTRAINTS_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OsslDeleter<&GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OsslDeleter<&GENERAL_NAME_free>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, OsslDeleter<&EXTENDED_KEY_USAGE_free>>;
using PkcsInfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, OsslDeleter<&PKCS8_PRIV_KEY_INFO_free>>;

// Drains this thread's OpenSSL error queue into one line ("lib:reason; ..."), or
// "no OpenSSL error detail" when it is empty. Call at the point of failure.
std::string DrainErrors();

// Builds a Status of `code` with message "<what>: <drained OpenSSL errors>".
base::Status OsslError(base::Code code, std::string_view what);

// Clears stale errors left by earlier calls on this thread; every public entry point that
// may fail calls this first so messages describe only the current failure.
inline void ClearErrors() { ERR_clear_error(); }

// Reads a PEM block with exactly `label` (e.g. "PUBLIC KEY") and no encryption headers,
// returning its DER body. Rejections are InvalidArgument.
base::Result<base::Bytes> PemToDer(std::string_view pem, std::string_view label);

// Wraps DER in a PEM block with `label` (the public crypto::DerToPem).
using crypto::DerToPem;

// DER SubjectPublicKeyInfo <-> EVP_PKEY. Parsing rejects (InvalidArgument) malformed input and
// trailing bytes; callers still check the key type.
base::Result<PkeyPtr> ParseSpkiDer(base::ByteSpan der);
base::Bytes SpkiDer(EVP_PKEY* pkey);

// Unencrypted PKCS#8 PrivateKeyInfo DER <-> EVP_PKEY, same rules.
base::Result<PkeyPtr> ParsePkcs8Der(base::ByteSpan der);
base::Bytes Pkcs8Der(EVP_PKEY* pkey);

// Copies a memory BIO's contents into a string.
std::string BioToString(BIO* bio);

// Wipes a string or byte vector that held secret material.
void Cleanse(std::string& s);
void Cleanse(base::Bytes& b);

}  // namespace hm::crypto::internal
