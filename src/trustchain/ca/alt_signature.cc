#include "trustchain/ca/alt_signature.h"

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include <vector>

#include "crypto/hybrid/pq_keys.h"
#include "trustchain/ca/internal/ossl.h"

namespace hm::trustchain::ca {
namespace {

using crypto::hybrid::Algorithm;
namespace falcon = crypto::falcon;

// DER AlgorithmIdentifier { falcon1024 } with absent parameters.
base::Result<base::Bytes> FalconAlgorithmIdentifier() {
  internal::X509AlgorPtr alg(X509_ALGOR_new());
  internal::Asn1ObjectPtr oid =
      internal::Oid(std::string(crypto::hybrid::AlgorithmOid(Algorithm::kFalcon1024)).c_str());
  if (!alg || !oid || X509_ALGOR_set0(alg.get(), oid.get(), V_ASN1_UNDEF, nullptr) != 1) {
    return internal::OsslInternal("altSignatureAlgorithm");
  }
  (void)oid.release();  // owned by alg
  const int len = i2d_X509_ALGOR(alg.get(), nullptr);
  if (len <= 0) return internal::OsslInternal("altSignatureAlgorithm");
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_X509_ALGOR(alg.get(), &p);
  return der;
}

struct Tlv {
  size_t offset;  // of the identifier octet
  size_t size;    // whole element
};

// Splits the content of the outer SEQUENCE of `der` into its elements (definite lengths only).
base::Result<std::vector<Tlv>> SplitSequence(base::ByteSpan der) {
  const unsigned char* p = der.data();
  long len = 0;
  int tag = 0;
  int xclass = 0;
  int ret = ASN1_get_object(&p, &len, &tag, &xclass, static_cast<long>(der.size()));
  if ((ret & 0x80) != 0 || ret != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE ||
      p + len != der.data() + der.size()) {
    return base::InvalidArgument("TBSCertificate is not one DER SEQUENCE");
  }
  std::vector<Tlv> out;
  const unsigned char* end = p + len;
  while (p < end) {
    const unsigned char* start = p;
    long inner = 0;
    ret = ASN1_get_object(&p, &inner, &tag, &xclass, end - p);
    if ((ret & 0x80) != 0 || ret == 0x21) return base::InvalidArgument("malformed TBS element");
    p += inner;
    out.push_back({static_cast<size_t>(start - der.data()), static_cast<size_t>(p - start)});
  }
  return out;
}

// Removes the `signature` AlgorithmIdentifier (after the optional [0] version and the serial).
base::Result<base::Bytes> DropSignatureField(base::ByteSpan tbs) {
  HM_ASSIGN_OR_RETURN(auto elements, SplitSequence(tbs));
  const size_t sig_index = (!elements.empty() && tbs[elements[0].offset] == 0xA0) ? 2 : 1;
  if (elements.size() <= sig_index) return base::InvalidArgument("TBSCertificate too short");
  base::Bytes content;
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i == sig_index) continue;
    const auto* b = tbs.data() + elements[i].offset;
    content.insert(content.end(), b, b + elements[i].size);
  }
  const int total = ASN1_object_size(1, static_cast<int>(content.size()), V_ASN1_SEQUENCE);
  base::Bytes out(static_cast<size_t>(total));
  unsigned char* p = out.data();
  ASN1_put_object(&p, 1, static_cast<int>(content.size()), V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
  std::copy(content.begin(), content.end(), p);
  return out;
}

base::Result<base::Bytes> TbsDer(X509* x) {
  const int len = i2d_re_X509_tbs(x, nullptr);
  if (len <= 0) return internal::OsslInternal("encoding TBSCertificate");
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_re_X509_tbs(x, &p);
  return der;
}

base::Result<base::Bytes> BitStringDer(base::ByteSpan content) {
  internal::Asn1BitStringPtr bs(ASN1_BIT_STRING_new());
  if (!bs || ASN1_BIT_STRING_set(bs.get(), const_cast<uint8_t*>(content.data()),
                                 static_cast<int>(content.size())) != 1) {
    return internal::OsslInternal("altSignatureValue");
  }
  // Force "0 unused bits": otherwise OpenSSL trims trailing zero bits of the signature.
  bs->flags &= ~0x07L;
  bs->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  const int len = i2d_ASN1_BIT_STRING(bs.get(), nullptr);
  if (len <= 0) return internal::OsslInternal("altSignatureValue");
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_ASN1_BIT_STRING(bs.get(), &p);
  return der;
}

}  // namespace

base::Result<base::Bytes> PreTbsCertificate(const X509* cert) {
  internal::X509Ptr copy(X509_dup(cert));
  if (!copy) return internal::OsslInternal("X509_dup");
  for (const char* oid : {kOidAltSignatureValue, kOidCtPoison, kOidCtSctList}) {
    internal::DeleteExtensions(copy.get(), oid);
  }
  HM_ASSIGN_OR_RETURN(auto tbs, TbsDer(copy.get()));
  return DropSignatureField(tbs);
}

base::Status AddAltKeyExtensions(X509* cert, const std::optional<base::Bytes>& subject_falcon_pk) {
  if (subject_falcon_pk.has_value()) {
    HM_TRY(crypto::hybrid::CheckPublicKey(Algorithm::kFalcon1024, *subject_falcon_pk));
    HM_ASSIGN_OR_RETURN(
        auto spki, crypto::hybrid::PublicKeyToSpkiDer(Algorithm::kFalcon1024, *subject_falcon_pk));
    HM_TRY(internal::AddExtension(cert, kOidSubjectAltPublicKeyInfo, false, spki));
  }
  HM_ASSIGN_OR_RETURN(auto alg, FalconAlgorithmIdentifier());
  return internal::AddExtension(cert, kOidAltSignatureAlgorithm, false, alg);
}

base::Status SignHybrid(X509* cert, EVP_PKEY* ecdsa_key, const falcon::SigningKey* falcon_key,
                        base::Random& random) {
  if (X509_sign(cert, ecdsa_key, EVP_sha256()) <= 0) return internal::OsslInternal("X509_sign");
  if (falcon_key == nullptr) return base::Status::Ok();
  internal::DeleteExtensions(cert, kOidAltSignatureValue);
  HM_ASSIGN_OR_RETURN(auto pre, PreTbsCertificate(cert));
  HM_ASSIGN_OR_RETURN(auto sig, falcon_key->Sign(pre, random));
  HM_ASSIGN_OR_RETURN(auto value, BitStringDer(sig));
  // altSignatureValue goes before any CT extension so those stay last (certificates.md).
  HM_TRY(internal::AddExtension(cert, kOidAltSignatureValue, false, value));
  if (X509_sign(cert, ecdsa_key, EVP_sha256()) <= 0) return internal::OsslInternal("X509_sign");
  return base::Status::Ok();
}

base::Result<std::optional<base::Bytes>> SubjectAltPublicKey(base::ByteSpan cert_der) {
  HM_ASSIGN_OR_RETURN(auto x, internal::ParseCertDer(cert_der));
  auto ext = internal::FindExtension(x.get(), kOidSubjectAltPublicKeyInfo);
  if (!ext.ok()) {
    if (ext.status().code() == base::Code::kNotFound) return std::optional<base::Bytes>();
    return ext.status();
  }
  HM_ASSIGN_OR_RETURN(auto raw, crypto::hybrid::PublicKeyFromSpkiDer(Algorithm::kFalcon1024, *ext));
  return std::optional<base::Bytes>(std::move(raw));
}

base::Status VerifyAltSignature(base::ByteSpan cert_der, base::ByteSpan issuer_falcon_pk) {
  HM_ASSIGN_OR_RETURN(auto x, internal::ParseCertDer(cert_der));
  auto alg = internal::FindExtension(x.get(), kOidAltSignatureAlgorithm);
  if (!alg.ok()) return base::InvalidArgument(std::string(alg.status().message()));
  HM_ASSIGN_OR_RETURN(auto want_alg, FalconAlgorithmIdentifier());
  if (!std::equal(alg->begin(), alg->end(), want_alg.begin(), want_alg.end())) {
    return base::InvalidArgument("altSignatureAlgorithm is not Falcon-1024");
  }
  auto value = internal::FindExtension(x.get(), kOidAltSignatureValue);
  if (!value.ok()) return base::InvalidArgument(std::string(value.status().message()));
  const unsigned char* p = value->data();
  internal::Asn1BitStringPtr bs(d2i_ASN1_BIT_STRING(nullptr, &p, static_cast<long>(value->size())));
  if (!bs || p != value->data() + value->size() || (bs->flags & 0x07) != 0) {
    return base::InvalidArgument("altSignatureValue is not a BIT STRING with 0 unused bits");
  }
  HM_ASSIGN_OR_RETURN(auto pre, PreTbsCertificate(x.get()));
  const base::ByteSpan sig(ASN1_STRING_get0_data(bs.get()),
                           static_cast<size_t>(ASN1_STRING_length(bs.get())));
  return falcon::Verify(falcon::Variant::kFalcon1024, issuer_falcon_pk, pre, sig)
      .WithContext("altSignatureValue");
}

}  // namespace hm::trustchain::ca
