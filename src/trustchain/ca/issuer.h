// Leaf issuance by the TrustChain issuing CA (docs/spec/certificates.md): name policy, the leaf
// profile, the RFC 6962 precertificate flow with embedded SCTs, ECDSA + Falcon alt signatures.
// Thread-safety: IssueLeaf is reentrant; the SCT provider is called on the caller's thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"
#include "trustchain/ca/csr.h"
#include "trustchain/ca/x509_builder.h"

namespace hm::trustchain::ca {

struct NamePolicy {
  std::vector<std::string> allowed_zones{"hypermesh"};  // lower case, no trailing dot
  bool allow_any = false;  // dev mode: any valid name, wildcards and IPv6 SANs
};

struct LeafOptions {
  base::Bytes serial;  // big-endian, positive, 1..20 bytes (16 random bytes, top bit clear)
  std::chrono::system_clock::time_point not_before;
  std::chrono::seconds validity{std::chrono::hours(24)};
  std::string ocsp_url;                // AIA id-ad-ocsp
  std::string ca_issuers_url;          // AIA id-ad-caIssuers
  std::string crl_url;                 // CRL distribution point
  std::vector<std::string> dns_names;  // non-empty: replaces the CSR's DNS names
  NamePolicy policy;
};

// RFC 6962 §3.2 PreCert: what the CT log signs.
struct PrecertEntry {
  base::Bytes issuer_key_hash;  // SHA-256 of the issuing CA's SubjectPublicKeyInfo DER
  base::Bytes tbs_certificate;  // DER TBS of the final certificate without the SCT list
};

// Returns the TLS-encoded SignedCertificateTimestampList (RFC 6962 §3.3) for the entry.
using SctProvider = std::function<base::Result<base::Bytes>(const PrecertEntry&)>;

struct IssuedLeaf {
  base::Bytes der;
  std::string pem;
  base::Bytes precert_der;  // the poisoned precertificate (empty without an SCT provider)
  PrecertEntry precert_entry;
};

inline constexpr size_t kMaxSctListSize = 64 * 1024;

// Errors: InvalidArgument (bad options, malformed names/URLs, no names), PermissionDenied (a name
// outside policy, naming it), errors of the SCT provider as returned, Internal (OpenSSL).
// With an empty `sct_provider`, no precertificate is made and no SCT list is embedded.
base::Result<IssuedLeaf> IssueLeaf(const IssuingCa& ca, const ParsedCsr& csr,
                                   const LeafOptions& options, const SctProvider& sct_provider,
                                   base::Random& random);

// Name syntax and policy (exposed for the API layer and tests). Returns the lower-cased name.
base::Result<std::string> CheckDnsName(std::string_view name, const NamePolicy& policy);

}  // namespace hm::trustchain::ca
