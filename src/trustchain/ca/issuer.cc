#include "trustchain/ca/issuer.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/internal/ossl.h"

namespace hm::trustchain::ca {
namespace {

constexpr size_t kMaxUrl = 2048;

base::Status CheckUrl(std::string_view what, std::string_view url) {
  const bool scheme = url.starts_with("http://") || url.starts_with("https://");
  const bool chars = std::all_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (!scheme || !chars || url.size() > kMaxUrl) {
    return base::InvalidArgument(std::string(what) + " must be an http(s) URL");
  }
  return base::Status::Ok();
}

bool UnderZone(std::string_view name, std::string_view zone) {
  if (name == zone) return true;
  return name.size() > zone.size() && name.ends_with(zone) &&
         name[name.size() - zone.size() - 1] == '.';
}

base::Status PushGeneralName(GENERAL_NAMES* names, int type, base::ByteSpan value) {
  ASN1_STRING* str = type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
  internal::GeneralNamePtr gen(GENERAL_NAME_new());
  if (str == nullptr || !gen ||
      ASN1_STRING_set(str, value.data(), static_cast<int>(value.size())) != 1) {
    ASN1_STRING_free(str);
    return internal::OsslInternal("GeneralName");
  }
  GENERAL_NAME_set0_value(gen.get(), type, str);
  if (sk_GENERAL_NAME_push(names, gen.get()) <= 0) return internal::OsslInternal("GeneralName");
  (void)gen.release();
  return base::Status::Ok();
}

struct Names {
  std::vector<std::string> dns;
  std::vector<std::array<uint8_t, 16>> ips;
};

base::Result<Names> EffectiveNames(const ParsedCsr& csr, const LeafOptions& o) {
  Names out;
  const auto& requested = o.dns_names.empty() ? csr.dns_names : o.dns_names;
  for (const auto& name : requested) {
    HM_ASSIGN_OR_RETURN(auto checked, CheckDnsName(name, o.policy));
    if (std::find(out.dns.begin(), out.dns.end(), checked) == out.dns.end()) {
      out.dns.push_back(std::move(checked));
    }
  }
  if (!csr.ip_addresses.empty() && !o.policy.allow_any) {
    return base::PermissionDenied("IP address SANs are not allowed by the name policy");
  }
  out.ips = csr.ip_addresses;
  if (out.dns.empty() && out.ips.empty()) return base::InvalidArgument("no names requested");
  if (out.dns.size() + out.ips.size() > kMaxCsrNames)
    return base::InvalidArgument("too many names");
  return out;
}

base::Result<internal::X509NamePtr> LeafSubject(const Names& names) {
  std::string cn;
  if (!names.dns.empty()) {
    cn = names.dns[0];
  } else {
    char text[INET6_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET6, names.ips[0].data(), text, sizeof(text));
    cn = text;
  }
  internal::X509NamePtr subject(X509_NAME_new());
  // ub-common-name is 64: longer names live only in the SAN.
  if (!subject || (cn.size() <= 64 &&
                   X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, MBSTRING_UTF8,
                                              reinterpret_cast<const unsigned char*>(cn.data()),
                                              static_cast<int>(cn.size()), -1, 0) != 1)) {
    return internal::OsslInternal("leaf subject");
  }
  return subject;
}

base::Status AddKeyUsages(X509* x) {
  internal::BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  internal::Asn1BitStringPtr ku(ASN1_BIT_STRING_new());
  internal::ExtKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  const bool ok =
      bc && ku && eku && ASN1_BIT_STRING_set_bit(ku.get(), 0, 1) == 1 &&
      sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_server_auth)) > 0 &&
      sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_client_auth)) > 0 &&
      X509_add1_ext_i2d(x, NID_basic_constraints, bc.get(), 1, X509V3_ADD_DEFAULT) == 1 &&
      X509_add1_ext_i2d(x, NID_key_usage, ku.get(), 1, X509V3_ADD_DEFAULT) == 1 &&
      X509_add1_ext_i2d(x, NID_ext_key_usage, eku.get(), 0, X509V3_ADD_DEFAULT) == 1;
  if (!ok) return internal::OsslInternal("leaf key usage extensions");
  return base::Status::Ok();
}

base::Status AddSan(X509* x, const Names& names) {
  internal::GeneralNamesPtr gens(GENERAL_NAMES_new());
  if (!gens) return internal::OsslInternal("GENERAL_NAMES_new");
  for (const auto& dns : names.dns)
    HM_TRY(PushGeneralName(gens.get(), GEN_DNS, base::AsBytes(dns)));
  for (const auto& ip : names.ips) HM_TRY(PushGeneralName(gens.get(), GEN_IPADD, ip));
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return internal::OsslInternal("subjectAltName");
  }
  return base::Status::Ok();
}

base::Status AddAccessExtensions(X509* x, const LeafOptions& o) {
  internal::AiaPtr aia(sk_ACCESS_DESCRIPTION_new_null());
  if (!aia) return internal::OsslInternal("AIA");
  for (auto [nid, url] :
       {std::pair{NID_ad_OCSP, &o.ocsp_url}, std::pair{NID_ad_ca_issuers, &o.ca_issuers_url}}) {
    ACCESS_DESCRIPTION* ad = ACCESS_DESCRIPTION_new();
    if (ad == nullptr || sk_ACCESS_DESCRIPTION_push(aia.get(), ad) <= 0) {
      ACCESS_DESCRIPTION_free(ad);
      return internal::OsslInternal("AIA");
    }
    ASN1_OBJECT_free(ad->method);
    ad->method = OBJ_nid2obj(nid);
    GENERAL_NAME_free(ad->location);
    ad->location = GENERAL_NAME_new();
    ASN1_IA5STRING* uri = ASN1_IA5STRING_new();
    if (ad->location == nullptr || uri == nullptr ||
        ASN1_STRING_set(uri, url->data(), static_cast<int>(url->size())) != 1) {
      ASN1_STRING_free(uri);
      return internal::OsslInternal("AIA");
    }
    GENERAL_NAME_set0_value(ad->location, GEN_URI, uri);
  }
  internal::CrlDistPointsPtr cdp(sk_DIST_POINT_new_null());
  DIST_POINT* dp = DIST_POINT_new();
  if (!cdp || dp == nullptr || sk_DIST_POINT_push(cdp.get(), dp) <= 0) {
    DIST_POINT_free(dp);
    return internal::OsslInternal("CRL DP");
  }
  dp->distpoint = DIST_POINT_NAME_new();
  if (dp->distpoint == nullptr) return internal::OsslInternal("CRL DP");
  dp->distpoint->type = 0;  // fullName
  dp->distpoint->name.fullname = GENERAL_NAMES_new();
  if (dp->distpoint->name.fullname == nullptr) return internal::OsslInternal("CRL DP");
  HM_TRY(PushGeneralName(dp->distpoint->name.fullname, GEN_URI, base::AsBytes(o.crl_url)));
  if (X509_add1_ext_i2d(x, NID_info_access, aia.get(), 0, X509V3_ADD_DEFAULT) != 1 ||
      X509_add1_ext_i2d(x, NID_crl_distribution_points, cdp.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return internal::OsslInternal("AIA / CRL DP");
  }
  return base::Status::Ok();
}

base::Result<internal::X509Ptr> BuildTbs(const IssuingCa& ca, const ParsedCsr& csr,
                                         const LeafOptions& o) {
  HM_TRY(CheckUrl("ocsp_url", o.ocsp_url));
  HM_TRY(CheckUrl("ca_issuers_url", o.ca_issuers_url));
  HM_TRY(CheckUrl("crl_url", o.crl_url));
  HM_ASSIGN_OR_RETURN(auto names, EffectiveNames(csr, o));
  HM_ASSIGN_OR_RETURN(auto subject, LeafSubject(names));
  const unsigned char* p = csr.spki_der.data();
  internal::PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(csr.spki_der.size())));
  if (!key) return internal::OsslError(base::Code::kInvalidArgument, "CSR subject key");
  internal::X509Ptr x(X509_new());
  if (!x) return internal::OsslInternal("X509_new");
  HM_TRY(internal::SetBasics(x.get(), o.serial, o.not_before, o.validity, subject.get(),
                             X509_get_subject_name(ca.cert()), key.get()));
  HM_TRY(AddKeyUsages(x.get()));
  HM_TRY(internal::AddSubjectKeyId(x.get()));
  HM_TRY(internal::AddAuthorityKeyId(x.get(), ca.cert()));
  HM_TRY(AddSan(x.get(), names));
  HM_TRY(AddAccessExtensions(x.get(), o));
  if (ca.falcon().has_value()) HM_TRY(AddAltKeyExtensions(x.get(), csr.falcon_public_key));
  return x;
}

base::Result<base::Bytes> OctetStringDer(base::ByteSpan content) {
  internal::Asn1OctetStringPtr os(ASN1_OCTET_STRING_new());
  if (!os ||
      ASN1_OCTET_STRING_set(os.get(), content.data(), static_cast<int>(content.size())) != 1) {
    return internal::OsslInternal("OCTET STRING");
  }
  const int len = i2d_ASN1_OCTET_STRING(os.get(), nullptr);
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_ASN1_OCTET_STRING(os.get(), &p);
  return der;
}

base::Result<base::Bytes> TbsOf(X509* x) {
  const int len = i2d_re_X509_tbs(x, nullptr);
  if (len <= 0) return internal::OsslInternal("TBSCertificate");
  base::Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_re_X509_tbs(x, &p);
  return der;
}

}  // namespace

base::Result<std::string> CheckDnsName(std::string_view name, const NamePolicy& policy) {
  auto bad = [&](std::string_view why) {
    return base::InvalidArgument("name \"" + std::string(name.substr(0, 260)) +
                                 "\": " + std::string(why));
  };
  if (name.empty() || name.size() > 253) return bad("length must be 1..253");
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  const bool wildcard = lower.starts_with("*.");
  size_t label_start = wildcard ? 2 : 0;
  for (size_t i = label_start; i <= lower.size(); ++i) {
    if (i < lower.size() && lower[i] != '.') {
      const char c = lower[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return bad("invalid character");
      }
      continue;
    }
    const size_t len = i - label_start;
    if (len == 0 || len > 63) return bad("empty or over-long label");
    if (lower[label_start] == '-' || lower[i - 1] == '-') return bad("label starts/ends with '-'");
    label_start = i + 1;
  }
  if (policy.allow_any) return lower;
  if (wildcard) return base::PermissionDenied("name \"" + lower + "\": wildcards not allowed");
  for (const auto& zone : policy.allowed_zones) {
    if (UnderZone(lower, zone)) return lower;
  }
  return base::PermissionDenied("name \"" + lower + "\" is outside the allowed zones");
}

base::Result<IssuedLeaf> IssueLeaf(const IssuingCa& ca, const ParsedCsr& csr,
                                   const LeafOptions& options, const SctProvider& sct_provider,
                                   base::Random& random) {
  ERR_clear_error();
  HM_ASSIGN_OR_RETURN(auto x, BuildTbs(ca, csr, options));
  const auto* falcon_key = ca.falcon().has_value() ? &ca.falcon()->signing : nullptr;
  EVP_PKEY* ca_key = ca.key().evp_pkey();
  HM_TRY(SignHybrid(x.get(), ca_key, falcon_key, random));

  IssuedLeaf out;
  out.precert_entry.issuer_key_hash = ca.key_hash();
  HM_ASSIGN_OR_RETURN(out.precert_entry.tbs_certificate, TbsOf(x.get()));
  if (sct_provider) {
    internal::X509Ptr precert(X509_dup(x.get()));
    if (!precert) return internal::OsslInternal("X509_dup");
    static constexpr uint8_t kNull[] = {0x05, 0x00};
    HM_TRY(internal::AddExtension(precert.get(), kOidCtPoison, true, kNull));
    if (X509_sign(precert.get(), ca_key, EVP_sha256()) <= 0) {
      return internal::OsslInternal("signing precertificate");
    }
    out.precert_der = internal::CertDer(precert.get());
    HM_ASSIGN_OR_RETURN(auto scts, sct_provider(out.precert_entry));
    if (scts.size() < 2 || scts.size() > kMaxSctListSize) {
      return base::Internal("SCT provider returned an SCT list of invalid size");
    }
    HM_ASSIGN_OR_RETURN(auto wrapped, OctetStringDer(scts));
    HM_TRY(internal::AddExtension(x.get(), kOidCtSctList, false, wrapped));
    if (X509_sign(x.get(), ca_key, EVP_sha256()) <= 0) return internal::OsslInternal("X509_sign");
  }
  out.der = internal::CertDer(x.get());
  if (out.der.empty()) return internal::OsslInternal("i2d_X509");
  out.pem = internal::DerToPem(out.der, "CERTIFICATE");
  return out;
}

}  // namespace hm::trustchain::ca
