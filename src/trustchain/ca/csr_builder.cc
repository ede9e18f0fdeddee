#include "trustchain/ca/csr_builder.h"

#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "crypto/hybrid/pq_keys.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/csr.h"
#include "trustchain/ca/internal/ossl.h"
#include "trustchain/ca/issuer.h"

namespace hm::trustchain::ca {
namespace {

using ExtStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), void (*)(STACK_OF(X509_EXTENSION)*)>;
void FreeExts(STACK_OF(X509_EXTENSION) * s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }

// Returns true for Ed25519 (signed without a digest); InvalidArgument for anything but P-256.
base::Result<bool> IsEd25519(EVP_PKEY* key) {
  if (key == nullptr) return base::InvalidArgument("no key to sign the CSR with");
  const int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_ED25519) return true;
  if (id == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) == 1 &&
        std::string_view(group) == "prime256v1") {
      return false;
    }
  }
  const char* name = EVP_PKEY_get0_type_name(key);
  return base::InvalidArgument(std::string(name != nullptr ? name : "unknown") +
                               " key cannot request a certificate (ECDSA P-256 or Ed25519 only)");
}

base::Result<std::array<uint8_t, 16>> ParseIpv6(const std::string& text) {
  std::array<uint8_t, 16> addr{};
  if (inet_pton(AF_INET6, text.c_str(), addr.data()) != 1) {
    uint8_t v4[4];
    if (inet_pton(AF_INET, text.c_str(), v4) == 1) {
      return base::InvalidArgument("IPv4 address " + text + " rejected; HyperMesh is IPv6-only");
    }
    return base::InvalidArgument("\"" + text + "\" is not an IPv6 address");
  }
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(addr.begin(), addr.begin() + 12, kMapped)) {
    return base::InvalidArgument("IPv4-mapped address " + text +
                                 " rejected; HyperMesh is IPv6-only");
  }
  return addr;
}

base::Status PushName(GENERAL_NAMES* names, int type, base::ByteSpan value) {
  internal::GeneralNamePtr gen(GENERAL_NAME_new());
  // dNSName is an IA5String and iPAddress an OCTET STRING; both are ASN1_STRING underneath.
  ASN1_STRING* s = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
  if (!gen || s == nullptr ||
      ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1) {
    ASN1_STRING_free(s);
    return internal::OsslInternal("building a subjectAltName entry");
  }
  GENERAL_NAME_set0_value(gen.get(), type, s);
  if (sk_GENERAL_NAME_push(names, gen.get()) <= 0) {
    return internal::OsslInternal("sk_GENERAL_NAME_push");
  }
  gen.release();  // now owned by `names`
  return base::Status::Ok();
}

// Fills `names` and returns the subject CN.
base::Result<std::string> BuildNames(const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ipv6_addresses,
                                     GENERAL_NAMES* names) {
  if (dns_names.empty() && ipv6_addresses.empty()) {
    return base::InvalidArgument("a CSR needs at least one DNS name or IPv6 address");
  }
  if (dns_names.size() + ipv6_addresses.size() > kMaxCsrNames) {
    return base::InvalidArgument("more than " + std::to_string(kMaxCsrNames) + " names");
  }
  // The CA's own syntax check (policy aside): a bad name fails here, not at the node.
  const NamePolicy syntax_only{.allowed_zones = {}, .allow_any = true};
  std::string common_name;
  for (const auto& name : dns_names) {
    HM_ASSIGN_OR_RETURN(std::string checked, CheckDnsName(name, syntax_only));
    HM_TRY(PushName(names, GEN_DNS, base::AsBytes(checked)));
    if (common_name.empty()) common_name = checked;
  }
  for (const auto& text : ipv6_addresses) {
    HM_ASSIGN_OR_RETURN(auto addr, ParseIpv6(text));
    HM_TRY(PushName(names, GEN_IPADD, addr));
    if (common_name.empty()) common_name = text;
  }
  return common_name;
}

base::Status AddSubject(X509_REQ* req, const std::string& common_name) {
  X509_NAME* subject = X509_REQ_get_subject_name(req);
  // CN is at most 64 characters (RFC 5280 ub-common-name); longer names live only in the SAN.
  const std::string cn = common_name.substr(0, 64);
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1) {
    return internal::OsslInternal("setting the CSR subject");
  }
  return base::Status::Ok();
}

base::Status AddSanRequest(X509_REQ* req, GENERAL_NAMES* names) {
  ExtStackPtr exts(sk_X509_EXTENSION_new_null(), FreeExts);
  internal::X509ExtPtr ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, names));
  if (!exts || !ext || sk_X509_EXTENSION_push(exts.get(), ext.get()) <= 0) {
    return internal::OsslInternal("building the subjectAltName extension");
  }
  ext.release();  // now owned by `exts`
  if (X509_REQ_add_extensions(req, exts.get()) != 1) {
    return internal::OsslInternal("X509_REQ_add_extensions");
  }
  return base::Status::Ok();
}

base::Status AddFalconAttribute(X509_REQ* req, const base::Bytes& falcon_public_key) {
  namespace hy = crypto::hybrid;
  if (auto s = hy::CheckPublicKey(hy::Algorithm::kFalcon1024, falcon_public_key); !s.ok()) {
    return s.WithContext("Falcon-1024 subject key");
  }
  HM_ASSIGN_OR_RETURN(base::Bytes spki,
                      hy::PublicKeyToSpkiDer(hy::Algorithm::kFalcon1024, falcon_public_key));
  internal::Asn1ObjectPtr oid = internal::Oid(kOidFalconSubjectKeyAttr);
  if (!oid) return internal::OsslInternal("Falcon attribute OID");
  // A V_ASN1_SEQUENCE value holds the complete DER of the SEQUENCE: the SPKI itself.
  if (X509_REQ_add1_attr_by_OBJ(req, oid.get(), V_ASN1_SEQUENCE, spki.data(),
                                static_cast<int>(spki.size())) != 1) {
    return internal::OsslInternal("adding the Falcon subject key attribute");
  }
  return base::Status::Ok();
}

base::Result<std::string> ToPem(X509_REQ* req) {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req) != 1) {
    return internal::OsslInternal("PEM_write_bio_X509_REQ");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return internal::OsslInternal("reading the CSR PEM");
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

base::Result<std::string> BuildCsrPem(EVP_PKEY* key, const std::vector<std::string>& dns_names,
                                      const std::vector<std::string>& ipv6_addresses,
                                      const std::optional<base::Bytes>& falcon_public_key) {
  ERR_clear_error();
  HM_ASSIGN_OR_RETURN(const bool ed25519, IsEd25519(key));
  internal::GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return internal::OsslInternal("GENERAL_NAMES_new");
  HM_ASSIGN_OR_RETURN(std::string common_name, BuildNames(dns_names, ipv6_addresses, names.get()));

  internal::X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_pubkey(req.get(), key) != 1) {
    return internal::OsslInternal("starting the CSR");
  }
  HM_TRY(AddSubject(req.get(), common_name));
  HM_TRY(AddSanRequest(req.get(), names.get()));
  if (falcon_public_key.has_value()) HM_TRY(AddFalconAttribute(req.get(), *falcon_public_key));
  // Ed25519 signs the message itself (RFC 8410): no digest.
  if (X509_REQ_sign(req.get(), key, ed25519 ? nullptr : EVP_sha256()) <= 0) {
    return internal::OsslError(base::Code::kInvalidArgument,
                               "signing the CSR (is the private key present?)");
  }
  return ToPem(req.get());
}

}  // namespace hm::trustchain::ca
