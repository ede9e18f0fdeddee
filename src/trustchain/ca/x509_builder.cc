#include "trustchain/ca/x509_builder.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "trustchain/ca/alt_signature.h"

namespace hm::trustchain::ca {
namespace internal {

base::Status SetBasics(X509* x, base::ByteSpan serial, std::chrono::system_clock::time_point nb,
                       std::chrono::seconds validity, X509_NAME* subject, X509_NAME* issuer,
                       EVP_PKEY* subject_key) {
  if (validity.count() <= 0) return base::InvalidArgument("validity must be positive");
  HM_ASSIGN_OR_RETURN(auto sn, SerialFromBytes(serial));
  HM_ASSIGN_OR_RETURN(auto not_before, MakeTime(nb));
  HM_ASSIGN_OR_RETURN(auto not_after, MakeTime(nb + validity));
  const bool ok =
      X509_set_version(x, X509_VERSION_3) == 1 && X509_set_serialNumber(x, sn.get()) == 1 &&
      X509_set1_notBefore(x, not_before.get()) == 1 &&
      X509_set1_notAfter(x, not_after.get()) == 1 && X509_set_subject_name(x, subject) == 1 &&
      X509_set_issuer_name(x, issuer) == 1 && X509_set_pubkey(x, subject_key) == 1;
  if (!ok) return OsslInternal("setting certificate fields");
  return base::Status::Ok();
}

base::Status AddSubjectKeyId(X509* x) {
  unsigned char id[EVP_MAX_MD_SIZE];
  unsigned int id_len = 0;
  Asn1OctetStringPtr ski(ASN1_OCTET_STRING_new());
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING.
  if (!ski || X509_pubkey_digest(x, EVP_sha1(), id, &id_len) != 1 ||
      ASN1_OCTET_STRING_set(ski.get(), id, static_cast<int>(id_len)) != 1 ||
      X509_add1_ext_i2d(x, NID_subject_key_identifier, ski.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OsslInternal("subjectKeyIdentifier");
  }
  return base::Status::Ok();
}

base::Status AddAuthorityKeyId(X509* x, X509* issuer) {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(issuer);
  if (ski == nullptr)
    return base::InvalidArgument("issuer certificate has no subjectKeyIdentifier");
  AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
  if (!akid) return OsslInternal("AUTHORITY_KEYID_new");
  akid->keyid = ASN1_OCTET_STRING_dup(ski);
  if (akid->keyid == nullptr ||
      X509_add1_ext_i2d(x, NID_authority_key_identifier, akid.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OsslInternal("authorityKeyIdentifier");
  }
  return base::Status::Ok();
}

}  // namespace internal

namespace {

base::Result<internal::X509NamePtr> CaName(const CaCertOptions& o) {
  if (o.common_name.empty() || o.common_name.size() > 64) {
    return base::InvalidArgument("CA common_name must be 1..64 bytes");
  }
  if (o.organization.size() > 64) return base::InvalidArgument("organization over 64 bytes");
  internal::X509NamePtr name(X509_NAME_new());
  auto add = [&](int nid, const std::string& v) {
    return X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(v.data()),
                                      static_cast<int>(v.size()), -1, 0) == 1;
  };
  if (!name || (!o.organization.empty() && !add(NID_organizationName, o.organization)) ||
      !add(NID_commonName, o.common_name)) {
    return internal::OsslError(base::Code::kInvalidArgument, "CA name");
  }
  return name;
}

base::Status AddCaExtensions(X509* x, int path_len) {
  internal::BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  internal::Asn1BitStringPtr ku(ASN1_BIT_STRING_new());
  if (!bc || !ku) return internal::OsslInternal("CA extensions");
  bc->ca = 1;
  if (path_len >= 0) {
    bc->pathlen = ASN1_INTEGER_new();
    if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, path_len) != 1) {
      return internal::OsslInternal("pathLenConstraint");
    }
  }
  const bool ok =
      ASN1_BIT_STRING_set_bit(ku.get(), 5, 1) == 1 &&  // keyCertSign
      ASN1_BIT_STRING_set_bit(ku.get(), 6, 1) == 1 &&  // cRLSign
      X509_add1_ext_i2d(x, NID_basic_constraints, bc.get(), 1, X509V3_ADD_DEFAULT) == 1 &&
      X509_add1_ext_i2d(x, NID_key_usage, ku.get(), 1, X509V3_ADD_DEFAULT) == 1;
  if (!ok) return internal::OsslInternal("CA extensions");
  return internal::AddSubjectKeyId(x);
}

base::Result<base::Bytes> Finish(X509* x) {
  base::Bytes der = internal::CertDer(x);
  if (der.empty()) return internal::OsslInternal("i2d_X509");
  return der;
}

}  // namespace

base::Result<IssuingCa> IssuingCa::Create(base::ByteSpan cert_der, crypto::EcdsaP256PrivateKey key,
                                          std::optional<FalconKey> falcon) {
  HM_ASSIGN_OR_RETURN(auto x, internal::ParseCertDer(cert_der));
  if (X509_check_private_key(x.get(), key.evp_pkey()) != 1) {
    return internal::OsslError(base::Code::kInvalidArgument,
                               "ECDSA key does not match the CA certificate");
  }
  if (falcon.has_value()) {
    HM_ASSIGN_OR_RETURN(auto alt_pk, SubjectAltPublicKey(cert_der));
    if (!alt_pk.has_value() || *alt_pk != falcon->public_key) {
      return base::InvalidArgument("Falcon key does not match subjectAltPublicKeyInfo");
    }
  }
  const base::Bytes spki = key.PublicKey().ToSpkiDer();
  base::Bytes hash(32);
  unsigned int hash_len = 0;
  if (EVP_Digest(spki.data(), spki.size(), hash.data(), &hash_len, EVP_sha256(), nullptr) != 1) {
    return internal::OsslInternal("SHA-256");
  }
  return IssuingCa(base::Bytes(cert_der.begin(), cert_der.end()), std::move(x), std::move(key),
                   std::move(falcon), std::move(hash));
}

std::string IssuingCa::CertPem() const { return internal::DerToPem(cert_der_, "CERTIFICATE"); }

base::Result<base::Bytes> CreateRootCertificate(const crypto::EcdsaP256PrivateKey& key,
                                                const FalconKey& falcon,
                                                const CaCertOptions& options,
                                                base::Random& random) {
  HM_ASSIGN_OR_RETURN(auto name, CaName(options));
  internal::X509Ptr x(X509_new());
  if (!x) return internal::OsslInternal("X509_new");
  HM_TRY(internal::SetBasics(x.get(), options.serial, options.not_before, options.validity,
                             name.get(), name.get(), key.PublicKey().evp_pkey()));
  HM_TRY(AddCaExtensions(x.get(), -1));
  HM_TRY(AddAltKeyExtensions(x.get(), falcon.public_key));
  HM_TRY(SignHybrid(x.get(), key.evp_pkey(), &falcon.signing, random));
  return Finish(x.get());
}

base::Result<base::Bytes> CreateIntermediateCertificate(const IssuingCa& root,
                                                        const crypto::EcdsaP256PublicKey& key,
                                                        base::ByteSpan falcon_public_key,
                                                        const CaCertOptions& options,
                                                        base::Random& random) {
  HM_ASSIGN_OR_RETURN(auto name, CaName(options));
  internal::X509Ptr x(X509_new());
  if (!x) return internal::OsslInternal("X509_new");
  HM_TRY(internal::SetBasics(x.get(), options.serial, options.not_before, options.validity,
                             name.get(), X509_get_subject_name(root.cert()), key.evp_pkey()));
  HM_TRY(AddCaExtensions(x.get(), 0));
  HM_TRY(internal::AddAuthorityKeyId(x.get(), root.cert()));
  HM_TRY(AddAltKeyExtensions(x.get(),
                             base::Bytes(falcon_public_key.begin(), falcon_public_key.end())));
  const auto* signer = root.falcon().has_value() ? &root.falcon()->signing : nullptr;
  HM_TRY(SignHybrid(x.get(), root.key().evp_pkey(), signer, random));
  return Finish(x.get());
}

}  // namespace hm::trustchain::ca
