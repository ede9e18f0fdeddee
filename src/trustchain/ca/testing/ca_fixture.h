// Test-only helpers for hm_trustchain_ca: a generated root + intermediate (built once per test
// binary, keys never leave memory), CSR construction with OpenSSL, and a real CT log signer (fresh keys) for embedded SCTs.
// Thread-safety: GetTestPki() is initialised once (function-local static); others are pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "trustchain/ca/issuer.h"
#include "trustchain/ct/log_entry.h"
#include "trustchain/ct/signing.h"
#include "trustchain/ca/internal/ossl.h"
#include "trustchain/ca/issuer.h"
#include "trustchain/ca/x509_builder.h"

namespace hm::trustchain::ca::testing {

// 2025-01-01T00:00:00Z.
inline const std::chrono::system_clock::time_point kT0 =
    std::chrono::system_clock::from_time_t(1735689600);

struct TestPki {
  IssuingCa root;
  IssuingCa intermediate;
  base::Bytes leaf_falcon_pk;  // a spare Falcon-1024 key for hybrid leaves
};
const TestPki& GetTestPki();

base::Random& TestRandom();

internal::PkeyPtr GenerateKey(const std::string& kind);  // "P-256", "P-384", "ED25519", "RSA-1024"

// A signed CSR for `key` requesting `dns` and `ips` (text) in its SAN; optional Falcon SPKI attr.
std::string MakeCsrPem(EVP_PKEY* key, const std::vector<std::string>& dns,
                       const std::vector<std::string>& ips = {},
                       const std::optional<base::Bytes>& falcon_spki = std::nullopt);

base::Bytes Serial(uint8_t last);
LeafOptions DefaultLeafOptions(uint8_t serial_last);

// A well-formed one-entry SignedCertificateTimestampList (RFC 6962 §3.3) with `timestamp_ms`.
// The test log (ECDSA P-256 + Falcon-1024 keys generated once per binary).
const ct::LogSigner& TestLog();
// A one-SCT SignedCertificateTimestampList for `entry`, signed by TestLog().
base::Bytes TestLogSctList(const PrecertEntry& entry, uint64_t timestamp_ms);
// The CT log entry the SCT covers.
ct::LogEntry PrecertLogEntry(const PrecertEntry& entry, uint64_t timestamp_ms);

internal::X509Ptr ParseCert(const base::Bytes& der);

}  // namespace hm::trustchain::ca::testing
