// Production construction of PKCS#10 certificate signing requests for the TrustChain CA, in the
// exact shape ParseCsrPem accepts (docs/spec/certificates.md "Certificate signing request").
// Used by clients (`hm cert issue|renew`) and by the node for its own TLS leaf.
// Thread-safety: pure function; thread-safe (the key is only read).
#pragma once

#include <openssl/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::trustchain::ca {

// A signed CSR for `key` (ECDSA P-256, signed with SHA-256, or Ed25519, pure): subject
// CN = the first DNS name (else the first address), an extensionRequest with a subjectAltName of
// every DNS name (lower-cased, syntax-checked as the CA does) and IPv6 address (text form), and,
// when `falcon_public_key` (raw Falcon-1024 key) is set, the hmFalconSubjectKey attribute
// carrying its SubjectPublicKeyInfo.
// InvalidArgument: no names, more than kMaxCsrNames, a malformed name, an IPv4 or IPv4-mapped or
// unparsable address, another key type, an invalid Falcon key. Internal: OpenSSL failures.
base::Result<std::string> BuildCsrPem(EVP_PKEY* key, const std::vector<std::string>& dns_names,
                                      const std::vector<std::string>& ipv6_addresses,
                                      const std::optional<base::Bytes>& falcon_public_key);

}  // namespace hm::trustchain::ca
