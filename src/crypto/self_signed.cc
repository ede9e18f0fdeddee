#include "crypto/self_signed.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <string_view>

#include "crypto/openssl_util.h"

namespace hm::crypto {
namespace {

using internal::OsslError;

constexpr size_t kMaxCommonName = 64;  // ub-common-name, RFC 5280
constexpr size_t kMaxDnsName = 253;
constexpr size_t kMaxLabel = 63;

base::Status ValidateDnsName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return base::InvalidArgument("dns_names entry \"" + std::string(name) +
                                 "\": " + std::string(why));
  };
  if (name.empty() || name.size() > kMaxDnsName) return bad("length must be 1..253");
  size_t label_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] != '.') {
      const char c = name[i];
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || (c == '*' && i == 0);
      if (!ok) return bad("invalid character");
      continue;
    }
    const size_t len = i - label_start;
    if (len == 0 || len > kMaxLabel) return bad("empty or over-long label");
    label_start = i + 1;
  }
  if (name[0] == '*' && (name.size() < 3 || name[1] != '.')) {
    return bad("a wildcard must be the whole leftmost label");
  }
  return base::Status::Ok();
}

base::Result<std::array<uint8_t, 16>> ParseIpv6(const std::string& text) {
  std::array<uint8_t, 16> addr{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return base::InvalidArgument("ip_addresses entry \"" + text +
                                 "\" is IPv4; HyperMesh is IPv6-only");
  }
  if (inet_pton(AF_INET6, text.c_str(), addr.data()) != 1) {
    return base::InvalidArgument("ip_addresses entry \"" + text + "\" is not an IPv6 literal");
  }
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(addr.begin(), addr.begin() + 12, kMappedPrefix)) {
    return base::InvalidArgument("ip_addresses entry \"" + text +
                                 "\" is IPv4-mapped; HyperMesh is IPv6-only");
  }
  return addr;
}

base::Status ValidateOptions(const CertOptions& o) {
  if (o.common_name.empty() || o.common_name.size() > kMaxCommonName) {
    return base::InvalidArgument("common_name must be 1..64 bytes");
  }
  for (char c : o.common_name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return base::InvalidArgument("common_name contains a control character");
    }
  }
  for (const auto& name : o.dns_names) HM_TRY(ValidateDnsName(name));
  for (const auto& ip : o.ip_addresses) HM_TRY(ParseIpv6(ip).status());
  if (o.validity.count() <= 0) return base::InvalidArgument("validity must be positive");
  if (o.serial == 0) return base::InvalidArgument("serial must be positive");
  return base::Status::Ok();
}

// Appends one GENERAL_NAME of `type` holding `value` (an IA5String or OCTET STRING).
base::Status PushName(GENERAL_NAMES* names, int type, base::ByteSpan value) {
  ASN1_STRING* str = type == GEN_DNS ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
  internal::GeneralNamePtr gen(GENERAL_NAME_new());
  if (str == nullptr || !gen ||
      ASN1_STRING_set(str, value.data(), static_cast<int>(value.size())) != 1) {
    ASN1_STRING_free(str);
    return OsslError(base::Code::kInternal, "building subjectAltName");
  }
  GENERAL_NAME_set0_value(gen.get(), type, str);  // gen owns str from here
  if (sk_GENERAL_NAME_push(names, gen.get()) <= 0) {
    return OsslError(base::Code::kInternal, "building subjectAltName");
  }
  (void)gen.release();  // now owned by names
  return base::Status::Ok();
}

base::Status AddSubjectAltName(X509* x, const CertOptions& o) {
  if (o.dns_names.empty() && o.ip_addresses.empty()) return base::Status::Ok();
  internal::GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return OsslError(base::Code::kInternal, "GENERAL_NAMES_new");
  for (const auto& dns : o.dns_names) {
    HM_TRY(PushName(names.get(), GEN_DNS, base::AsBytes(dns)));
  }
  for (const auto& ip : o.ip_addresses) {
    HM_ASSIGN_OR_RETURN(auto addr, ParseIpv6(ip));
    HM_TRY(PushName(names.get(), GEN_IPADD, addr));
  }
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OsslError(base::Code::kInternal, "adding subjectAltName");
  }
  return base::Status::Ok();
}

base::Status AddKeyExtensions(X509* x) {
  internal::BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  internal::Asn1BitStringPtr ku(ASN1_BIT_STRING_new());
  internal::ExtKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  internal::Asn1OctetStringPtr ski(ASN1_OCTET_STRING_new());
  unsigned char key_id[EVP_MAX_MD_SIZE];
  unsigned int key_id_len = 0;
  const bool ok =
      bc && ku && eku && ski && ASN1_BIT_STRING_set_bit(ku.get(), 0, 1) == 1 &&  // digitalSig.
      sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_server_auth)) > 0 &&
      // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING.
      X509_pubkey_digest(x, EVP_sha1(), key_id, &key_id_len) == 1 &&
      ASN1_OCTET_STRING_set(ski.get(), key_id, static_cast<int>(key_id_len)) == 1 &&
      X509_add1_ext_i2d(x, NID_basic_constraints, bc.get(), 1, X509V3_ADD_DEFAULT) == 1 &&
      X509_add1_ext_i2d(x, NID_key_usage, ku.get(), 1, X509V3_ADD_DEFAULT) == 1 &&
      X509_add1_ext_i2d(x, NID_ext_key_usage, eku.get(), 0, X509V3_ADD_DEFAULT) == 1 &&
      X509_add1_ext_i2d(x, NID_subject_key_identifier, ski.get(), 0, X509V3_ADD_DEFAULT) == 1;
  if (!ok) return OsslError(base::Code::kInternal, "adding certificate extensions");
  return base::Status::Ok();
}

base::Status SetNameSerialValidity(X509* x, const CertOptions& o) {
  X509_NAME* name = X509_get_subject_name(x);
  const auto* cn = reinterpret_cast<const unsigned char*>(o.common_name.data());
  const time_t not_before = std::chrono::system_clock::to_time_t(o.not_before);
  const time_t not_after = not_before + static_cast<time_t>(o.validity.count());
  const bool ok = X509_set_version(x, X509_VERSION_3) == 1 &&
                  ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), o.serial) == 1 &&
                  X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8, cn,
                                             static_cast<int>(o.common_name.size()), -1, 0) == 1 &&
                  X509_set_issuer_name(x, name) == 1 &&
                  ASN1_TIME_set(X509_getm_notBefore(x), not_before) != nullptr &&
                  ASN1_TIME_set(X509_getm_notAfter(x), not_after) != nullptr;
  if (!ok) return OsslError(base::Code::kInvalidArgument, "setting name, serial or validity");
  return base::Status::Ok();
}

}  // namespace

base::Result<SelfSignedCert> MakeSelfSignedCert(const EcdsaP256PrivateKey& key,
                                                const CertOptions& options) {
  HM_TRY(ValidateOptions(options));
  internal::ClearErrors();
  internal::X509Ptr x(X509_new());
  if (!x) return OsslError(base::Code::kInternal, "X509_new");
  HM_TRY(SetNameSerialValidity(x.get(), options));
  if (X509_set_pubkey(x.get(), key.PublicKey().evp_pkey()) != 1) {
    return OsslError(base::Code::kInternal, "X509_set_pubkey");
  }
  HM_TRY(AddKeyExtensions(x.get()));
  HM_TRY(AddSubjectAltName(x.get(), options));
  if (X509_sign(x.get(), key.evp_pkey(), EVP_sha256()) <= 0) {
    return OsslError(base::Code::kInternal, "X509_sign");
  }
  const int len = i2d_X509(x.get(), nullptr);
  if (len <= 0) return OsslError(base::Code::kInternal, "i2d_X509");
  SelfSignedCert cert;
  cert.der.resize(static_cast<size_t>(len));
  unsigned char* p = cert.der.data();
  if (i2d_X509(x.get(), &p) != len) return OsslError(base::Code::kInternal, "i2d_X509");
  cert.pem = internal::DerToPem(cert.der, "CERTIFICATE");
  return cert;
}

}  // namespace hm::crypto
