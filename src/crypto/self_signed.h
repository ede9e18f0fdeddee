// Self-signed X.509 v3 server certificates (ECDSA P-256 / SHA-256), used by the node daemon for
// its HTTPS listener until the TrustChain CA issues real ones. The clock is injected.
// Thread-safety: pure function; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "crypto/ecdsa.h"

namespace hm::crypto {

struct CertOptions {
  std::string common_name;                // subject and issuer CN; 1..64 bytes of UTF-8
  std::vector<std::string> dns_names;     // SAN dNSName entries ("node.hypermesh", "*.x.y")
  std::vector<std::string> ip_addresses;  // SAN iPAddress entries; IPv6 literals only ("::1")
  std::chrono::seconds validity{std::chrono::hours(24)};
  std::chrono::system_clock::time_point not_before;  // injected; usually "now"
  uint64_t serial = 1;                               // must be > 0
};

struct SelfSignedCert {
  std::string pem;  // "CERTIFICATE" PEM block
  base::Bytes der;
};

// Builds a certificate for key.PublicKey(), signed by `key`, with basicConstraints CA:FALSE
// (critical), keyUsage digitalSignature (critical), extKeyUsage serverAuth, subjectKeyIdentifier
// and subjectAltName. InvalidArgument for a bad option (naming it), e.g. an IPv4 address.
base::Result<SelfSignedCert> MakeSelfSignedCert(const EcdsaP256PrivateKey& key,
                                                const CertOptions& options);

}  // namespace hm::crypto
