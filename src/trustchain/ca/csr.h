// Strict parsing of PKCS#10 certificate signing requests for the TrustChain CA
// (docs/spec/certificates.md "Certificate signing request"): verified self-signature, ECDSA P-256
// or Ed25519 subject keys, DNS / IPv6 SANs, an optional Falcon-1024 subject key attribute.
// Thread-safety: pure function; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace hm::trustchain::ca {

inline constexpr size_t kMaxCsrPemSize = 16 * 1024;
inline constexpr size_t kMaxCsrNames = 32;

enum class SubjectKeyType { kEcdsaP256, kEd25519 };

struct ParsedCsr {
  SubjectKeyType key_type = SubjectKeyType::kEcdsaP256;
  base::Bytes spki_der;                               // the subject's SubjectPublicKeyInfo
  std::vector<std::string> dns_names;                 // as requested (not yet policy-checked)
  std::vector<std::array<uint8_t, 16>> ip_addresses;  // IPv6 only
  std::optional<base::Bytes> falcon_public_key;       // raw Falcon-1024 key, if requested
};

// InvalidArgument (with a reason) for: oversize input, anything but one "CERTIFICATE REQUEST"
// PEM block, malformed DER, a signature that does not verify, a key type other than ECDSA P-256
// or Ed25519 (the message names it, e.g. "RSA-2048"), SAN entries other than dNSName/iPAddress,
// IPv4 or IPv4-mapped addresses, a malformed Falcon attribute.
base::Result<ParsedCsr> ParseCsrPem(std::string_view pem);

}  // namespace hm::trustchain::ca
