#include "trustchain/ca/csr.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "crypto/hybrid/pq_keys.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/internal/ossl.h"

namespace hm::trustchain::ca {
namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE REQUEST-----";

using ExtStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), void (*)(STACK_OF(X509_EXTENSION)*)>;
void FreeExts(STACK_OF(X509_EXTENSION) * s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }

base::Result<internal::X509ReqPtr> ReadPem(std::string_view pem) {
  if (pem.size() > kMaxCsrPemSize) return base::InvalidArgument("CSR larger than 16 KiB");
  const size_t first = pem.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || pem.substr(first, kBegin.size()) != kBegin) {
    return base::InvalidArgument("CSR must be one PEM \"CERTIFICATE REQUEST\" block");
  }
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal::OsslInternal("BIO_new_mem_buf");
  internal::X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) return internal::OsslError(base::Code::kInvalidArgument, "malformed CSR");
  char* rest = nullptr;
  const long rest_len = BIO_get_mem_data(bio.get(), &rest);
  for (long i = 0; i < rest_len; ++i) {
    if (std::string_view(" \t\r\n").find(rest[i]) == std::string_view::npos) {
      return base::InvalidArgument("unexpected data after the CSR PEM block");
    }
  }
  return req;
}

base::Result<SubjectKeyType> CheckKeyType(EVP_PKEY* pkey) {
  const int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_ED25519) return SubjectKeyType::kEd25519;
  if (id == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1) {
      return base::InvalidArgument("EC key without a named curve is not accepted");
    }
    if (std::string_view(group) == "prime256v1") return SubjectKeyType::kEcdsaP256;
    return base::InvalidArgument("EC key on curve " + std::string(group) +
                                 " is not accepted (ECDSA P-256 or Ed25519 only)");
  }
  std::string type;
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
    type = "RSA-" + std::to_string(EVP_PKEY_get_bits(pkey));
  } else {
    const char* name = EVP_PKEY_get0_type_name(pkey);
    type = name != nullptr ? name : "unknown";
  }
  return base::InvalidArgument(type + " key is not accepted (ECDSA P-256 or Ed25519 only)");
}

base::Status AddName(const GENERAL_NAME* gen, ParsedCsr& out) {
  int type = 0;
  const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gen, &type));
  const base::ByteSpan data(ASN1_STRING_get0_data(value),
                            static_cast<size_t>(ASN1_STRING_length(value)));
  if (type == GEN_DNS) {
    out.dns_names.emplace_back(base::AsString(data));
    return base::Status::Ok();
  }
  if (type == GEN_IPADD) {
    if (data.size() == 4) {
      return base::InvalidArgument("SAN IPv4 address rejected; HyperMesh is IPv6-only");
    }
    if (data.size() != 16) return base::InvalidArgument("SAN iPAddress of invalid length");
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(data.begin(), data.begin() + 12, kMapped)) {
      return base::InvalidArgument("SAN IPv4-mapped address rejected; HyperMesh is IPv6-only");
    }
    std::array<uint8_t, 16> addr{};
    std::copy(data.begin(), data.end(), addr.begin());
    out.ip_addresses.push_back(addr);
    return base::Status::Ok();
  }
  return base::InvalidArgument("SAN type " + std::to_string(type) +
                               " rejected (dNSName and iPAddress only)");
}

base::Status ReadNames(X509_REQ* req, ParsedCsr& out) {
  if (X509_REQ_get_attr_by_NID(req, NID_ext_req, -1) < 0) return base::Status::Ok();
  ExtStackPtr exts(X509_REQ_get_extensions(req), FreeExts);
  if (!exts) return internal::OsslError(base::Code::kInvalidArgument, "malformed extensionRequest");
  int crit = 0;
  internal::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, &crit, nullptr)));
  if (crit == -2) return base::InvalidArgument("repeated subjectAltName in CSR");
  if (!names) {
    if (crit == -1) return base::Status::Ok();
    return base::InvalidArgument("malformed subjectAltName in CSR");
  }
  const int n = sk_GENERAL_NAME_num(names.get());
  if (n > static_cast<int>(kMaxCsrNames)) return base::InvalidArgument("more than 32 SAN entries");
  for (int i = 0; i < n; ++i) HM_TRY(AddName(sk_GENERAL_NAME_value(names.get(), i), out));
  return base::Status::Ok();
}

base::Status ReadFalconAttribute(X509_REQ* req, ParsedCsr& out) {
  internal::Asn1ObjectPtr oid = internal::Oid(kOidFalconSubjectKeyAttr);
  const int idx = X509_REQ_get_attr_by_OBJ(req, oid.get(), -1);
  if (idx < 0) return base::Status::Ok();
  if (X509_REQ_get_attr_by_OBJ(req, oid.get(), idx) >= 0) {
    return base::InvalidArgument("repeated Falcon subject key attribute");
  }
  X509_ATTRIBUTE* attr = X509_REQ_get_attr(req, idx);
  if (X509_ATTRIBUTE_count(attr) != 1) {
    return base::InvalidArgument("Falcon subject key attribute must have exactly one value");
  }
  const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
  if (value == nullptr || value->type != V_ASN1_SEQUENCE) {
    return base::InvalidArgument("Falcon subject key attribute is not a SubjectPublicKeyInfo");
  }
  const base::ByteSpan der(ASN1_STRING_get0_data(value->value.sequence),
                           static_cast<size_t>(ASN1_STRING_length(value->value.sequence)));
  auto pk = crypto::hybrid::PublicKeyFromSpkiDer(crypto::hybrid::Algorithm::kFalcon1024, der);
  if (!pk.ok()) return pk.status().WithContext("Falcon subject key attribute");
  out.falcon_public_key = std::move(pk).value();
  return base::Status::Ok();
}

}  // namespace

base::Result<ParsedCsr> ParseCsrPem(std::string_view pem) {
  ERR_clear_error();
  HM_ASSIGN_OR_RETURN(auto req, ReadPem(pem));
  EVP_PKEY* pkey = X509_REQ_get0_pubkey(req.get());
  if (pkey == nullptr) return internal::OsslError(base::Code::kInvalidArgument, "CSR public key");
  ParsedCsr out;
  HM_ASSIGN_OR_RETURN(out.key_type, CheckKeyType(pkey));
  if (X509_REQ_verify(req.get(), pkey) != 1) {
    return internal::OsslError(base::Code::kInvalidArgument, "CSR signature does not verify");
  }
  const int len = i2d_PUBKEY(pkey, nullptr);
  if (len <= 0) return internal::OsslInternal("i2d_PUBKEY");
  out.spki_der.resize(static_cast<size_t>(len));
  unsigned char* p = out.spki_der.data();
  i2d_PUBKEY(pkey, &p);
  HM_TRY(ReadNames(req.get(), out));
  HM_TRY(ReadFalconAttribute(req.get(), out));
  return out;
}

}  // namespace hm::trustchain::ca
