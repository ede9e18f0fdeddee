#include "trustchain/ca/peer_chain.h"

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "crypto/hash.h"
#include "trustchain/ca/alt_signature.h"
#include "trustchain/ca/ca_module.h"
#include "trustchain/ca/internal/ossl.h"

namespace hm::trustchain::ca {
namespace {

using internal::X509Ptr;

// RFC 2253 form, e.g. "CN=HyperMesh Issuing CA,O=HyperMesh"; "(empty subject)" if there is none.
std::string NameText(const X509_NAME* name) {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "(unreadable)";
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0) return "(empty subject)";
  return std::string(data, static_cast<size_t>(len));
}

std::string Subject(const X509* x) { return NameText(X509_get_subject_name(x)); }

std::string TimeText(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return "(unreadable time)";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

base::Status Denied(const X509* x, std::string_view reason) {
  return base::PermissionDenied(fmt::format("certificate '{}': {}", Subject(x), reason));
}

base::Status CheckValidity(X509* x, std::chrono::system_clock::time_point now) {
  const time_t t = std::chrono::system_clock::to_time_t(now);
  const int before = ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), t);
  const int after = ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), t);
  if (before == -2 || after == -2) {
    return base::InvalidArgument(
        fmt::format("certificate '{}': unreadable validity period", Subject(x)));
  }
  if (before > 0) {
    return Denied(x, "not valid before " + TimeText(X509_get0_notBefore(x)));
  }
  if (after < 0) return Denied(x, "expired on " + TimeText(X509_get0_notAfter(x)));
  return base::Status::Ok();
}

// `x` issued a chain with `cas_below` CA certificates between it and the leaf.
base::Status CheckIsCa(X509* x, size_t cas_below) {
  if (X509_check_ca(x) != 1) return Denied(x, "not a CA certificate, yet it issued another one");
  const long path_len = X509_get_pathlen(x);  // -1: no limit
  if (path_len >= 0 && cas_below > static_cast<size_t>(path_len)) {
    return Denied(x, fmt::format("its path length limit {} allows fewer CAs below it", path_len));
  }
  return base::Status::Ok();
}

// Both checks of `link` as one status; PermissionDenied naming the certificate.
base::Status LinkStatus(const X509* x, const LinkCheck& link) {
  if (!link.ecdsa.ok()) {
    return Denied(x, fmt::format("ECDSA signature by '{}': {}", link.issuer, link.ecdsa.message()));
  }
  if (!link.falcon.ok()) {
    return Denied(x, fmt::format("Falcon-1024 alt signature by '{}': {}", link.issuer,
                                 link.falcon.message()));
  }
  return base::Status::Ok();
}

std::vector<std::string> DnsNames(const X509* x) {
  std::vector<std::string> out;
  internal::GeneralNamesPtr gens(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr)));
  if (!gens) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(gens.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(gens.get(), i);
    if (g->type != GEN_DNS) continue;
    const ASN1_IA5STRING* s = g->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  }
  return out;
}

// The leaf's own requirements: an end entity with a usable Falcon-1024 key.
base::Result<base::Bytes> LeafFalconKey(X509* leaf, base::ByteSpan leaf_der) {
  if (X509_check_ca(leaf) != 0) {
    return Denied(leaf, "a CA certificate cannot identify a node");
  }
  auto pk = SubjectAltPublicKey(leaf_der);
  if (!pk.ok()) {
    return base::InvalidArgument(fmt::format("certificate '{}': subjectAltPublicKeyInfo: {}",
                                             Subject(leaf), pk.status().message()));
  }
  if (!pk->has_value()) return Denied(leaf, "no Falcon-1024 key in the certificate");
  return std::move(**pk);
}

base::Result<std::vector<X509Ptr>> ParseAll(const std::vector<base::Bytes>& ders,
                                            std::string_view what) {
  std::vector<X509Ptr> out;
  for (size_t i = 0; i < ders.size(); ++i) {
    auto x = internal::ParseCertDer(ders[i]);
    if (!x.ok()) {
      return base::InvalidArgument(fmt::format("{} {}: {}", what, i, x.status().message()));
    }
    out.push_back(std::move(x).value());
  }
  return out;
}

}  // namespace

base::Result<LinkCheck> CheckLink(base::ByteSpan cert_der, base::ByteSpan issuer_der) {
  HM_ASSIGN_OR_RETURN(auto cert, internal::ParseCertDer(cert_der));
  HM_ASSIGN_OR_RETURN(auto issuer, internal::ParseCertDer(issuer_der));
  LinkCheck r;
  r.subject = Subject(cert.get());
  r.issuer = Subject(issuer.get());
  if (X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(issuer.get())) != 0) {
    r.ecdsa = base::Unauthenticated("issuer name does not match");
  } else if (X509_verify(cert.get(), X509_get0_pubkey(issuer.get())) != 1) {
    r.ecdsa = base::Unauthenticated("signature does not verify");
  }
  auto falcon_pk = SubjectAltPublicKey(issuer_der);
  if (!falcon_pk.ok()) {
    r.falcon = falcon_pk.status();
  } else if (!falcon_pk->has_value()) {
    r.falcon = base::NotFound("the issuer has no Falcon-1024 key (subjectAltPublicKeyInfo)");
  } else {
    r.falcon = VerifyAltSignature(cert_der, **falcon_pk);
  }
  return r;
}

base::Result<std::vector<base::Bytes>> ReadPemCertificates(std::string_view pem) {
  std::vector<base::Bytes> out;
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509Ptr owned(x);
    base::Bytes der = internal::CertDer(x);
    if (!der.empty()) out.push_back(std::move(der));
  }
  if (out.empty()) return base::InvalidArgument("no PEM CERTIFICATE block");
  return out;
}

base::Result<PeerIdentity> VerifyPeerChain(const std::vector<base::Bytes>& chain_der,
                                           const std::vector<base::Bytes>& trusted_roots_der,
                                           std::chrono::system_clock::time_point now) {
  if (chain_der.empty()) return base::InvalidArgument("the peer presented no certificate");
  if (chain_der.size() > kMaxPeerChainLength) {
    return base::InvalidArgument(fmt::format("the peer presented {} certificates (at most {})",
                                             chain_der.size(), kMaxPeerChainLength));
  }
  HM_ASSIGN_OR_RETURN(auto chain, ParseAll(chain_der, "peer certificate"));
  HM_ASSIGN_OR_RETURN(auto roots, ParseAll(trusted_roots_der, "trusted root"));
  auto trusted = [&](const base::Bytes& der) -> std::optional<size_t> {
    for (size_t r = 0; r < trusted_roots_der.size(); ++r) {
      if (trusted_roots_der[r] == der) return r;
    }
    return std::nullopt;
  };
  X509* leaf = chain[0].get();
  if (trusted(chain_der[0])) return Denied(leaf, "a root certificate cannot identify a node");
  HM_ASSIGN_OR_RETURN(base::Bytes falcon_pk, LeafFalconKey(leaf, chain_der[0]));
  auto falcon_key =
      crypto::falcon::VerifyingKey::Load(crypto::falcon::Variant::kFalcon1024, falcon_pk);
  if (!falcon_key.ok()) {
    return base::InvalidArgument(fmt::format("certificate '{}': Falcon-1024 key: {}", Subject(leaf),
                                             falcon_key.status().message()));
  }

  for (size_t i = 0;; ++i) {
    X509* x = chain[i].get();
    HM_TRY(CheckValidity(x, now));
    if (i > 0) HM_TRY(CheckIsCa(x, i - 1));
    if (i + 1 < chain.size()) {
      HM_ASSIGN_OR_RETURN(LinkCheck link, CheckLink(chain_der[i], chain_der[i + 1]));
      HM_TRY(LinkStatus(x, link));
      if (auto r = trusted(chain_der[i + 1])) {
        HM_TRY(CheckValidity(roots[*r].get(), now));
        HM_TRY(CheckIsCa(roots[*r].get(), i));
        break;
      }
      continue;
    }
    // The last certificate presented: a trusted root must have issued it. Roots of other
    // networks may carry the same name, so a root counts only once its ECDSA signature verifies;
    // then its Falcon signature must verify too.
    std::optional<size_t> issuer;
    for (size_t r = 0; r < roots.size() && !issuer; ++r) {
      HM_ASSIGN_OR_RETURN(LinkCheck link, CheckLink(chain_der[i], trusted_roots_der[r]));
      if (!link.ecdsa.ok()) continue;
      HM_TRY(LinkStatus(x, link));
      issuer = r;
    }
    if (!issuer) {
      return Denied(x, i == 0 ? "not issued by this network's TrustChain"
                              : fmt::format("not issued by this network's TrustChain (chain of "
                                            "'{}')",
                                            Subject(leaf)));
    }
    HM_TRY(CheckValidity(roots[*issuer].get(), now));
    HM_TRY(CheckIsCa(roots[*issuer].get(), i));
    break;
  }

  PeerIdentity id;
  id.falcon_public_key = std::move(falcon_pk);
  id.falcon_key = std::move(falcon_key).value();
  id.dns_names = DnsNames(leaf);
  id.serial = SerialOf(leaf);
  id.subject = Subject(leaf);
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) == 1) {
    id.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  }
  return id;
}

PeerChainCache::PeerChainCache(std::vector<base::Bytes> trusted_roots_der, size_t capacity,
                               std::chrono::seconds max_age)
    : roots_(std::move(trusted_roots_der)),
      max_age_(max_age),
      entries_(std::max<size_t>(1, capacity)) {}

base::Result<PeerIdentity> PeerChainCache::Verify(const std::vector<base::Bytes>& chain_der,
                                                  std::chrono::system_clock::time_point now) {
  crypto::Sha256Hasher h;
  for (const auto& der : chain_der) h.UpdateField(der);
  const crypto::Digest32 d = h.Finish();
  const std::string key(d.begin(), d.end());
  {
    std::lock_guard lock(mu_);
    if (const Entry* e = entries_.Find(key)) {
      if (now < e->identity.not_after && now >= e->verified_at && now - e->verified_at < max_age_) {
        ++hits_;
        return e->identity;
      }
      entries_.Erase(key);
    }
  }
  HM_ASSIGN_OR_RETURN(PeerIdentity identity, VerifyPeerChain(chain_der, roots_, now));
  std::lock_guard lock(mu_);
  entries_.Put(key, Entry{identity, now});
  return identity;
}

size_t PeerChainCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

}  // namespace hm::trustchain::ca
